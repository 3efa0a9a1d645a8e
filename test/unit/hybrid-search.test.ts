import { describe, expect, it, vi } from "vitest";
import type { QueryScope, VectorHit } from "../../core/vector/movies-collection.ts";
import { MIN_SURVIVORS, OVERFETCH } from "../../workers/services/filtered-dense.ts";
import { RRF_K } from "../../workers/services/fusion.ts";
import {
  CANDIDATES,
  hybridSearch,
  MIN_DENSE_SIMILARITY,
  type Retrievers,
  type SearchInput,
} from "../../workers/services/hybrid-search.ts";
import type { SearchFilters } from "../../workers/services/query-filters.ts";
import type { PageRequest, SearchPage } from "../../workers/services/search-page.ts";

/** A catalog where movie i has similarity 1 - i/10000 to the query: ids 1..size in order. */
function catalog(size: number): VectorHit[] {
  return Array.from({ length: size }, (_, i) => ({
    movieId: i + 1,
    similarity: 1 - (i + 1) / 10_000,
  }));
}

type Call = { limit: number; scope: "all" | "filters" | "ids" };
const fail = async (): Promise<never> => {
  throw new Error("connection refused");
};

/**
 * Retrievers over a fake catalog: Chroma returns ids in similarity order;
 * "Postgres" keeps the dense ids that pass `passes` (unless told they are
 * filtered already) and pages them, reporting what it was asked.
 */
function fakes(
  size: number,
  passes: (id: number) => boolean,
  overrides: Partial<Retrievers> = {},
): Retrievers & { chroma: Call[]; pages: PageRequest[]; references: number[] } {
  const all = catalog(size);
  const chroma: Call[] = [];
  const pages: PageRequest[] = [];
  const references: number[] = [];
  return {
    chroma,
    pages,
    references,
    nearest: async (_q: string, limit: number, scope?: QueryScope) => {
      const ids = scope?.ids;
      chroma.push({ limit, scope: ids ? "ids" : scope?.where ? "filters" : "all" });
      const inScope = ids
        ? (h: VectorHit) => ids.includes(h.movieId)
        : scope?.where
          ? (h: VectorHit) => passes(h.movieId)
          : () => true;
      return all.filter(inScope).slice(0, limit);
    },
    page: async (request): Promise<SearchPage> => {
      pages.push(request);
      const passing = request.dense
        .map((h) => h.movieId)
        .filter((id) => request.denseFiltered || passes(id));
      const fused = passing.slice(0, request.candidates);
      return {
        total: fused.length,
        denseSurvivors: passing.length,
        filtersDropped: false,
        movies: fused.slice(request.offset, request.offset + request.limit).map((id, rank) => ({
          movieId: id,
          title: `Movie ${id}`,
          year: 2000,
          genres: ["Comedy"],
          overview: null,
          score: 1 / (RRF_K + request.offset + rank + 1),
          matchedBy: ["vector"],
          highlight: null,
        })),
      };
    },
    similar: async (reference: number, _words: string, limit: number) => {
      references.push(reference);
      return all.filter((h) => h.movieId !== reference).slice(0, limit);
    },
    resolveTitle: async (title: string) =>
      title.startsWith("zodiac") ? { movieId: 7, title: "Zodiac", year: 2007, words: 1 } : null,
    allMatching: async (_filters: SearchFilters, max: number) => {
      const ids = all.map((h) => h.movieId).filter(passes);
      return ids.length > max ? null : ids;
    },
    vectorDetails: async (ids) =>
      new Map(ids.map((id) => [id, { title: `Movie ${id}`, year: 2000, genres: ["Comedy"] }])),
    ...overrides,
  };
}

const input = (q: string, genres: string[] = []): SearchInput => ({
  q,
  limit: 10,
  offset: 0,
  genres,
});
const ids = (output: { results: { movieId: number }[] }) => output.results.map((r) => r.movieId);
const quietly = () => vi.spyOn(console, "warn").mockImplementation(() => {});

