/** How a result was found; the response lists every way, in this order. */
export type MatchSource = "title" | "text" | "vector";

/** The constant from Cormack et al.'s reciprocal rank fusion; damps the head of each list. */
export const RRF_K = 60;

/**
 * What the movie at `rank` (0 = first) of one ranked list adds to its fused
 * score. Postgres fuses the lists of a search (search-page.ts); this scores a
 * list fused with nothing, the vector hits when Postgres is down.
 */
export function rrfScore(rank: number): number {
  return 1 / (RRF_K + rank + 1);
}
