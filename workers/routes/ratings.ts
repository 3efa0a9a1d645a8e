import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../context.ts";
import { ApiError } from "../errors.ts";
import { requireUser } from "../middleware/auth.ts";
import { withDatabase } from "../middleware/database.ts";
import { deleteRating, getRating, listRatings, putRating } from "../services/ratings.ts";
import { MAX_ID, MovieIdParam, validate, wholeNumber } from "../validation.ts";

const ListQuery = z.object({
  limit: wholeNumber("limit", 1, 1_000).default(100),
  offset: wholeNumber("offset", 0, MAX_ID).default(0),
});

/** 0.5 to 5 in half stars, the MovieLens scale. */
export const RatingBody = z.object({
  rating: z
    .number({ error: "rating must be a number" })
    .min(0.5, "rating must be at least 0.5")
    .max(5, "rating must be at most 5")
    .refine((r) => Number.isInteger(r * 2), "rating must be in half stars (0.5, 1, ... 5)"),
});

/** The signed-in user's own ratings; the user comes only from the token. */
export const ratingsRoutes = new Hono<AppEnv>()
  .use(requireUser(), withDatabase())
  .get("/", validate("query", ListQuery), async (c) => {
    const { limit, offset } = c.req.valid("query");
    return c.json(await listRatings(c.get("db"), c.get("userId"), limit, offset));
  })
  .get("/:movieId", validate("param", MovieIdParam), async (c) => {
    const { movieId } = c.req.valid("param");
    const rating = await getRating(c.get("db"), c.get("userId"), movieId);
    if (!rating) throw new ApiError("NOT_FOUND", `you have not rated movie ${movieId}`);
    return c.json(rating);
  })
  .put("/:movieId", validate("param", MovieIdParam), validate("json", RatingBody), async (c) => {
    const { movieId } = c.req.valid("param");
    const { rating } = c.req.valid("json");
    return c.json(await putRating(c.get("db"), c.get("userId"), movieId, rating));
  })
  .delete("/:movieId", validate("param", MovieIdParam), async (c) => {
    const { movieId } = c.req.valid("param");
    const ratingsVersion = await deleteRating(c.get("db"), c.get("userId"), movieId);
    return c.json({ movieId, deleted: true, ratingsVersion });
  });
