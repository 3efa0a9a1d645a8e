import { OpenAPIHono } from "@hono/zod-openapi";
import type { ValidationTargets } from "hono";
import { createMiddleware } from "hono/factory";
import { type ZodError, z } from "zod";
import type { AppEnv } from "./context.ts";
import { ApiError } from "./errors.ts";

/**
 * Turns a request that fails its route's schema into a 400 naming the
 * parameter ("genre", not "genre.0" for the first of several; "body" or the
 * JSON field), in the API's one error body.
 */
function validationHook(
  result: { target: keyof ValidationTargets } & (
    | { success: true }
    | { success: false; error: ZodError }
  ),
): void {
  if (result.success) return;
  const { target } = result;
  const issue = result.error.issues[0];
  const path = target === "json" ? issue?.path.join(".") : issue?.path[0]?.toString();
  const where = path || (target === "json" ? "body" : target);
  throw new ApiError("BAD_REQUEST", `${where}: ${issue?.message ?? "invalid"}`);
}

/**
 * A group of routes declared with their schemas (createRoute), validated as
 * above. A trailing slash names the same route ("/api/ratings/").
 */
export function apiRoutes() {
  return new OpenAPIHono<AppEnv>({ defaultHook: validationHook, strict: false });
}

/**
 * A JSON body must say so: without `Content-Type: application/json` Hono
 * reads none, and every field would be reported missing instead of the real
 * cause. Route middleware, so it runs before the body is validated.
 */
export const jsonBody = () =>
  createMiddleware<AppEnv>(async (c, next) => {
    const type = c.req.header("content-type") ?? "";
    if (!/^application\/(?:[\w.+-]+\+)?json\b/i.test(type))
      throw new ApiError(
        "BAD_REQUEST",
        "body: must be JSON, sent with Content-Type: application/json",
      );
    await next();
  });

/** Postgres' integer: an id past it can name nothing stored, and would make Postgres fail. */
export const MAX_ID = 2_147_483_647;

/**
 * A whole number given once, in decimal digits and within bounds, from a
 * path or query parameter: "0x10", "1e3", "+5" and "7.0" are refused, and so
 * is a parameter given twice (which arrives as a list).
 */
export function wholeNumber(name: string, min: number, max: number | (() => number)) {
  const most = () => (typeof max === "function" ? max() : max);
  return z
    .string({ error: `${name} must be given once` })
    .regex(/^\d{1,16}$/, `${name} must be a whole number`)
    .transform(Number)
    .refine((n) => n >= min, `${name} must be at least ${min}`)
    .refine((n) => n <= most(), {
      // A function, so that the bound is read when a request is checked.
      error: () => `${name} must be at most ${most()}`,
    });
}

/** A control character other than tab, newline and carriage return (NUL included). */
function isControl(code: number): boolean {
  return (code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d) || code === 0x7f;
}

/** Text a person typed: control characters (NUL included) are refused, not stored or searched. */
export function typedText(name: string) {
  return z.string({ error: `${name} must be text` }).refine(
    (text) => {
      for (let i = 0; i < text.length; i++) if (isControl(text.charCodeAt(i))) return false;
      return true;
    },
    { error: `${name} must not contain control characters` },
  );
}

/** A movie id path parameter: 1 to MAX_ID. */
export const MovieIdParam = z.object({ movieId: wholeNumber("movieId", 1, MAX_ID) });
