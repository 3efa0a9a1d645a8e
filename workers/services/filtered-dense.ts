import type { VectorHit } from "../../core/vector/movies-collection.ts";
import { hasFilters, type SearchFilters } from "./query-filters.ts";

/** Unfiltered neighbours fetched for a filtered query, to be filtered in Postgres. */
export const OVERFETCH = 400;

/** Below this many survivors the over-fetch missed too much: Chroma filters exactly. */
export const MIN_SURVIVORS = 20;

export interface FilteredDenseDeps {
  /** Chroma's nearest neighbours of the query vector, under `filters` when given. */
  nearest(limit: number, filters?: SearchFilters): Promise<VectorHit[]>;
  /** The ids among `ids` whose movie passes `filters` (Postgres). */
  matching(ids: number[], filters: SearchFilters): Promise<Set<number>>;
}

/**
 * The dense side of a search, filters included. Chroma's metadata filter costs
 * 15-30 ms a query on this catalog whatever it selects, while an unfiltered
 * query for 400 neighbours costs ~8 ms and Postgres checks 400 ids in ~2 ms
 * (docs/benchmarks.md). So a filtered query over-fetches without the filter and
 * keeps the hits that pass it, in similarity order; it falls back to Chroma's
 * exact filter when fewer than MIN_SURVIVORS survive (a narrow filter the
 * query's neighbourhood barely touches) or when Postgres cannot answer.
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
  } catch (error) {
    console.warn(JSON.stringify({ degraded: "text", during: "filter", error: String(error) }));
  }
  return deps.nearest(limit, filters);
}
