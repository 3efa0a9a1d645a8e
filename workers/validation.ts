import { zValidator } from "@hono/zod-validator";
import type { ValidationTargets } from "hono";
import { type ZodType, z } from "zod";
import { ApiError } from "./errors.ts";

/**
 * zValidator that turns the first issue into a 400 naming the parameter, in
 * the API's one error body.
 */
export function validate<Target extends keyof ValidationTargets, Schema extends ZodType>(
  target: Target,
  schema: Schema,
) {
  return zValidator(target, schema, (result) => {
    if (!result.success) {
      const issue = result.error.issues[0];
      const where = issue?.path.join(".") || (target === "json" ? "body" : target);
      throw new ApiError("BAD_REQUEST", `${where}: ${issue?.message ?? "invalid"}`);
    }
  });
}

/** A positive integer path parameter such as :movieId. */
export const MovieIdParam = z.object({
  movieId: z.coerce
    .number({ error: "movieId must be a number" })
    .int("movieId must be an integer")
    .positive("movieId must be positive"),
});
