import { $, createRoute } from "@hono/zod-openapi";
import { z } from "zod";
import { ApiError } from "../errors.ts";
import { requireUser } from "../middleware/auth.ts";
import { withDatabase } from "../middleware/database.ts";
import { errors, json, jsonRequest, userAuth } from "../openapi.ts";
import { Rating, RatingDeleted, RatingsPage, RatingWritten } from "../schemas.ts";
import { deleteRating, getRating, listRatings, putRating } from "../services/ratings.ts";
import { apiRoutes, jsonBody, MAX_ID, MovieIdParam, wholeNumber } from "../validation.ts";

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

const common = { tags: ["ratings"], security: userAuth };

const listRoute = createRoute({
  ...common,
  method: "get",
  path: "/",
  summary: "Your ratings, newest first",
  request: { query: ListQuery },
  responses: {
    200: json(RatingsPage, "A page of ratings, the total and the ratings version."),
    ...errors("BAD_REQUEST", "UNAUTHORIZED"),
  },
});

const getRoute = createRoute({
  ...common,
  method: "get",
  path: "/{movieId}",
  summary: "Your rating of one movie",
  request: { params: MovieIdParam },
  responses: {
    200: json(Rating, "The rating."),
    ...errors("BAD_REQUEST", "UNAUTHORIZED", "NOT_FOUND"),
  },
});

const putRoute = createRoute({
  ...common,
  method: "put",
  path: "/{movieId}",
  summary: "Rate a movie (0.5 to 5 in half stars), or change your rating",
  middleware: jsonBody(),
  request: {
    params: MovieIdParam,
    body: jsonRequest(RatingBody),
  },
  responses: {
    200: json(RatingWritten, "Stored; a changed rating bumps the ratings version."),
    ...errors("BAD_REQUEST", "UNAUTHORIZED", "NOT_FOUND"),
  },
});

const deleteRoute = createRoute({
  ...common,
  method: "delete",
  path: "/{movieId}",
  summary: "Remove your rating of a movie",
  request: { params: MovieIdParam },
  responses: {
    200: json(RatingDeleted, "Removed."),
    ...errors("BAD_REQUEST", "UNAUTHORIZED", "NOT_FOUND"),
  },
});

/** The signed-in user's own ratings; the user comes only from the token. */
export const ratingsRoutes = $(apiRoutes().use(requireUser(), withDatabase()))
  .openapi(listRoute, async (c) => {
    const { limit, offset } = c.req.valid("query");
    return c.json(await listRatings(c.get("db"), c.get("userId"), limit, offset), 200);
  })
  .openapi(getRoute, async (c) => {
    const { movieId } = c.req.valid("param");
    const rating = await getRating(c.get("db"), c.get("userId"), movieId);
    if (!rating) throw new ApiError("NOT_FOUND", `you have not rated movie ${movieId}`);
    return c.json(rating, 200);
  })
  .openapi(putRoute, async (c) => {
    const { movieId } = c.req.valid("param");
    const { rating } = c.req.valid("json");
    return c.json(await putRating(c.get("db"), c.get("userId"), movieId, rating), 200);
  })
  .openapi(deleteRoute, async (c) => {
    const { movieId } = c.req.valid("param");
    const ratingsVersion = await deleteRating(c.get("db"), c.get("userId"), movieId);
    return c.json({ movieId, deleted: true as const, ratingsVersion }, 200);
  });
