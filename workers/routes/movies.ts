import { eq } from "drizzle-orm";
import { Hono } from "hono";
import { movies } from "../../core/db/schema.ts";
import type { AppEnv } from "../context.ts";
import { ApiError } from "../errors.ts";
import { withDatabase } from "../middleware/database.ts";
import { movieSummaryColumns } from "../services/movie-summary.ts";
import { MovieIdParam, validate } from "../validation.ts";

/** One movie's page: public catalog facts, no user data. */
export const moviesRoutes = new Hono<AppEnv>().get(
  "/:movieId",
  withDatabase(),
  validate("param", MovieIdParam),
  async (c) => {
    const { movieId } = c.req.valid("param");
    const [movie] = await c
      .get("db")
      .select({
        ...movieSummaryColumns,
        director: movies.director,
        topCast: movies.topCast,
        tags: movies.tags,
        tmdbId: movies.tmdbId,
        imdbId: movies.imdbId,
      })
      .from(movies)
      .where(eq(movies.id, movieId));
    if (!movie) throw new ApiError("NOT_FOUND", `movie ${movieId} does not exist`);
    // Catalog facts change only with an ingest.
    c.header("Cache-Control", "public, max-age=300");
    return c.json(movie);
  },
);
