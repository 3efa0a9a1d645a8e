import { describe, expect, it } from "vitest";
import { inferFilters, mergeFilters } from "../../workers/services/query-filters.ts";

describe("inferFilters", () => {
  it.each([
    [
      "90s comedies",
      [
        ["genre", "Comedy"],
        ["yearFrom", 1990],
        ["yearTo", 1999],
      ],
    ],
    [
      "animated movies from 2010",
      [
        ["genre", "Animation"],
        ["yearFrom", 2010],
        ["yearTo", 2010],
      ],
    ],
    [
      "westerns before 1980",
      [
        ["genre", "Western"],
        ["yearTo", 1979],
      ],
    ],
    [
      "horror after 2000",
      [
        ["genre", "Horror"],
        ["yearFrom", 2001],
      ],
    ],
    [
      "the 2000s sci-fi",
      [
        ["genre", "Sci-Fi"],
        ["yearFrom", 2000],
        ["yearTo", 2009],
      ],
    ],
    [
      "1980s",
      [
        ["yearFrom", 1980],
        ["yearTo", 1989],
      ],
    ],
    ["toys come alive", []],
    ["Blade Runner 2049", []],
  ])("%s", (query, expected) => {
    expect(inferFilters(query).map((f) => [f.kind, f.value])).toEqual(expected);
  });

  it("keeps the words each filter came from, for the UI's chips", () => {
    expect(inferFilters("90s comedies")).toContainEqual({
      kind: "genre",
      value: "Comedy",
      from: "comedies",
    });
  });
});

describe("mergeFilters", () => {
  it("lets explicit parameters win and unions genres", () => {
    expect(
      mergeFilters({ genres: ["Drama"], yearFrom: 1995 }, inferFilters("90s comedies")),
    ).toEqual({ genres: ["Drama", "Comedy"], yearFrom: 1995, yearTo: 1999 });
  });
});
