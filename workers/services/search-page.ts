import { z } from "zod";
import { type MatchSource, RRF_K } from "./fusion.ts";
import type { MovieSummary } from "./movie-summary.ts";
import type { SearchFilters } from "./query-filters.ts";

/** Anything with node-postgres' query(): the Neon driver's Pool in the Worker, pg's in Node. */
export interface Queryable {
  query(text: string, params: unknown[]): Promise<{ rows: unknown[] }>;
}

/** Queries longer than this skip the title lookup. */
const MAX_TITLE_WORDS = 8;

/** Trigram similarity above which a title counts as the one asked for. */
const NEAR_EXACT_TITLE = 0.8;

/** Title hits taken into fusion (full-text and vector hits: `candidates`). */
const TITLE_CANDIDATES = 10;

/** A filter's SQL parameters: genres (all required), first year, last year; null = unset. */
function filterParams(f: SearchFilters) {
  return [f.genres.length ? f.genres : null, f.yearFrom ?? null, f.yearTo ?? null];
}

export interface PageRequest {
  query: string;
  /** Filters on full-text and vector hits: explicit ones and those read from the query. */
  filters: SearchFilters;
  /**
   * The explicit filters alone: what holds instead of `filters` when the query
   * names a film that `filters` would exclude (a title, not a request).
   */
  explicitFilters: SearchFilters;
  /** Vector hits, nearest first (Chroma's ids); empty when the vector side failed. */
  dense: number[];
  /** True when `dense` holds only movies that pass `filters` (an unfiltered query, or Chroma searched within them). */
  denseFiltered: boolean;
  /** Hits taken from each of full-text and vector retrieval before fusion. */
  candidates: number;
  offset: number;
  limit: number;
}

const PageRow = z.object({
  movie_id: z.number(),
  title: z.string(),
  year: z.number().nullable(),
  genres: z.array(z.string()),
  overview: z.string().nullable(),
  score: z.number(),
  by_title: z.boolean(),
  by_text: z.boolean(),
  by_vector: z.boolean(),
  highlight: z.string().nullable(),
});

export interface SearchPage {
  /** The page, best first: each movie with its fused score and how it was found. */
  movies: (MovieSummary & {
    score: number;
    matchedBy: MatchSource[];
    highlight: string | null;
  })[];
  /** Movies in the fused list: more pages exist when it is past offset + limit. */
  total: number;
  /** Vector hits that passed `filters` (all of them when `denseFiltered`). */
  denseSurvivors: number;
  /**
   * True when the query names a film that the filters read from it would
   * exclude ("All Quiet on the Western Front"): the words are a title, so only
   * `explicitFilters` (the explicit ones) were applied.
   */
  filtersDropped: boolean;
}

const Counts = z.object({
  total: z.number(),
  dense_survivors: z.number(),
  filters_dropped: z.boolean(),
});

/**
 * A search's Postgres side in one round trip: full-text hits over the stored
 * document; trigram title hits ("godfahter" -> The Godfather); the vector
 * hits; every list under the same filters, unless the query names a film its
 * inferred filters would exclude, when only the explicit ones hold
 * (`filtersDropped`); reciprocal-rank fusion of the three lists (ties by
 * movie id, so paging is stable), a near-exact title first; and the page's
 * display fields, with a highlighted overview fragment where the text matched
 * (ts_headline re-parses an overview, so only the page's get one).
 *
 * One query rather than retrieval, then fusion here, then the page's details:
 * each round trip costs the Worker, Neon's proxy and Postgres more CPU than
 * the fusion does. And a function (marquee_search_page, migrations/0005), so
 * that Postgres plans it once per connection, not on every search
 * (docs/benchmarks.md).
 */
export async function searchPage(pool: Queryable, request: PageRequest): Promise<SearchPage> {
  const { query, filters, explicitFilters, dense, denseFiltered, candidates } = request;
  const { rows } = await pool.query(
    "select * from marquee_search_page($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
    [
      query,
      ...filterParams(filters),
      ...filterParams(explicitFilters),
      candidates,
      TITLE_CANDIDATES,
      // A long description is no title: its trigrams only cost time.
      query.trim().split(/\s+/).length <= MAX_TITLE_WORDS,
      dense,
      denseFiltered,
      RRF_K,
      NEAR_EXACT_TITLE,
      request.offset,
      request.limit,
    ],
  );
  const counts = Counts.parse(rows[0]);
  return {
    total: counts.total,
    denseSurvivors: counts.dense_survivors,
    filtersDropped: counts.filters_dropped,
    // An empty page is one row of counts with no movie.
    movies: rows
      .filter((row) => (row as { movie_id: unknown }).movie_id !== null)
      .map((row) => {
        const { movie_id, by_title, by_text, by_vector, ...movie } = PageRow.parse(row);
        const matchedBy: MatchSource[] = [];
        if (by_title) matchedBy.push("title");
        if (by_text) matchedBy.push("text");
        if (by_vector) matchedBy.push("vector");
        return { movieId: movie_id, ...movie, matchedBy };
      }),
  };
}

/** Every movie that passes `filters`, or null when more than `max` do (see filtered-dense.ts). */
export async function allMoviesMatching(
  pool: Queryable,
  filters: SearchFilters,
  max: number,
): Promise<number[] | null> {
  const { rows } = await pool.query(
    `select m.id from movies m
      where marquee_passes_filter(m.genres, m.year, $1, $2, $3)
      order by m.id limit $4`,
    [...filterParams(filters), max + 1],
  );
  return rows.length > max ? null : (rows as { id: number }[]).map((r) => Number(r.id));
}
