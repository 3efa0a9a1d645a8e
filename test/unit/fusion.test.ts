import { describe, expect, it } from "vitest";
import { RRF_K, reciprocalRankFusion } from "../../workers/services/fusion.ts";

describe("reciprocalRankFusion", () => {
  it("adds 1/(k + rank) per list and records every source", () => {
    const fused = reciprocalRankFusion({ title: [7], text: [3, 7], vector: [7, 3, 9] });
    expect(fused.map((f) => f.movieId)).toEqual([7, 3, 9]);
    expect(fused[0]).toEqual({
      movieId: 7,
      score: 1 / (RRF_K + 1) + 1 / (RRF_K + 2) + 1 / (RRF_K + 1),
      matchedBy: ["title", "text", "vector"],
    });
  });

  it("breaks ties by movie id, so the same input always gives the same order", () => {
    expect(reciprocalRankFusion({ text: [5], vector: [2] }).map((f) => f.movieId)).toEqual([2, 5]);
  });
});
