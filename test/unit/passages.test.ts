import { describe, expect, it } from "vitest";
import { buildEmbeddingText, movieParts, overviewPassages } from "../../core/catalog-text.ts";
import { normalizedMean } from "../../core/embedding/pooling.ts";
import { searchPrior } from "../../core/recs/item-item.ts";
import {
  composePassageVector,
  PASSAGE_WEIGHT,
  parsePassageId,
  passageHash,
  passageId,
} from "../../core/vector/passages.ts";

describe("overviewPassages", () => {
  it("splits an overview into its sentences", () => {
    expect(
      overviewPassages(
        "A cowboy doll is threatened by a new spaceman figure. The two rivals get lost far from home! Can they work together before the family moves away?",
      ),
    ).toEqual([
      "A cowboy doll is threatened by a new spaceman figure.",
      "The two rivals get lost far from home!",
      "Can they work together before the family moves away?",
    ]);
  });

  it("does not end a sentence at a title or an initial, and joins a short sentence to its neighbour", () => {
    expect(
      overviewPassages(
        "There he meets psychiatrist Dr. Kathryn Railly and a U.S. senator in a hospital ward. He is trapped. Nobody believes the stranger who says he came from the future.",
      ),
    ).toEqual([
      "There he meets psychiatrist Dr. Kathryn Railly and a U.S. senator in a hospital ward. He is trapped.",
      "Nobody believes the stranger who says he came from the future.",
    ]);
    expect(overviewPassages("Short one. Then a sentence long enough to stand alone here.")).toEqual(
      ["Short one. Then a sentence long enough to stand alone here."],
    );
  });

  it("has no passages without an overview", () => {
    expect(overviewPassages(null)).toEqual([]);
    expect(overviewPassages("   ")).toEqual([]);
  });
});

describe("movieParts", () => {
  it("is the embedding text without its overview, and the overview's passages", () => {
    const movie = {
      title: "Toy Story",
      year: 1995,
      genres: ["Animation"],
      overview:
        "A cowboy doll is threatened by a new spaceman figure. The two rivals get lost far from home.",
      director: "John Lasseter",
      topCast: ["Tom Hanks"],
      tags: ["pixar"],
    };
    const parts = movieParts(movie);
    expect(parts.facts).toBe(buildEmbeddingText({ ...movie, overview: null }));
    expect(parts.facts).not.toContain("cowboy");
    expect(parts.passages).toHaveLength(2);
  });
});

describe("normalizedMean", () => {
  it("pools several parts as one text: the mean over all their word pieces", () => {
    const a = { sum: new Float64Array([2, 0]), tokens: 2 };
    const b = { sum: new Float64Array([0, 6]), tokens: 2 };
    // (2 + 0) / 4 = 0.5, (0 + 6) / 4 = 1.5, then unit length.
    const v = normalizedMean([a, b]);
    expect(v[0]).toBeCloseTo(0.5 / Math.hypot(0.5, 1.5));
    expect(v[1]).toBeCloseTo(1.5 / Math.hypot(0.5, 1.5));
  });
});

describe("passage entries", () => {
  it("name their movie and passage", () => {
    expect(passageId(42)).toBe("42");
    expect(passageId(42, 3)).toBe("42:3");
    expect(parsePassageId("42")).toEqual({ movieId: 42, passage: undefined });
    expect(parsePassageId("42:3")).toEqual({ movieId: 42, passage: 3 });
  });

  it("store the weighted sum of passage and whole text, so that a dot product is the weighted sum of similarities", () => {
    const passage = [1, 0];
    const whole = [0, 1];
    const [x = 0, y = 0] = composePassageVector(passage, whole);
    const dot = x * 0.6 + y * 0.8;
    expect(dot).toBeCloseTo(PASSAGE_WEIGHT * 0.6 + (1 - PASSAGE_WEIGHT) * 0.8);
  });

  it("change hash when their movie's whole text changes", async () => {
    expect(await passageHash("a", "text")).not.toBe(await passageHash("b", "text"));
    expect(await passageHash("a", "text")).toBe(await passageHash("a", "text"));
  });
});

describe("searchPrior", () => {
  const catalog = { maxCount: 300, meanRating: 3.5 };
  it("grows with how many rated a film and how well", () => {
    expect(searchPrior(300, 4.5, catalog)).toBeGreaterThan(searchPrior(30, 4.5, catalog));
    expect(searchPrior(100, 4.5, catalog)).toBeGreaterThan(searchPrior(100, 2, catalog));
    expect(searchPrior(300, 5, catalog)).toBeLessThanOrEqual(1);
    expect(searchPrior(0, 0, catalog)).toBe(0);
  });

  it("does not let a handful of perfect ratings beat a film many liked", () => {
    expect(searchPrior(2, 5, catalog)).toBeLessThan(searchPrior(150, 4, catalog));
  });
});