describe("hybridSearch", () => {
  it("asks Chroma once, unfiltered, then Postgres once, for a query without filters", async () => {
    const r = fakes(1_000, () => true);
    const output = await hybridSearch(input("space adventure"), r);
    expect(r.chroma).toEqual([{ limit: CANDIDATES, scope: "all" }]);
    expect(r.pages).toHaveLength(1);
    expect(r.pages[0]).toMatchObject({ denseFiltered: true, offset: 0, limit: 10 });
    expect(r.pages[0]?.dense.map((h) => h.movieId)).toEqual(
      catalog(CANDIDATES).map((h) => h.movieId),
    );
    expect(ids(output)).toEqual(catalog(10).map((h) => h.movieId));
    expect(output.hasMore).toBe(true);
    expect(output.degraded).toEqual([]);
  });

  it("over-fetches for a filtered query and lets Postgres keep the hits that pass", async () => {
    const even = (id: number) => id % 2 === 0;
    const r = fakes(1_000, even);
    const output = await hybridSearch(input("comedies"), r);
    expect(output.filters.effective.genres).toEqual(["Comedy"]);
    expect(r.chroma).toEqual([{ limit: OVERFETCH, scope: "all" }]);
    expect(r.pages).toHaveLength(1);
    expect(r.pages[0]).toMatchObject({
      denseFiltered: false,
      filters: { genres: ["Comedy"] },
      explicitFilters: { genres: [] },
    });
    expect(ids(output).every(even)).toBe(true);
  });

  it("sends Postgres only the vector hits above the similarity floor", async () => {
    const r = fakes(1_000, () => true, {
      nearest: async () => [
        { movieId: 1, similarity: 0.6 },
        { movieId: 2, similarity: MIN_DENSE_SIMILARITY - 0.01 },
      ],
    });
    await hybridSearch(input("zzzzqqqxxx"), r);
    expect(r.pages[0]?.dense).toEqual([{ movieId: 1, similarity: 0.6 }]);
  });

  it("searches among the filter's movies when too few of the neighbours pass", async () => {
    // Only ids past the over-fetch and a handful inside it pass.
    const rare = (id: number) => id % 100 === 0;
    const r = fakes(10_000, rare);
    expect(OVERFETCH / 100).toBeLessThan(MIN_SURVIVORS);
    const output = await hybridSearch(input("comedies"), r);
    expect(r.chroma).toEqual([
      { limit: OVERFETCH, scope: "all" },
      { limit: CANDIDATES, scope: "ids" },
    ]);
    expect(r.pages.map((p) => p.denseFiltered)).toEqual([false, true]);
    expect(ids(output)).toEqual(
      catalog(1_000)
        .filter((h) => rare(h.movieId))
        .map((h) => h.movieId),
    );
  });

  it("does not ask Chroma again when no movie passes the filter", async () => {
    const r = fakes(10_000, () => false);
    const output = await hybridSearch(input("comedies"), r);
    expect(r.chroma).toEqual([{ limit: OVERFETCH, scope: "all" }]);
    expect(output.results).toEqual([]);
  });

  it("lets Chroma filter when too many movies pass the filter to list them", async () => {
    const rare = (id: number) => id % 100 === 0;
    const r = fakes(10_000, rare, { allMatching: async () => null });
    const output = await hybridSearch(input("comedies"), r);
    expect(r.chroma.at(-1)).toEqual({ limit: CANDIDATES, scope: "filters" });
    expect(ids(output)).toHaveLength(10);
    expect(ids(output).every(rare)).toBe(true);
  });

  it("keeps few survivors without narrowing when the over-fetch saw the whole catalog", async () => {
    const rare = (id: number) => id % 100 === 0;
    const r = fakes(300, rare);
    const output = await hybridSearch(input("comedies"), r);
    expect(ids(output)).toEqual([100, 200, 300]);
    expect(r.chroma).toHaveLength(1);
    expect(r.pages).toHaveLength(1);
  });

  it("keeps the first page and says so when narrowing fails", async () => {
    const warn = quietly();
    const rare = (id: number) => id % 100 === 0;
    const r = fakes(10_000, rare);
    const nearest = r.nearest;
    let calls = 0;
    r.nearest = (...args) => (++calls === 1 ? nearest(...args) : fail());
    const output = await hybridSearch(input("comedies"), r);
    expect(ids(output)).toEqual([100, 200, 300, 400]);
    expect(output.degraded).toEqual(["vector"]);
    warn.mockRestore();
  });

  it("fuses text and titles alone when Chroma is down", async () => {
    const warn = quietly();
    const r = fakes(1_000, () => true, { nearest: fail });
    const output = await hybridSearch(input("space adventure"), r);
    expect(output.degraded).toEqual(["vector"]);
    expect(r.pages[0]?.dense).toEqual([]);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining("connection refused"));
    warn.mockRestore();
  });

  it("serves the vector hits, described by Chroma, when Postgres is down", async () => {
    const warn = quietly();
    const r = fakes(1_000, () => true, { page: fail });
    const output = await hybridSearch({ ...input("space adventure"), offset: 10 }, r);
    expect(output.degraded).toEqual(["text"]);
    expect(ids(output)).toEqual(
      catalog(20)
        .slice(10)
        .map((h) => h.movieId),
    );
    expect(output.results[0]).toMatchObject({
      title: "Movie 11",
      overview: null,
      highlight: null,
      matchedBy: ["vector"],
      score: Number((1 / (RRF_K + 11)).toFixed(6)),
    });
    expect(output.hasMore).toBe(true);
    warn.mockRestore();
  });

  it("lets Chroma filter when Postgres is down and the query has filters", async () => {
    const warn = quietly();
    const even = (id: number) => id % 2 === 0;
    const r = fakes(1_000, even, { page: fail });
    const output = await hybridSearch(input("comedies"), r);
    expect(r.chroma).toEqual([
      { limit: OVERFETCH, scope: "all" },
      { limit: CANDIDATES, scope: "filters" },
    ]);
    expect(ids(output).every(even)).toBe(true);
    warn.mockRestore();
  });

  it("never returns a row outside the filters, whichever store let it through", async () => {
    const error = vi.spyOn(console, "error").mockImplementation(() => {});
    // Every fake movie is from 2000: a store that ignored "80s" would hand back all of them.
    const output = await hybridSearch(
      input("80s comedies"),
      fakes(1_000, () => true),
    );
    expect(output.filters.effective).toEqual({ genres: ["Comedy"], yearFrom: 1980, yearTo: 1989 });
    expect(output.results).toEqual([]);
    expect(error).toHaveBeenCalledOnce();
    error.mockRestore();
  });

  it("drops the query's own filters, chips included, when Postgres says it names a film they exclude", async () => {
    const base = fakes(1_000, () => true);
    const r = fakes(1_000, () => true, {
      page: async (request) => ({ ...(await base.page(request)), filtersDropped: true }),
    });
    const output = await hybridSearch(input("all quiet on the western front", ["Comedy"]), r);
    expect(output.filters).toEqual({ applied: [], effective: { genres: ["Comedy"] }, like: null });
    expect(output.results.length).toBe(10);
    // No narrowing round: the filters it would narrow to are gone.
    expect(r.chroma).toHaveLength(1);
  });

  it("searches a like query's reference film's neighbours, shaped and filtered by the words beside it", async () => {
    const r = fakes(1_000, () => true);
    const output = await hybridSearch(input("dark thriller like zodiac"), r);
    expect(r.references).toEqual([7]);
    expect(r.chroma).toEqual([]);
    expect(r.pages[0]).toMatchObject({
      query: "dark thriller",
      reference: 7,
      withTitles: false,
      filters: { genres: ["Thriller"] },
      ranking: { intent: "like" },
    });
    expect(output.filters.like).toEqual({
      movieId: 7,
      title: "Zodiac",
      year: 2007,
      from: "like zodiac",
    });
    expect(output.filters.applied).toEqual([
      { kind: "genre", value: "Thriller", from: "thriller" },
    ]);
  });

  it("takes the words after the part of a like query's title that named the film as more words beside it", async () => {
    const r = fakes(1_000, () => true);
    const output = await hybridSearch(input("like zodiac for a rainy night"), r);
    expect(r.pages[0]?.query).toBe("for a rainy night");
    expect(output.filters.like?.from).toBe("like zodiac");
  });

  it("searches the words as they are when no film answers to a like query's title", async () => {
    const r = fakes(1_000, () => true);
    const output = await hybridSearch(input("feels like home"), r);
    expect(r.references).toEqual([]);
    expect(r.chroma).toEqual([{ limit: CANDIDATES, scope: "all" }]);
    expect(output.filters.like).toBeNull();
  });

  it("shows the overview passage a vector hit matched as its highlight", async () => {
    const overview =
      "A cowboy doll leads the toys in a boy's room. A new spaceman figure takes his place.";
    const base = fakes(1_000, () => true, {
      nearest: async () => [
        { movieId: 1, similarity: 0.7, passage: 1 },
        { movieId: 2, similarity: 0.6 },
      ],
    });
    const r = fakes(1_000, () => true, {
      nearest: base.nearest,
      page: async (request) => {
        const page = await base.page(request);
        return {
          ...page,
          movies: page.movies.map((m) => ({ ...m, overview, highlight: "a <b>toy</b> headline" })),
        };
      },
    });
    const output = await hybridSearch(input("a space toy replaces the cowboy"), r);
    expect(output.results.map((m) => m.highlight)).toEqual([
      "A new spaceman figure takes his place.",
      "a <b>toy</b> headline",
    ]);
  });

  it.each([
    [
      "Postgres is down and Chroma fails after its first answer",
      { page: fail, vectorDetails: fail },
    ],
    ["both stores fail", { nearest: fail, page: fail }],
  ] as const)("is unavailable when %s", async (_case, overrides: Partial<Retrievers>) => {
    const warn = quietly();
    const r = fakes(1_000, () => true, overrides);
    await expect(hybridSearch(input("space adventure"), r)).rejects.toMatchObject({
      code: "UNAVAILABLE",
    });
    warn.mockRestore();
  });
});
