import { movies } from "../../core/db/schema.ts";

/** What every list of movies shows: search results, recommendations, a movie's page. */
export interface MovieSummary {
  movieId: number;
  title: string;
  year: number | null;
  genres: string[];
  overview: string | null;
}

/** The drizzle selection of a MovieSummary. */
export const movieSummaryColumns = {
  movieId: movies.id,
  title: movies.title,
  year: movies.year,
  genres: movies.genres,
  overview: movies.overview,
};
