import type { QueryScope, VectorHit } from "../../core/vector/movies-collection.ts";
import { ApiError } from "../errors.ts";
import { nearestWithin, OVERFETCH, overfetchMissed } from "./filtered-dense.ts";
import { type MatchSource, rrfScore } from "./fusion.ts";
import type { MovieSummary } from "./movie-summary.ts";
import {
  type AppliedFilter,
  chromaWhere,
  hasFilters,
  inferFilters,
  mergeFilters,
  passesFilters,
  type SearchFilters,
} from "./query-filters.ts";
import type { PageRequest, SearchPage } from "./search-page.ts";

/** Candidates taken from each retriever before fusion. */
export const CANDIDATES = 50;

/**
 * Nearest neighbours always exist, even for "zzzzqqqxxx": below this cosine a
 * vector hit is noise, not a match (gibberish tops out at 0.26-0.32 on this
 * catalog, real queries' first hits at 0.4-0.7; docs/benchmarks.md).
 */
export const MIN_DENSE_SIMILARITY = 0.33;

/** A movie found by vector similarity. */
export type DenseHit = VectorHit;

/** The hits close enough to count as matches. */
const aboveFloor = (hits: DenseHit[]) => hits.filter((h) => h.similarity >= MIN_DENSE_SIMILARITY);

/** Display fields from the vector store alone: what a page shows when Postgres is down. */
export type VectorDetails = Pick<MovieSummary, "title" | "year" | "genres">;

export interface SearchInput {
  q: string;
  limit: number;
  offset: number;
  genres: string[];
  yearFrom?: number | undefined;
  yearTo?: number | undefined;
}

export interface SearchResult extends MovieSummary {
  score: number;
  matchedBy: MatchSource[];
  highlight: string | null;
}

export interface SearchOutput {
  results: SearchResult[];
  filters: { applied: AppliedFilter[]; effective: SearchFilters };
  degraded: ("vector" | "text" | "rerank")[];
  hasMore: boolean;
  /** True when Claude reordered this page. */
  reranked: boolean;
}

/** What hybrid search needs from the outside world; the Worker and the evaluation supply their own. */
export interface Retrievers {
  /** Embeds the query and returns its `limit` nearest movies, anywhere or within `scope` (Chroma). */
  nearest(query: string, limit: number, scope?: QueryScope): Promise<DenseHit[]>;
  /** Text and title retrieval, fusion with the vector hits and the page's display fields: one Postgres query. */
  page(request: PageRequest): Promise<SearchPage>;
  /** Every movie that passes `filters`, or null when more than `max` do (Postgres). */
  allMatching(filters: SearchFilters, max: number): Promise<number[] | null>;
  /** Title, year and genres from the vectors' metadata: the page when Postgres failed. */
  vectorDetails(ids: number[]): Promise<Map<number, VectorDetails>>;
}

/** Runs `run`, recording its duration in `timings[name]`. */
export async function timed<T>(
  timings: Record<string, number>,
  name: string,
  run: () => Promise<T>,
): Promise<T> {
  const started = Date.now();
  try {
    return await run();
  } finally {
    timings[name] = Date.now() - started;
  }
}

/**
 * Hybrid search: the query's nearest movies from Chroma, then one Postgres
 * query that retrieves by text and title, fuses the three lists by
 * reciprocal rank with a near-exact title pinned first, and returns the page
 * (search-page.ts). Either store may fail; the response then says which
 * (`degraded`), and only both failing is an error.
 */
