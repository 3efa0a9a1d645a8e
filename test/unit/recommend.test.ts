import { describe, expect, it } from "vitest";
import { itemNeighbors, movieStats } from "../../core/recs/item-item.ts";
import { type RecSources, recommend, tasteSeeds } from "../../core/recs/recommend.ts";

// Users 1-3 love 10 and 11 together; 12 is loved alone; 13 is disliked with them.
const ratings = [
  ...[1, 2, 3].flatMap((userId) => [
    { userId, movieId: 10, rating: 5 },
    { userId, movieId: 11, rating: 4.5 },
    { userId, movieId: 13, rating: 1 },
  ]),
  { userId: 4, movieId: 12, rating: 5 },
  { userId: 4, movieId: 13, rating: 2 },
];

describe("item-item neighbours", () => {
  it("links movies the same users liked, and not ones they disliked", () => {
    const edges = itemNeighbors(ratings, { minRatings: 2, neighbors: 5, shrinkage: 1 });
    const of10 = edges.filter((e) => e.movieId === 10);
    expect(of10.map((e) => e.neighborId)).toEqual([11]);
    expect(of10[0]?.score).toBeGreaterThan(0);
  });

  it("counts ratings and likes per movie", () => {
    expect(movieStats(ratings).find((s) => s.movieId === 13)).toMatchObject({
      ratingsCount: 4,
      likesCount: 0,
    });
  });
});

function sources(overrides: Partial<RecSources> = {}): RecSources {
  return {
    neighbors: async (ids) =>
      ids.includes(10)
        ? [
            { movieId: 10, neighborId: 11, score: 0.9 },
            { movieId: 10, neighborId: 14, score: 0.2 },
          ]
        : [],
    embeddings: async (ids) => new Map(ids.map((id) => [id, [1, 0]])),
    nearest: async (_vector, n, exclude) =>
      [
        { movieId: 10, similarity: 1, embedding: [1, 0] },
        { movieId: 15, similarity: 0.8, embedding: [0.8, 0.6] },
      ]
        .filter((hit) => !exclude.has(hit.movieId))
        .slice(0, n),
    popular: async () => [10, 16, 11],
    ...overrides,
  };
}

describe("recommend", () => {
  const history = [
    { movieId: 10, rating: 5, ratedAt: 2 },
    { movieId: 20, rating: 2, ratedAt: 1 },
  ];

  it("seeds on liked movies, best and newest first", () => {
    expect(tasteSeeds(history, 5).map((s) => s.movieId)).toEqual([10]);
    // Nothing rated 4+: what the user rated above their own mean.
    expect(
      tasteSeeds(
        [
          { movieId: 1, rating: 3.5, ratedAt: 1 },
          { movieId: 2, rating: 1, ratedAt: 1 },
        ],
        5,
      ).map((s) => s.movieId),
    ).toEqual([1]);
  });

  it("never recommends a rated movie and names the liked movie behind each", async () => {
    const { items, degraded } = await recommend(history, sources(), { limit: 10 });
    expect(degraded).toEqual([]);
    const ids = items.map((i) => i.movieId);
    expect(ids).not.toContain(10);
    expect(ids).not.toContain(20);
    expect(ids[0]).toBe(11);
    expect(items.find((i) => i.movieId === 11)?.because).toEqual([10]);
    expect(items.find((i) => i.movieId === 16)).toMatchObject({
      because: [],
      signals: ["popular"],
    });
  });

  it("asks for the nearest films past every rated one, not for more of them", async () => {
    const asked: { n: number; exclude: number[] }[] = [];
    await recommend(
      history,
      sources({
        nearest: async (_vector, n, exclude) => {
          asked.push({ n, exclude: [...exclude].sort((a, b) => a - b) });
          return [];
        },
      }),
      { candidates: 50 },
    );
    expect(asked).toEqual([{ n: 50, exclude: [10, 20] }]);
  });

  it("drops a failing signal and names it", async () => {
    const { items, degraded } = await recommend(
      history,
      sources({
        nearest: async () => {
          throw new Error("Chroma down");
        },
      }),
    );
    expect(degraded).toEqual(["content"]);
    expect(items.length).toBeGreaterThan(0);
  });

  it("gives a user without ratings the popular movies", async () => {
    const { items } = await recommend([], sources(), { limit: 2 });
    expect(items.map((i) => i.movieId)).toEqual([10, 16]);
  });
});
