import type { z } from "zod";
import { buildEmbeddingText, contentHash } from "../../../core/catalog-text.ts";
import type { NewMovie } from "../../../core/db/schema.ts";
import { titleKey } from "../../../core/normalize.ts";
import { parseMovieLensTitle } from "../../../core/titles.ts";
import { type CsvRow, csvRows, fileLabel, type RowProblem, readCsv } from "./csv.ts";
import {
  checkSources,
  ImdbRow,
  LinkRow,
  MovieRow,
  type Sources,
  TagRow,
  TmdbRow,
} from "./sources.ts";

/** Most-used tags kept per movie (the embedding text takes fewer, see TAGS_IN_TEXT). */
const MAX_TAGS = 20;
const NO_GENRES = "(no genres listed)";

interface ImdbPeople {
  director: string | null;
  cast: string[];
}

/**
 * What the enrichment files add to a MovieLens film, held in memory (each has
 * at most one row per film): TMDB overviews and popularity through links.csv
 * tmdbId, IMDb director and stars through normalised title + release year
 * (its export has no id), and user tags.
 */
export interface Enrichment {
  links: Map<number, z.infer<typeof LinkRow>>;
  tmdb: Map<number, z.infer<typeof TmdbRow>>;
  imdb: ImdbIndex;
  /** Raw tag rows, aggregated per film once movies.csv says which films exist (catalogMovies). */
  tagRows: CsvRow<z.infer<typeof TagRow>>[];
  /** Users who only tagged still get a row. */
  taggingUsers: number[];
}

export async function readEnrichment(
  sources: Sources,
  problems: RowProblem[],
): Promise<Enrichment> {
  const rows = async <S extends z.ZodType>(file: string | null, schema: S) =>
    file ? readCsv(file, schema, problems) : [];
  const links = await rows(sources.links, LinkRow);
  const tmdb = await rows(sources.tmdb, TmdbRow);
  const imdb = await rows(sources.imdb, ImdbRow);
  const tagRows = await rows(sources.tags, TagRow);
  return {
    links: new Map(links.map(({ value }) => [value.movieId, value])),
    tmdb: new Map(tmdb.map(({ value }) => [value.id, value])),
    imdb: indexImdb(imdb.map(({ value }) => value)),
    tagRows,
    taggingUsers: [...new Set(tagRows.map(({ value }) => value.userId))],
  };
}

/**
 * Streams movies.csv as rows ready to load, joined with the enrichment. A
 * second row with an id already seen is a problem, not a film.
 */
export async function* catalogMovies(
  sources: Sources,
  enrichment: Enrichment,
  problems: RowProblem[],
): AsyncGenerator<NewMovie> {
  const parsed: z.infer<typeof MovieRow>[] = [];
  const seen = new Set<number>();
  for await (const { line, value } of csvRows(sources.movies, MovieRow, problems)) {
    if (seen.has(value.movieId)) {
      problems.push({
        file: fileLabel(sources.movies),
        line,
        message: `duplicate movieId ${value.movieId}`,
      });
      continue;
    }
    seen.add(value.movieId);
    parsed.push(value);
  }
  // Tags name films by id: which ids exist is known only once movies.csv is read.
  const tags = aggregateTags(enrichment.tagRows, seen, problems, sources.tags ?? "");
  for (const row of parsed) yield await catalogMovie(row, enrichment, tags.get(row.movieId) ?? []);
}

async function catalogMovie(
  row: z.infer<typeof MovieRow>,
  enrichment: Enrichment,
  tags: string[],
): Promise<NewMovie> {
  const { title, year, alternateTitles } = parseMovieLensTitle(row.title);
  const genres = row.genres === NO_GENRES ? [] : row.genres.split("|").filter(Boolean);
  const link = enrichment.links.get(row.movieId);
  const tmdbRow = link?.tmdbId != null ? enrichment.tmdb.get(link.tmdbId) : undefined;
  const people = findImdbPeople(enrichment.imdb, [title, ...alternateTitles], year);
  const movie = {
    title,
    year,
    genres,
    overview: tmdbRow?.overview ?? null,
    director: people?.director ?? null,
    topCast: people?.cast ?? [],
    tags,
  };
  return {
    id: row.movieId,
    ...movie,
    alternateTitles,
    tmdbId: link?.tmdbId ?? null,
    imdbId: link?.imdbId ?? null,
    popularity: tmdbRow?.popularity ?? null,
    contentHash: await contentHash(buildEmbeddingText(movie)),
  };
}

/** Per movie: distinct lower-cased tags, most used first, then alphabetical. */
function aggregateTags(
  rows: CsvRow<z.infer<typeof TagRow>>[],
  movieIds: Set<number>,
  problems: RowProblem[],
  file: string,
) {
  const counts = new Map<number, Map<string, number>>();
  for (const { line, value } of rows) {
    if (!movieIds.has(value.movieId)) {
      problems.push({
        file: fileLabel(file),
        line,
        message: `unknown movieId ${value.movieId}`,
      });
      continue;
    }
    const tag = value.tag.toLowerCase().replace(/\s+/g, " ");
    const perMovie = counts.get(value.movieId) ?? new Map<string, number>();
    perMovie.set(tag, (perMovie.get(tag) ?? 0) + 1);
    counts.set(value.movieId, perMovie);
  }
  const result = new Map<number, string[]>();
  for (const [movieId, perMovie] of counts) {
    const ordered = [...perMovie].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
    result.set(
      movieId,
      ordered.slice(0, MAX_TAGS).map(([tag]) => tag),
    );
  }
  return result;
}

type ImdbIndex = Map<string, ImdbPeople>;

function indexImdb(
  rows: {
    Series_Title: string;
    Released_Year: number | null;
    Director: string | null;
    Star1: string | null;
    Star2: string | null;
    Star3: string | null;
    Star4: string | null;
  }[],
): ImdbIndex {
  const index: ImdbIndex = new Map();
  for (const row of rows) {
    if (row.Released_Year === null) continue;
    const cast = [row.Star1, row.Star2, row.Star3, row.Star4].filter((s): s is string => !!s);
    index.set(`${titleKey(row.Series_Title)}|${row.Released_Year}`, {
      director: row.Director,
      cast,
    });
  }
  return index;
}

/** Exact year first; a one-year difference (festival vs. release year) as a fallback. */
function findImdbPeople(
  index: ImdbIndex,
  titles: string[],
  year: number | null,
): ImdbPeople | undefined {
  if (year === null) return undefined;
  for (const delta of [0, -1, 1]) {
    for (const title of titles) {
      const hit = index.get(`${titleKey(title)}|${year + delta}`);
      if (hit) return hit;
    }
  }
  return undefined;
}

/** Every film of a data folder in memory, with the problems found: for tools and tests on small catalogs. */
export async function readCatalogMovies(
  dataDir: string,
): Promise<{ movies: NewMovie[]; problems: RowProblem[] }> {
  const sources = checkSources(dataDir);
  const problems: RowProblem[] = [];
  const enrichment = await readEnrichment(sources, problems);
  const movies: NewMovie[] = [];
  for await (const movie of catalogMovies(sources, enrichment, problems)) movies.push(movie);
  return { movies, problems };
}