export async function hybridSearch(
  input: SearchInput,
  retrievers: Retrievers,
  timings: Record<string, number> = {},
): Promise<SearchOutput> {
  let applied = inferFilters(input.q);
  const explicit = { genres: input.genres, yearFrom: input.yearFrom, yearTo: input.yearTo };
  let filters = mergeFilters(explicit, applied);
  const filtered = hasFilters(filters);
  const degraded: SearchOutput["degraded"] = [];
  // Every path ends here, so no retrieval path can hand back a row the filters exclude.
  const output = (results: SearchResult[], hasMore: boolean): SearchOutput => ({
    results: withinFilters(results, filters),
    filters: { applied, effective: filters },
    degraded,
    hasMore,
    reranked: false,
  });

  // A filtered query over-fetches unfiltered; Postgres keeps the hits that pass (filtered-dense.ts).
  let dense: DenseHit[] | undefined;
  try {
    dense = await timed(timings, "vector", () =>
      retrievers.nearest(input.q, filtered ? OVERFETCH : CANDIDATES),
    );
  } catch (error) {
    degraded.push("vector");
    console.warn(JSON.stringify({ degraded: "vector", error: String(error) }));
  }

  const request = (hits: DenseHit[], denseFiltered: boolean): PageRequest => ({
    query: input.q,
    filters,
    explicitFilters: explicit,
    dense: aboveFloor(hits).map((h) => h.movieId),
    denseFiltered,
    candidates: CANDIDATES,
    offset: input.offset,
    limit: input.limit,
  });
  let page: SearchPage;
  try {
    page = await timed(timings, "lexical", () => retrievers.page(request(dense ?? [], !filtered)));
  } catch (error) {
    degraded.push("text");
    console.warn(JSON.stringify({ degraded: "text", error: String(error) }));
    const bothDown = (cause: unknown) =>
      new ApiError("UNAVAILABLE", "search is unavailable: neither Chroma nor Postgres answered", {
        cause,
      });
    if (!dense) throw bothDown(error);
    try {
      const { results, hasMore } = await denseOnly(
        input,
        dense,
        filtered ? filters : undefined,
        retrievers,
        timings,
      );
      return output(results, hasMore);
    } catch (cause) {
      throw bothDown(cause);
    }
  }

  if (page.filtersDropped) {
    // The query is the title of a film its own words would filter out: no chips, no filters.
    applied = [];
    filters = mergeFilters(explicit, []);
  } else if (dense && filtered && overfetchMissed(dense.length, page.denseSurvivors)) {
    // A narrow filter the query's neighbourhood barely touches: search among the movies that pass it.
    try {
      const within = await timed(timings, "narrow", () =>
        nearestWithin(retrievers, input.q, filters, CANDIDATES),
      );
      page = await retrievers.page(request(within, true));
    } catch (error) {
      // The page already fused holds the few hits that passed.
      degraded.push("vector");
      console.warn(JSON.stringify({ degraded: "vector", during: "narrow", error: String(error) }));
    }
  }

  return output(
    page.movies.map(({ score, matchedBy, highlight, ...movie }) => ({
      ...movie,
      score: Number(score.toFixed(6)),
      matchedBy,
      highlight,
    })),
    page.total > input.offset + input.limit,
  );
}

/**
 * The results that pass `filters`. Each store already applies them; this is
 * the one check every page passes through, and a row it drops is a bug
 * upstream, so it says so in the log.
 */
function withinFilters(results: SearchResult[], filters: SearchFilters): SearchResult[] {
  const kept = results.filter((r) => passesFilters(r, filters));
  if (kept.length < results.length) {
    const dropped = results.filter((r) => !kept.includes(r)).map((r) => r.movieId);
    console.error(JSON.stringify({ error: "results outside the filters", dropped, filters }));
  }
  return kept;
}

/**
 * Postgres failed: the vector hits alone, within the filters by Chroma's own
 * metadata filter, described by their vectors' metadata (no overviews).
 */
async function denseOnly(
  input: SearchInput,
  unfiltered: DenseHit[],
  filters: SearchFilters | undefined,
  retrievers: Retrievers,
  timings: Record<string, number>,
): Promise<{ results: SearchResult[]; hasMore: boolean }> {
  const nearest = filters
    ? await timed(timings, "vector", () =>
        retrievers.nearest(input.q, CANDIDATES, { where: chromaWhere(filters) }),
      )
    : unfiltered;
  // Both ways asked Chroma for at most CANDIDATES.
  const hits = aboveFloor(nearest);
  const page = hits.slice(input.offset, input.offset + input.limit);
  const details = await timed(timings, "hydrate", () =>
    retrievers.vectorDetails(page.map((h) => h.movieId)),
  );
  // A movie Chroma could not describe is left out rather than shown untitled.
  const results = page.flatMap((hit, i): SearchResult[] => {
    const movie = details.get(hit.movieId);
    if (!movie) return [];
    const matchedBy: MatchSource[] = ["vector"];
    return [
      {
        movieId: hit.movieId,
        ...movie,
        overview: null,
        score: Number(rrfScore(input.offset + i).toFixed(6)),
        matchedBy,
        highlight: null,
      },
    ];
  });
  return { results, hasMore: hits.length > input.offset + input.limit };
}
