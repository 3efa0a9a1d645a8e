import { createRoute } from "@hono/zod-openapi";
import { eq } from "drizzle-orm";
import { movies } from "../../core/db/schema.ts";
import { ApiError } from "../errors.ts";
import { withDatabase } from "../middleware/database.ts";
import { errors, json } from "../openapi.ts";
import { Movie } from "../schemas.ts";
import { movieSummaryColumns } from "../services/movie-summary.ts";
import { apiRoutes, MovieIdParam } from "../validation.ts";

const movieRoute = createRoute({
  method: "get",
  path: "/{movieId}",
  tags: ["movies"],
  summary: "One movie's catalog facts",
  middleware: [withDatabase()] as const,
  request: { params: MovieIdParam },
  responses: {
    200: json(Movie, "The movie; cached for 5 minutes."),
    ...errors("BAD_REQUEST", "NOT_FOUND"),
  },
});

/** One movie's page: public catalog facts, no user data. */
export const moviesRoutes = apiRoutes().openapi(movieRoute, async (c) => {
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
  return c.json(movie, 200);
});
