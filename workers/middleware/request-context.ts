import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../context.ts";
import { parseEnv } from "../env.ts";
import { errorBody } from "../errors.ts";
import { createServices } from "../services/request-services.ts";

/**
 * Gives every request an id (echoed as X-Request-Id), a timings record, the
 * validated environment and the services built from it (request-services.ts),
 * and logs one JSON line per request with its timings.
 */
export function requestContext(): MiddlewareHandler<AppEnv> {
  return async function requestContext(c, next) {
    const requestId = c.req.header("cf-ray") ?? crypto.randomUUID();
    const started = Date.now();
    c.set("requestId", requestId);
    c.set("timings", {});
    try {
      try {
        const env = parseEnv(c.env);
        c.set("env", env);
        c.set("services", createServices(env));
      } catch (cause) {
        const issues = (cause as { issues?: { message: string }[] }).issues ?? [];
        const message = `the Worker is misconfigured: ${issues.map((i) => i.message).join("; ")}`;
        c.res = c.json(errorBody("BAD_ENVIRONMENT", message, requestId), 500);
        return;
      }
      await next();
    } finally {
      c.header("X-Request-Id", requestId);
      const timings = { ...c.get("timings"), total: Date.now() - started };
      // Stage timings for browsers' devtools and the benchmarks.
      c.header(
        "Server-Timing",
        Object.entries(timings)
          .map(([name, ms]) => `${name};dur=${ms}`)
          .join(", "),
      );
      console.log(
        JSON.stringify({
          requestId,
          method: c.req.method,
          path: c.req.path,
          status: c.res.status,
          timings,
        }),
      );
    }
  };
}
