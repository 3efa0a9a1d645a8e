import type { z } from "zod";
import { movies } from "../../core/db/schema.ts";
import type { MovieSummary as MovieSummarySchema } from "../schemas.ts";

/** What every list of movies shows: search results, recommendations, a movie's page (schemas.ts). */
export type MovieSummary = z.infer<typeof MovieSummarySchema>;

/** The drizzle selection of a MovieSummary. */
export const movieSummaryColumns = {
  movieId: movies.id,
  title: movies.title,
  year: movies.year,
  genres: movies.genres,
  overview: movies.overview,
};
