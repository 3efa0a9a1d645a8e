import { describe, expect, it } from "vitest";
import { rankingFor, readVibes } from "../../workers/services/search-intent.ts";

describe("rankingFor", () => {
  it.each([
    ["Toy Story", "short"],
    ["godfahter", "short"],
    ["stanley kubrick", "short"],
    ["thieves plant an idea inside someone's dreams", "description"],
    ["the one where toys come alive", "description"],
    ["feel-good movie for the whole family", "vibe"],
    ["something scary for halloween night", "vibe"],
  ])("reads %s as %s", (query, intent) => {
    expect(rankingFor(query).intent).toBe(intent);
  });

  it("reads a like query as one", () => {
    expect(rankingFor("dark thriller", true).intent).toBe("like");
  });

  it("lets a description's title and text words together stay under a vector list's first place", () => {
    const { weights } = rankingFor("a man who tunnels out of prison after decades");
    expect(weights.title).toBeLessThan(weights.dense);
    // A text hit must hold most of a description's words.
    expect(
      rankingFor("a man who tunnels out of prison after decades").textCoverage,
    ).toBeGreaterThan(0.5);
  });

  it("bounds the prior", () => {
    for (const query of ["Toy Story", "a man who tunnels out of prison", "something funny"]) {
      const ranking = rankingFor(query);
      expect(ranking.priorSimilarity).toBeLessThanOrEqual(0.1);
      expect(ranking.priorBoost).toBeLessThanOrEqual(0.5);
    }
  });
});

describe("readVibes", () => {
  it("maps mood words to genres, leaving genre words to the filters", () => {
    expect(readVibes("funny movie to cheer me up").genres).toEqual(["Comedy"]);
    expect(readVibes("something spooky").genres).toEqual(["Horror", "Thriller"]);
    expect(readVibes("animated comedies").genres).toEqual([]);
  });
});
