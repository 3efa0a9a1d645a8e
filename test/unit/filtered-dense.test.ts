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

type Call = { limit: number; scope: "all" | "filters" | "ids" };

function deps(
  size: number,
  passes: (id: number) => boolean,
  overrides: Partial<Pick<FilteredDenseDeps, "matching" | "allMatching">> = {},
): FilteredDenseDeps & { calls: Call[] } {
  const all = catalog(size);
  const calls: Call[] = [];
  return {
    calls,
    nearest: async (limit, scope) => {
      if (!scope) {
        calls.push({ limit, scope: "all" });
        return all.slice(0, limit);
      }
      const ids = scope.ids;
      const inScope = ids
        ? (h: VectorHit) => ids.includes(h.movieId)
        : (h: VectorHit) => passes(h.movieId);
      calls.push({ limit, scope: ids ? "ids" : "filters" });
      return all.filter(inScope).slice(0, limit);
    },
    matching: overrides.matching ?? (async (ids) => new Set(ids.filter((id) => passes(id)))),
    allMatching:
      overrides.allMatching ??
      (async (_filters, max) => {
        const ids = all.map((h) => h.movieId).filter(passes);
        return ids.length > max ? null : ids;
      }),
  };
}

const COMEDY: SearchFilters = { genres: ["Comedy"] };

describe("filteredDense", () => {
  it("asks Chroma once, unfiltered, when the query has no filters", async () => {
    const d = deps(1_000, () => true);
    const hits = await filteredDense(d, { genres: [] }, 50);
    expect(hits.map((h) => h.movieId)).toEqual(catalog(50).map((h) => h.movieId));
    expect(d.calls).toEqual([{ limit: 50, scope: "all" }]);
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
    expect(d.calls).toEqual([{ limit: OVERFETCH, scope: "all" }]);
  });

  it("searches among the filter's movies when too few of the neighbours pass", async () => {
    // Only ids past the over-fetch and a handful inside it pass.
    const rare = (id: number) => id % 100 === 0;
    const d = deps(10_000, rare);
    const hits = await filteredDense(d, COMEDY, 50);
    expect(OVERFETCH / 100).toBeLessThan(MIN_SURVIVORS);
    expect(d.calls).toEqual([
      { limit: OVERFETCH, scope: "all" },
      { limit: 50, scope: "ids" },
    ]);
    expect(hits.map((h) => h.movieId)).toEqual(
      catalog(5_000)
        .filter((h) => rare(h.movieId))
        .map((h) => h.movieId),
    );
  });

  it("answers nothing, without asking Chroma again, when no movie passes the filter", async () => {
    const d = deps(10_000, () => false);
    expect(await filteredDense(d, COMEDY, 50)).toEqual([]);
    expect(d.calls).toEqual([{ limit: OVERFETCH, scope: "all" }]);
  });

  it("lets Chroma filter when too many movies pass the filter to list them", async () => {
    const rare = (id: number) => id % 100 === 0;
    const d = deps(10_000, rare, { allMatching: async () => null });
    const hits = await filteredDense(d, COMEDY, 50);
    expect(d.calls.at(-1)).toEqual({ limit: 50, scope: "filters" });
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
    const d = deps(1_000, even, {
      matching: async () => {
        throw new Error("connection refused");
      },
    });
    const hits = await filteredDense(d, COMEDY, 50);
    expect(hits.every((h) => even(h.movieId))).toBe(true);
    expect(d.calls.at(-1)).toEqual({ limit: 50, scope: "filters" });
    expect(warn).toHaveBeenCalledWith(expect.stringContaining("connection refused"));
    warn.mockRestore();
  });
});
