import type { VectorHit } from "../../core/vector/movies-collection.ts";
import { ApiError } from "../errors.ts";
import { type MatchSource, reciprocalRankFusion } from "./fusion.ts";
import type { LexicalHit, PageMovie } from "./lexical-search.ts";
import type { MovieSummary } from "./movie-summary.ts";
import {
  type AppliedFilter,
  inferFilters,
  mergeFilters,
  type SearchFilters,
} from "./query-filters.ts";

/** Candidates taken from each retriever before fusion. */
export const CANDIDATES = 50;

/** Trigram similarity above which a title counts as the one asked for. */
const NEAR_EXACT_TITLE = 0.8;

/**
 * Nearest neighbours always exist, even for "zzzzqqqxxx": below this cosine a
 * vector hit is noise, not a match (gibberish tops out at 0.26-0.32 on this
 * catalog, real queries' first hits at 0.4-0.7; docs/benchmarks.md).
 */
export const MIN_DENSE_SIMILARITY = 0.33;

/** A movie found by vector similarity. */
export type DenseHit = VectorHit;

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
  /** Embeds the query and returns its nearest movies. */
  dense(query: string, filters: SearchFilters): Promise<DenseHit[]>;
  /** Full-text hits under `filters` and title hits under `titleFilters`, one row per movie. */
  lexical(
    query: string,
    filters: SearchFilters,
    titleFilters: SearchFilters,
  ): Promise<LexicalHit[]>;
  /** The page's display fields (Postgres), highlighting where the query matched the text of `textMatched`. */
  details(ids: number[], query: string, textMatched: number[]): Promise<Map<number, PageMovie>>;
  /** The same from the vectors' metadata, without overviews: used when Postgres failed. */
  vectorDetails(ids: number[]): Promise<Map<number, VectorDetails>>;
}

type Hydrated = VectorDetails & { overview?: string | null; highlight?: string | null };

/** The page's movies, described by Postgres or else by Chroma. */
async function hydrate(
  page: { movieId: number; matchedBy: MatchSource[] }[],
  query: string,
  retrievers: Retrievers,
  postgresFailed: boolean,
): Promise<Map<number, Hydrated>> {
  if (page.length === 0) return new Map();
  const ids = page.map((p) => p.movieId);
  const textMatched = page.filter((p) => p.matchedBy.includes("text")).map((p) => p.movieId);
  const fromVectors = () => retrievers.vectorDetails(ids);
  const details: Promise<Map<number, Hydrated>> = postgresFailed
    ? fromVectors()
    : retrievers.details(ids, query, textMatched).catch((error: unknown) => {
        console.warn(JSON.stringify({ degraded: "text", during: "hydrate", error: String(error) }));
        return fromVectors();
      });
  return details.catch(() => new Map());
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
 * Hybrid search: dense and lexical retrieval in parallel, fused by
 * reciprocal rank, with a near-exact title match pinned first. Either side
 * may fail; the response then says which (`degraded`), and only both failing
 * is an error.
 */
export async function hybridSearch(
  input: SearchInput,
  retrievers: Retrievers,
  timings: Record<string, number> = {},
): Promise<SearchOutput> {
  const applied = inferFilters(input.q);
  const explicit = { genres: input.genres, yearFrom: input.yearFrom, yearTo: input.yearTo };
  const filters = mergeFilters(explicit, applied);
  const degraded: SearchOutput["degraded"] = [];
  // Title lookups ignore inferred filters: "Animal House" must not become a filter on Animation.
  const [denseResult, lexicalResult] = await Promise.allSettled([
    timed(timings, "vector", () => retrievers.dense(input.q, filters)),
    timed(timings, "lexical", () => retrievers.lexical(input.q, filters, explicit)),
  ]);
  let denseHits: DenseHit[] = [];
  let lexicalRows: LexicalHit[] = [];
  if (denseResult.status === "fulfilled")
    denseHits = denseResult.value.filter((h) => h.similarity >= MIN_DENSE_SIMILARITY);
  else {
    degraded.push("vector");
    console.warn(JSON.stringify({ degraded: "vector", error: String(denseResult.reason) }));
  }
  if (lexicalResult.status === "fulfilled") lexicalRows = lexicalResult.value;
  else {
    degraded.push("text");
    console.warn(JSON.stringify({ degraded: "text", error: String(lexicalResult.reason) }));
  }
  if (degraded.length === 2) {
    throw new ApiError(
      "UNAVAILABLE",
      "search is unavailable: neither Chroma nor Postgres answered",
    );
  }
  const titleRows = lexicalRows.filter((r) => r.titleSimilarity !== null);

  const similarity = (r: LexicalHit) => r.titleSimilarity ?? 0;
  const nearExact = titleRows
    .filter(
      (r) =>
        similarity(r) >= NEAR_EXACT_TITLE || r.title.toLowerCase() === input.q.trim().toLowerCase(),
    )
    .map((r) => r.movieId);
  const byScore = (score: (r: LexicalHit) => number) => (a: LexicalHit, b: LexicalHit) =>
    score(b) - score(a) || a.movieId - b.movieId;
  const fused = reciprocalRankFusion({
    title: [...titleRows].sort(byScore(similarity)).map((r) => r.movieId),
    text: lexicalRows
      .filter((r) => r.rank !== null)
      .sort(byScore((r) => r.rank ?? 0))
      .map((r) => r.movieId),
    vector: denseHits.map((h) => h.movieId),
  });
  // The movie the query names comes first, whatever the fusion says.
  fused.sort(
    (a, b) => Number(nearExact.includes(b.movieId)) - Number(nearExact.includes(a.movieId)),
  );

  const page = fused.slice(input.offset, input.offset + input.limit);
  const details = await timed(timings, "hydrate", () =>
    hydrate(page, input.q, retrievers, degraded.includes("text")),
  );

  // A movie neither store could describe is left out rather than shown untitled.
  const results = page.flatMap((p): SearchResult[] => {
    const movie = details.get(p.movieId);
    if (!movie) return [];
    return [
      {
        movieId: p.movieId,
        title: movie.title,
        year: movie.year,
        genres: movie.genres,
        overview: movie.overview ?? null,
        score: Number(p.score.toFixed(6)),
        matchedBy: p.matchedBy,
        highlight: movie.highlight ?? null,
      },
    ];
  });
  return {
    results,
    filters: { applied, effective: filters },
    degraded,
    hasMore: fused.length > input.offset + input.limit,
    reranked: false,
  };
}
