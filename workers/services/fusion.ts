/** How a result was found; the response lists every way, in this order. */
export type MatchSource = "title" | "text" | "vector";

/** The constant from Cormack et al.'s reciprocal rank fusion; damps the head of each list. */
export const RRF_K = 60;

export interface Ranked {
  movieId: number;
  score: number;
  matchedBy: MatchSource[];
}

/**
 * Reciprocal-rank fusion of ranked id lists. Ties break by movieId so the
 * same inputs always give the same order (stable paging depends on it).
 */
export function reciprocalRankFusion(lists: Partial<Record<MatchSource, number[]>>): Ranked[] {
  const fused = new Map<number, Ranked>();
  for (const source of ["title", "text", "vector"] as const) {
    (lists[source] ?? []).forEach((movieId, rank) => {
      const entry = fused.get(movieId) ?? { movieId, score: 0, matchedBy: [] };
      entry.score += 1 / (RRF_K + rank + 1);
      entry.matchedBy.push(source);
      fused.set(movieId, entry);
    });
  }
  return [...fused.values()].sort((a, b) => b.score - a.score || a.movieId - b.movieId);
}
