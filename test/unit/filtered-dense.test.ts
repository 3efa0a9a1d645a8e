import { describe, expect, it, vi } from "vitest";
import type { VectorHit } from "../../core/vector/movies-collection.ts";
import {
  type FilteredDenseDeps,
  filteredDense,
  MIN_SURVIVORS,
  OVERFETCH,
} from "../../workers/services/filtered-dense.ts";
import type { SearchFilters } from "../../workers/services/query-filters.ts";

/** A catalog where movie i has similarity 1 - i/10000 to the query: ids 1..size in order. */
function catalog(size: number) {
  const all: VectorHit[] = Array.from({ length: size }, (_, i) => ({
    movieId: i + 1,
    similarity: 1 - (i + 1) / 10_000,
  }));
  return all;
}

function deps(
  size: number,
  passes: (id: number) => boolean,
  matching?: FilteredDenseDeps["matching"],
): FilteredDenseDeps & { calls: { limit: number; filtered: boolean }[] } {
  const all = catalog(size);
  const calls: { limit: number; filtered: boolean }[] = [];
  return {
    calls,
    nearest: async (limit, filters) => {
      calls.push({ limit, filtered: filters !== undefined });
      return (filters ? all.filter((h) => passes(h.movieId)) : all).slice(0, limit);
    },
    matching: matching ?? (async (ids) => new Set(ids.filter((id) => passes(id)))),
  };
}

const COMEDY: SearchFilters = { genres: ["Comedy"] };

describe("filteredDense", () => {
  it("asks Chroma once, unfiltered, when the query has no filters", async () => {
    const d = deps(1_000, () => true);
    const hits = await filteredDense(d, { genres: [] }, 50);
    expect(hits.map((h) => h.movieId)).toEqual(catalog(50).map((h) => h.movieId));
    expect(d.calls).toEqual([{ limit: 50, filtered: false }]);
  });

  it("keeps the over-fetched hits that pass the filter, in similarity order", async () => {
    const even = (id: number) => id % 2 === 0;
    const d = deps(1_000, even);
    const hits = await filteredDense(d, COMEDY, 50);
    expect(hits).toHaveLength(50);
    expect(hits.every((h) => even(h.movieId))).toBe(true);
    expect(hits.map((h) => h.movieId)).toEqual(
      [...hits].sort((a, b) => b.similarity - a.similarity).map((h) => h.movieId),
    );
    expect(d.calls).toEqual([{ limit: OVERFETCH, filtered: false }]);
  });

  it("falls back to Chroma's exact filter when too few survive", async () => {
    // Only ids past the over-fetch and a handful inside it pass.
    const rare = (id: number) => id % 100 === 0;
    const d = deps(10_000, rare);
    const hits = await filteredDense(d, COMEDY, 50);
    expect(OVERFETCH / 100).toBeLessThan(MIN_SURVIVORS);
    expect(d.calls).toEqual([
      { limit: OVERFETCH, filtered: false },
      { limit: 50, filtered: true },
    ]);
    expect(hits).toHaveLength(50);
    expect(hits.every((h) => rare(h.movieId))).toBe(true);
  });

  it("keeps few survivors without a second query when the over-fetch saw the whole catalog", async () => {
    const rare = (id: number) => id % 100 === 0;
    const d = deps(300, rare);
    const hits = await filteredDense(d, COMEDY, 50);
    expect(hits.map((h) => h.movieId)).toEqual([100, 200, 300]);
    expect(d.calls).toHaveLength(1);
  });

  it("lets Chroma filter when Postgres cannot check the ids", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const even = (id: number) => id % 2 === 0;
    const d = deps(1_000, even, async () => {
      throw new Error("connection refused");
    });
    const hits = await filteredDense(d, COMEDY, 50);
    expect(hits.every((h) => even(h.movieId))).toBe(true);
    expect(d.calls.at(-1)).toEqual({ limit: 50, filtered: true });
    expect(warn).toHaveBeenCalledWith(expect.stringContaining("connection refused"));
    warn.mockRestore();
  });
});
