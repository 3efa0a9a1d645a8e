import { buildEmbeddingText, contentHash } from "../../../core/catalog-text.ts";
import type { NewMovie, NewRating } from "../../../core/db/schema.ts";
import { titleKey } from "../../../core/normalize.ts";
import { parseMovieLensTitle } from "../../../core/titles.ts";
import type { RowProblem } from "./csv.ts";
import type { Sources } from "./sources.ts";

/** Most-used tags kept per movie (the embedding text takes fewer, see TAGS_IN_TEXT). */
const MAX_TAGS = 20;
const NO_GENRES = "(no genres listed)";

export interface Catalog {
  movies: NewMovie[];
  userIds: number[];
  ratings: NewRating[];
  problems: RowProblem[];
}

interface ImdbPeople {
  director: string | null;
  cast: string[];
}

/**
 * Joins the sources into rows ready to load: MovieLens is the spine, TMDB adds
 * overviews and popularity through links.csv tmdbId, IMDb adds director and
 * stars through normalised title + release year (its export has no id).
 */
export async function buildCatalog(sources: Sources): Promise<Catalog> {
  const problems: RowProblem[] = [
    ...sources.movies.problems,
    ...sources.ratings.problems,
    ...(sources.tags?.problems ?? []),
    ...(sources.links?.problems ?? []),
    ...(sources.tmdb?.problems ?? []),
    ...(sources.imdb?.problems ?? []),
  ];

  const links = new Map(sources.links?.rows.map(({ value }) => [value.movieId, value]) ?? []);
  const tmdb = new Map(sources.tmdb?.rows.map(({ value }) => [value.id, value]) ?? []);
  const imdb = indexImdb(sources.imdb?.rows.map(({ value }) => value) ?? []);

  const seen = new Set<number>();
  const parsed = [];
  for (const { line, value } of sources.movies.rows) {
    if (seen.has(value.movieId)) {
      problems.push({
        file: "movielens-small/movies.csv",
        line,
        message: `duplicate movieId ${value.movieId}`,
      });
      continue;
    }
    seen.add(value.movieId);
    parsed.push(value);
  }
  const tags = aggregateTags(sources, seen, problems);

  const movies: NewMovie[] = [];
  for (const row of parsed) {
    const { title, year, alternateTitles } = parseMovieLensTitle(row.title);
    const genres = row.genres === NO_GENRES ? [] : row.genres.split("|").filter(Boolean);
    const link = links.get(row.movieId);
    const tmdbRow = link?.tmdbId != null ? tmdb.get(link.tmdbId) : undefined;
    const people = findImdbPeople(imdb, [title, ...alternateTitles], year);
    const movie = {
      title,
      year,
      genres,
      overview: tmdbRow?.overview ?? null,
      director: people?.director ?? null,
      topCast: people?.cast ?? [],
      tags: tags.get(row.movieId) ?? [],
    };
    movies.push({
      id: row.movieId,
      ...movie,
      alternateTitles,
      tmdbId: link?.tmdbId ?? null,
      imdbId: link?.imdbId ?? null,
      popularity: tmdbRow?.popularity ?? null,
      contentHash: await contentHash(buildEmbeddingText(movie)),
    });
  }

  const ratings: NewRating[] = [];
  const ratingKeys = new Set<string>();
  const userIds = new Set<number>();
  for (const { line, value } of sources.ratings.rows) {
    const file = "movielens-small/ratings.csv";
    if (!seen.has(value.movieId)) {
      problems.push({ file, line, message: `unknown movieId ${value.movieId}` });
      continue;
    }
    const key = `${value.userId}:${value.movieId}`;
    if (ratingKeys.has(key)) {
      problems.push({
        file,
        line,
        message: `second rating of movie ${value.movieId} by user ${value.userId}`,
      });
      continue;
    }
    ratingKeys.add(key);
    userIds.add(value.userId);
    ratings.push({
      userId: value.userId,
      movieId: value.movieId,
      rating: value.rating,
      ratedAt: new Date(value.timestamp * 1000),
    });
  }
  for (const { value } of sources.tags?.rows ?? []) userIds.add(value.userId);

  return { movies, userIds: [...userIds].sort((a, b) => a - b), ratings, problems };
}

/** Per movie: distinct lower-cased tags, most used first, then alphabetical. */
function aggregateTags(sources: Sources, movieIds: Set<number>, problems: RowProblem[]) {
  const counts = new Map<number, Map<string, number>>();
  for (const { line, value } of sources.tags?.rows ?? []) {
    if (!movieIds.has(value.movieId)) {
      problems.push({
        file: "movielens-small/tags.csv",
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
