import type { VectorHit } from "../../core/vector/movies-collection.ts";
import type { Retrievers } from "./hybrid-search.ts";
import { chromaWhere, type SearchFilters } from "./query-filters.ts";

/** Unfiltered neighbours fetched for a filtered query, to be filtered in Postgres. */
export const OVERFETCH = 400;

/** Below this many survivors the over-fetch missed too much: the search narrows to the filter's movies. */
export const MIN_SURVIVORS = 20;

/** A filter passed by at most this many movies is searched among their ids. */
export const MAX_SCOPED_IDS = 2_000;

/*
 * The dense side of a filtered search. Chroma's metadata filter costs 11-34 ms
 * of its CPU a query on this catalog whatever it selects, while an unfiltered
 * query for 400 neighbours costs it 1.7 ms, a query among up to a few hundred
 * given ids 1-5 ms, and Postgres checks 400 ids in ~2 ms (docs/benchmarks.md).
 * So a filtered query over-fetches without the filter and Postgres keeps the
 * hits that pass it, in similarity order, in the search's one query
 * (search-page.ts). When fewer than MIN_SURVIVORS survive (a narrow filter the
 * query's neighbourhood barely touches), the search narrows: it searches among
 * the movies that pass the filter; Chroma's own filter is the last resort, for
 * a broad filter or when Postgres cannot answer.
 */

/** Whether Postgres' filtering of an over-fetch left too few hits to go on. */
export function overfetchMissed(fetched: number, survivors: number): boolean {
  // Fewer than OVERFETCH neighbours means the whole catalog was seen: nothing was missed.
  return fetched >= OVERFETCH && survivors < MIN_SURVIVORS;
}

/** The query's `limit` nearest movies among those that pass `filters`. */
export async function nearestWithin(
  retrievers: Pick<Retrievers, "nearest" | "allMatching">,
  query: string,
  filters: SearchFilters,
  limit: number,
): Promise<VectorHit[]> {
  try {
    const ids = await retrievers.allMatching(filters, MAX_SCOPED_IDS);
    if (ids !== null) return ids.length === 0 ? [] : retrievers.nearest(query, limit, { ids });
  } catch (error) {
    console.warn(JSON.stringify({ degraded: "text", during: "filter", error: String(error) }));
  }
  return retrievers.nearest(query, limit, { where: chromaWhere(filters) });
}
