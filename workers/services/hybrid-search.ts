import type { z } from "zod";
import { overviewPassages } from "../../core/catalog-text.ts";
import type { QueryScope } from "../../core/vector/movies-collection.ts";
import type { PassageHit } from "../../core/vector/passages.ts";
import { ApiError } from "../errors.ts";
import type { LikeReference as LikeReferenceSchema } from "../schemas.ts";
import { nearestWithin, OVERFETCH, overfetchMissed } from "./filtered-dense.ts";
import { type MatchSource, rrfScore } from "./fusion.ts";
import { type LikeQuery, parseLike } from "./like-query.ts";
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
import { rankingFor } from "./search-intent.ts";
import type { PageRequest, SearchPage } from "./search-page.ts";
import { timed } from "./timed.ts";

/** Candidates taken from each retriever before fusion. */
export const CANDIDATES = 50;

/**
 * Nearest neighbours always exist, even for "zzzzqqqxxx": below this cosine a
 * vector hit is noise, not a match (gibberish tops out at 0.26-0.32 on this
 * catalog, real queries' first hits at 0.4-0.7; docs/benchmarks.md).
 */
export const MIN_DENSE_SIMILARITY = 0.33;

/** A movie found by vector similarity, with the overview passage that matched best (if one did). */
export type DenseHit = PassageHit;

/** The film a "like" query was taken to mean, as the response names it (schemas.ts). */
export type LikeReference = z.infer<typeof LikeReferenceSchema>;

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
  filters: { applied: AppliedFilter[]; effective: SearchFilters; like: LikeReference | null };
  degraded: ("vector" | "text" | "rerank")[];
  hasMore: boolean;
  /** True when Claude reordered this page. */
  reranked: boolean;
}

/** What hybrid search needs from the outside world; the Worker and the evaluation supply their own. */
export interface Retrievers {
  /** Embeds the query and returns its `limit` nearest movies, anywhere or within `scope` (Chroma). */
  nearest(query: string, limit: number, scope?: QueryScope): Promise<DenseHit[]>;
  /**
   * The `limit` movies nearest to the reference film's vector, moved towards
   * `words` when there are any ("dark thriller" in "dark thriller like
   * Zodiac"); the reference itself may be among them (Chroma).
   */
  similar(reference: number, words: string, limit: number): Promise<DenseHit[]>;
  /**
   * The catalog film a typed title names, typo-tolerant, and how many of its
   * leading words named it ("toy story for my kids": 2), or null (Postgres).
   */
  resolveTitle(title: string): Promise<(Omit<LikeReference, "from"> & { words: number }) | null>;
  /** Text and title retrieval, fusion with the vector hits and the page's display fields: one Postgres query. */
  page(request: PageRequest): Promise<SearchPage>;
  /** Every movie that passes `filters`, or null when more than `max` do (Postgres). */
  allMatching(filters: SearchFilters, max: number): Promise<number[] | null>;
  /** Title, year and genres from the vectors' metadata: the page when Postgres failed. */
  vectorDetails(ids: number[]): Promise<Map<number, VectorDetails>>;
}

/**
 * Hybrid search: the query's nearest movies from Chroma (passage vectors,
 * core/vector/passages.ts), then one Postgres query that retrieves by text
 * and title, fuses the lists by weighted reciprocal rank with the weights
 * the query's shape calls for (search-intent.ts), a near-exact title pinned
 * first, and returns the page (search-page.ts). A "like <film>" query whose
 * film the catalog knows searches that film's neighbours instead, shaped by
 * the words beside it. Either store may fail; the response then says which
 * (`degraded`), and only both failing is an error.
 */
