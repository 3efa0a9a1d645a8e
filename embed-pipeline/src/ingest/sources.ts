import { existsSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { type CsvRows, InputFileError, readCsv } from "./csv.ts";

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

export interface Sources {
  movies: CsvRows<z.infer<typeof MovieRow>>;
  ratings: CsvRows<z.infer<typeof RatingRow>>;
  tags: CsvRows<z.infer<typeof TagRow>> | null;
  links: CsvRows<z.infer<typeof LinkRow>> | null;
  tmdb: CsvRows<z.infer<typeof TmdbRow>> | null;
  imdb: CsvRows<z.infer<typeof ImdbRow>> | null;
}

/** Where each input lives inside a data folder laid out like ../shared/data. */
export const SOURCE_FILES = {
  movies: "movielens-small/movies.csv",
  ratings: "movielens-small/ratings.csv",
  tags: "movielens-small/tags.csv",
  links: "movielens-small/links.csv",
  tmdb: "tmdb-top10k/top10K-TMDB-movies.csv",
  imdb: "imdb-top1000/imdb_top_1000.csv",
} as const;

/**
 * Reads every input of a data folder. movies.csv and ratings.csv are required
 * (their absence throws before anything is written); the rest are optional
 * enrichments that are simply absent when their file is.
 */
export function readSources(dataDir: string): Sources {
  if (!existsSync(dataDir)) throw new InputFileError(`data folder not found: ${dataDir}`);
  const file = (key: keyof typeof SOURCE_FILES) => path.join(dataDir, SOURCE_FILES[key]);
  const optional = <T>(key: keyof typeof SOURCE_FILES, read: (f: string) => T): T | null =>
    existsSync(file(key)) ? read(file(key)) : null;
  return {
    movies: readCsv(file("movies"), MovieRow, ["movieId", "title", "genres"]),
    ratings: readCsv(file("ratings"), RatingRow, ["userId", "movieId", "rating", "timestamp"]),
    tags: optional("tags", (f) => readCsv(f, TagRow, ["userId", "movieId", "tag", "timestamp"])),
    links: optional("links", (f) => readCsv(f, LinkRow, ["movieId", "imdbId", "tmdbId"])),
    tmdb: optional("tmdb", (f) => readCsv(f, TmdbRow, ["id", "title", "overview", "popularity"])),
    imdb: optional("imdb", (f) =>
      readCsv(f, ImdbRow, ["Series_Title", "Released_Year", "Director", "Star1"]),
    ),
  };
}
