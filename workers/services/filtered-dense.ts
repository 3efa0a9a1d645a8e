import type { QueryScope, VectorHit } from "../../core/vector/movies-collection.ts";
import { chromaWhere, hasFilters, type SearchFilters } from "./query-filters.ts";

/** Unfiltered neighbours fetched for a filtered query, to be filtered in Postgres. */
export const OVERFETCH = 400;

/** Below this many survivors the over-fetch missed too much: the search narrows to the filter's movies. */
export const MIN_SURVIVORS = 20;

/** A filter passed by at most this many movies is searched among their ids. */
export const MAX_SCOPED_IDS = 2_000;

export interface FilteredDenseDeps {
  /** Chroma's nearest neighbours of the query vector, within `scope` when given. */
  nearest(limit: number, scope?: QueryScope): Promise<VectorHit[]>;
  /** The ids among `ids` whose movie passes `filters` (Postgres). */
  matching(ids: number[], filters: SearchFilters): Promise<Set<number>>;
  /** Every movie that passes `filters` (Postgres), or null when more than `max` do. */
  allMatching(filters: SearchFilters, max: number): Promise<number[] | null>;
}

/**
 * The dense side of a search, filters included. Chroma's metadata filter costs
 * 11-34 ms of its CPU a query on this catalog whatever it selects, while an
 * unfiltered query for 400 neighbours costs it 1.7 ms, a query among up to a
 * few hundred given ids 1-5 ms, and Postgres checks 400 ids in ~2 ms
 * (docs/benchmarks.md). So a filtered query over-fetches without the filter
 * and keeps the hits that pass it, in similarity order. When fewer than
 * MIN_SURVIVORS survive (a narrow filter the query's neighbourhood barely
 * touches), it searches among the movies that pass the filter; Chroma's own
 * filter is the last resort, for a broad filter or when Postgres cannot answer.
 */
export async function filteredDense(
  deps: FilteredDenseDeps,
  filters: SearchFilters,
  limit: number,
): Promise<VectorHit[]> {
  if (!hasFilters(filters)) return deps.nearest(limit);
  const wide = await deps.nearest(OVERFETCH);
  try {
    const passing = await deps.matching(
      wide.map((h) => h.movieId),
      filters,
    );
    const kept = wide.filter((h) => passing.has(h.movieId));
    // Fewer than OVERFETCH neighbours means the whole catalog was seen: nothing was missed.
    if (kept.length >= MIN_SURVIVORS || wide.length < OVERFETCH) return kept.slice(0, limit);
    const ids = await deps.allMatching(filters, MAX_SCOPED_IDS);
    if (ids !== null) return ids.length === 0 ? [] : deps.nearest(limit, { ids });
  } catch (error) {
    console.warn(JSON.stringify({ degraded: "text", during: "filter", error: String(error) }));
  }
  return deps.nearest(limit, { where: chromaWhere(filters) });
}