export async function hybridSearch(
  input: SearchInput,
  retrievers: Retrievers,
  timings: Record<string, number> = {},
): Promise<SearchOutput> {
  const degraded: SearchOutput["degraded"] = [];
  const like = await likeReference(input.q, retrievers, degraded, timings);
  // A like query's words beside the title are what it asks of the text and
  // the filters: "like All Quiet on the Western Front" asks for no Westerns.
  const words = like ? like.query.rest : input.q;
  let applied = inferFilters(words);
  const explicit = { genres: input.genres, yearFrom: input.yearFrom, yearTo: input.yearTo };
  let filters = mergeFilters(explicit, applied);
  const filtered = hasFilters(filters);
  const ranking = rankingFor(words, like !== null);
  // Every path ends here, so no retrieval path can hand back a row the filters exclude.
  const output = (results: SearchResult[], hasMore: boolean): SearchOutput => ({
    results: withinFilters(results, filters),
    filters: { applied, effective: filters, like: like?.reference ?? null },
    degraded: [...new Set(degraded)],
    hasMore,
    reranked: false,
  });

  // A filtered query over-fetches unfiltered; Postgres keeps the hits that pass (filtered-dense.ts).
  const wanted = filtered ? OVERFETCH : CANDIDATES;
  let dense: DenseHit[] | undefined;
  try {
    dense = await timed(timings, "vector", () =>
      like
        ? retrievers.similar(like.reference.movieId, like.query.rest, wanted)
        : retrievers.nearest(input.q, wanted),
    );
  } catch (error) {
    degraded.push("vector");
    console.warn(JSON.stringify({ degraded: "vector", error: String(error) }));
  }

  const request = (hits: DenseHit[], denseFiltered: boolean): PageRequest => ({
    query: words,
    filters,
    explicitFilters: explicit,
    dense: aboveFloor(hits),
    denseFiltered,
    ranking,
    reference: like?.reference.movieId ?? null,
    // A like query's title was resolved already; a long description is no title.
    withTitles: !like && input.q.trim().split(/\s+/).length <= MAX_TITLE_WORDS,
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
  } else if (!like && dense && filtered && overfetchMissed(dense.length, page.denseSurvivors)) {
    // A narrow filter the query's neighbourhood barely touches: search among the movies that pass it.
    try {
      const within = await timed(timings, "narrow", () =>
        nearestWithin(retrievers, input.q, filters, CANDIDATES),
      );
      dense = within;
      page = await retrievers.page(request(within, true));
    } catch (error) {
      // The page already fused holds the few hits that passed.
      degraded.push("vector");
      console.warn(JSON.stringify({ degraded: "vector", during: "narrow", error: String(error) }));
    }
  }

  const passages = new Map((dense ?? []).map((h) => [h.movieId, h.passage]));
  return output(
    page.movies.map(({ score, matchedBy, highlight, ...movie }) => ({
      ...movie,
      score: Number(score.toFixed(6)),
      matchedBy,
      highlight:
        (matchedBy.includes("vector") &&
          passageText(movie.overview, passages.get(movie.movieId))) ||
        highlight,
    })),
    page.total > input.offset + input.limit,
  );
}

/** Queries longer than this many words skip the title lookup. */
const MAX_TITLE_WORDS = 8;

/**
 * The reference film of a like query, or null when the query is no like
 * query or no film answers to its title (it is then searched as it is).
 */
async function likeReference(
  q: string,
  retrievers: Retrievers,
  degraded: SearchOutput["degraded"],
  timings: Record<string, number>,
): Promise<{ query: LikeQuery; reference: LikeReference } | null> {
  const parsed = parseLike(q);
  if (!parsed) return null;
  try {
    const found = await timed(timings, "reference", () => retrievers.resolveTitle(parsed.title));
    if (!found) return null;
    // "toy story for my kids": the words after the title that named the film are more words beside it.
    const titleWords = parsed.title.split(/\s+/);
    const named = titleWords.slice(0, found.words).join(" ");
    const query: LikeQuery = {
      title: named,
      rest: [parsed.rest, ...titleWords.slice(found.words)].join(" ").trim(),
      from: parsed.from.replace(parsed.title, named),
    };
    const { words: _words, ...reference } = found;
    return { query, reference: { ...reference, from: query.from } };
  } catch (error) {
    // Postgres is down: the page will say so too; search the words as they are.
    degraded.push("text");
    console.warn(JSON.stringify({ degraded: "text", during: "like", error: String(error) }));
    return null;
  }
}

/**
 * The overview passage a vector hit matched best, as the page's highlight:
 * the sentence that answers the query. Null when the whole text matched best.
 */
function passageText(overview: string | null, passage: number | undefined): string | null {
  if (passage === undefined) return null;
  return overviewPassages(overview)[passage] ?? null;
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
