import { zValidator } from "@hono/zod-validator";
import type { ValidationTargets } from "hono";
import { createMiddleware } from "hono/factory";
import { type ZodType, z } from "zod";
import { ApiError } from "./errors.ts";

/**
 * zValidator that turns the first issue into a 400 naming the parameter, in
 * the API's one error body. A JSON body must say so: without
 * `Content-Type: application/json` Hono reads none, and every field would
 * be reported missing instead of the real cause.
 */
export function validate<Target extends keyof ValidationTargets, Schema extends ZodType>(
  target: Target,
  schema: Schema,
) {
  const validator = zValidator(target, schema, (result) => {
    if (!result.success) {
      const issue = result.error.issues[0];
      // A query or path parameter by its name ("genre", not "genre.0" for the first of several).
      const path = target === "json" ? issue?.path.join(".") : issue?.path[0]?.toString();
      const where = path || (target === "json" ? "body" : target);
      throw new ApiError("BAD_REQUEST", `${where}: ${issue?.message ?? "invalid"}`);
    }
  });
  if (target !== "json") return validator;
  return createMiddleware(async (c, next) => {
    const type = c.req.header("content-type") ?? "";
    if (!/^application\/(?:[\w.+-]+\+)?json\b/i.test(type))
      throw new ApiError(
        "BAD_REQUEST",
        "body: must be JSON, sent with Content-Type: application/json",
      );
    return validator(c, next);
  }) as unknown as typeof validator;
}

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
