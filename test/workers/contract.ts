import type { ZodType } from "zod";
import { createApp } from "../../workers/app.ts";
import { ErrorBody, Explanation } from "../../workers/schemas.ts";

/**
 * Every response the Worker tests receive is checked against the route's own
 * declared schema (the one the OpenAPI document is made from): its status must
 * be declared, and its JSON body must parse to itself, so a field the schema
 * does not name, a missing one or a wrong type fails the test that saw it.
 */

interface DeclaredRoute {
  method: string;
  pattern: RegExp;
  responses: Record<string, { content?: Record<string, { schema?: unknown }> }>;
}

const declared: DeclaredRoute[] = createApp()
  .openAPIRegistry.definitions.flatMap((d) => (d.type === "route" ? [d.route] : []))
  .map((route) => ({
    method: route.method.toUpperCase(),
    pattern: new RegExp(`^${route.path.replace(/\{[^}]+\}/g, "[^/]+")}/?$`),
    responses: route.responses as DeclaredRoute["responses"],
  }));

/** JSON with object keys sorted, so that two values compare regardless of key order. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );
}

function sameJson(parsed: unknown, body: unknown, where: string): void {
  const a = canonical(parsed);
  const b = canonical(body);
  if (a !== b)
    throw new Error(
      `${where}: the body has fields or values its schema does not declare\n  body:   ${b.slice(0, 400)}\n  schema: ${a.slice(0, 400)}`,
    );
}

function parseWith(schema: ZodType, body: unknown, where: string): void {
  const result = schema.safeParse(body);
  if (!result.success)
    throw new Error(`${where}: the body breaks its schema: ${result.error.message}`);
  sameJson(result.data, body, where);
}

/** Throws when `response` is not what its route declares. Reads a clone. */
export async function checkContract(method: string, url: string, response: Response) {
  const path = new URL(url, "http://marquee.test").pathname;
  const where = `${method} ${path} -> ${response.status}`;
  const type = response.headers.get("content-type") ?? "";
  const route = declared.find(
    (r) =>
      (r.method === method || (method === "HEAD" && r.method === "GET")) && r.pattern.test(path),
  );
  if (!route) {
    // No route: the app's own 404 / 405 (or the static page and the docs, not the API's).
    if (
      type.includes("application/json") &&
      path.startsWith("/api/") &&
      path !== "/api/openapi.json"
    )
      parseWith(ErrorBody, await response.clone().json(), where);
    return;
  }
  const declaredResponse = route.responses[String(response.status)];
  if (!declaredResponse) throw new Error(`${where}: status not declared by the route`);
  if (method === "HEAD") return;
  if (type.includes("text/event-stream")) {
    if (!declaredResponse.content?.["text/event-stream"])
      throw new Error(`${where}: an event stream the route does not declare`);
    return;
  }
  const schema = declaredResponse.content?.["application/json"]?.schema as ZodType | undefined;
  if (!schema) throw new Error(`${where}: JSON the route does not declare`);
  parseWith(schema, await response.clone().json(), where);
}

/** The explanation stream's events carry the JSON reply's schemas: `done` an Explanation, `error` the error body. */
export function checkEvent(event: string, data: unknown): void {
  if (event === "done") parseWith(Explanation, data, "explain stream: done");
  if (event === "error") parseWith(ErrorBody, data, "explain stream: error");
}
