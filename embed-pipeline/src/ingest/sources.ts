import { existsSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { checkHeader, InputFileError } from "./csv.ts";

const id = z.string().trim().regex(/^\d+$/, "expected a positive integer").transform(Number);
const optionalId = z
  .string()
  .trim()
  .transform((s) => (s === "" ? null : s))
  .pipe(z.string().regex(/^\d+$/, "expected an integer or nothing").transform(Number).nullable());
const text = z.string().trim();
const optionalText = text.transform((s) => (s === "" ? null : s));

export const MovieRow = z.object({ movieId: id, title: text.min(1), genres: text });
export const RatingRow = z.object({
  userId: id,
  movieId: id,
  rating: z
    .string()
    .trim()
    .transform(Number)
    .refine(
      (r) => r >= 0.5 && r <= 5 && Number.isInteger(r * 2),
      "rating must be 0.5-5.0 in halves",
    ),
  timestamp: id,
});
export const TagRow = z.object({ userId: id, movieId: id, tag: text.min(1), timestamp: id });
export const LinkRow = z.object({
  movieId: id,
  imdbId: z
    .string()
    .trim()
    .regex(/^\d*$/, "imdbId must be digits")
    .transform((s) => (s === "" ? null : `tt${s.padStart(7, "0")}`)),
  tmdbId: optionalId,
});
export const TmdbRow = z.object({
  id,
  title: text,
  overview: optionalText,
  popularity: z
    .string()
    .trim()
    .transform((s) => (s === "" ? null : Number(s)))
    .pipe(z.number().finite().nullable()),
});
export const ImdbRow = z.object({
  Series_Title: text.min(1),
  // One row of the public export has "PG" here; such rows cannot join on year.
  Released_Year: z
    .string()
    .trim()
    .transform((s) => (/^\d{4}$/.test(s) ? Number(s) : null)),
  Director: optionalText,
  Star1: optionalText,
  Star2: optionalText,
  Star3: optionalText,
  Star4: optionalText,
});

/** Where each input lives inside a data folder laid out like ../shared/data. */
export const SOURCE_FILES = {
  movies: "movielens-small/movies.csv",
  ratings: "movielens-small/ratings.csv",
  tags: "movielens-small/tags.csv",
  links: "movielens-small/links.csv",
  tmdb: "tmdb-top10k/top10K-TMDB-movies.csv",
  imdb: "imdb-top1000/imdb_top_1000.csv",
} as const;

const REQUIRED_COLUMNS = {
  movies: ["movieId", "title", "genres"],
  ratings: ["userId", "movieId", "rating", "timestamp"],
  tags: ["userId", "movieId", "tag", "timestamp"],
  links: ["movieId", "imdbId", "tmdbId"],
  tmdb: ["id", "title", "overview", "popularity"],
  imdb: ["Series_Title", "Released_Year", "Director", "Star1"],
} as const satisfies Record<keyof typeof SOURCE_FILES, readonly string[]>;

/** The input files of a data folder; null for an optional enrichment that is absent. */
export interface Sources {
  movies: string;
  ratings: string;
  tags: string | null;
  links: string | null;
  tmdb: string | null;
  imdb: string | null;
}

/**
 * Finds and checks every input of a data folder before anything is read or
 * written: movies.csv and ratings.csv are required (their absence throws),
 * the rest are optional enrichments, absent when their file is; each present
 * file's header must have the columns the run reads.
 */
export function checkSources(dataDir: string): Sources {
  if (!existsSync(dataDir)) throw new InputFileError(`data folder not found: ${dataDir}`);
  const file = (key: keyof typeof SOURCE_FILES) => path.join(dataDir, SOURCE_FILES[key]);
  const required = (key: "movies" | "ratings") => {
    checkHeader(file(key), REQUIRED_COLUMNS[key]);
    return file(key);
  };
  const optional = (key: "tags" | "links" | "tmdb" | "imdb") => {
    if (!existsSync(file(key))) return null;
    checkHeader(file(key), REQUIRED_COLUMNS[key]);
    return file(key);
  };
  return {
    movies: required("movies"),
    ratings: required("ratings"),
    tags: optional("tags"),
    links: optional("links"),
    tmdb: optional("tmdb"),
    imdb: optional("imdb"),
  };
}
