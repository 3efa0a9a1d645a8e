import { describe, expect, it } from "vitest";
import { likeVector, parseLike } from "../../workers/services/like-query.ts";

describe("parseLike", () => {
  it.each([
    ["dark thriller like Zodiac", { title: "Zodiac", rest: "dark thriller", from: "like Zodiac" }],
    ["movies similar to heat", { title: "heat", rest: "", from: "similar to heat" }],
    ["something like spirted away", { title: "spirted away", rest: "", from: "like spirted away" }],
    [
      "films like the matrix but funnier",
      { title: "the matrix", rest: "funnier", from: "like the matrix" },
    ],
    [
      "90s comedies like groundhog day",
      { title: "groundhog day", rest: "90s comedies", from: "like groundhog day" },
    ],
    ["like pulp fiction?", { title: "pulp fiction", rest: "", from: "like pulp fiction" }],
  ])("reads %s", (query, expected) => {
    expect(parseLike(query)).toEqual(expected);
  });

  it.each([
    "the one where toys come alive",
    "a robot who likes music",
    "a story about a young man who sets out to find a place like home",
  ])("leaves %s alone", (query) => {
    expect(parseLike(query)).toBeNull();
  });
});

describe("likeVector", () => {
  it("is the reference moved towards the other words, unit length", () => {
    expect(likeVector([1, 0])).toEqual([1, 0]);
    const v = likeVector([1, 0], [0, 1]);
    expect(Math.hypot(...v)).toBeCloseTo(1);
    expect(v[0]).toBeGreaterThan(v[1] ?? 1);
    expect(v[1]).toBeGreaterThan(0);
  });
});
