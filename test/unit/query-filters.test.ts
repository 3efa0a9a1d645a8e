import { describe, expect, it } from "vitest";
import { inferFilters, mergeFilters } from "../../workers/services/query-filters.ts";

type Expected = [string, string | number][];

describe("inferFilters", () => {
  const cases: [string, Expected][] = [
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
      "2000s sci-fi",
      [
        ["genre", "Sci-Fi"],
        ["yearFrom", 2000],
        ["yearTo", 2009],
      ],
    ],
    [
      "1980s movies",
      [
        ["yearFrom", 1980],
        ["yearTo", 1989],
      ],
    ],
    [
      "from the 70s",
      [
        ["yearFrom", 1970],
        ["yearTo", 1979],
      ],
    ],
    ["toys come alive", []],
    ["Blade Runner 2049", []],
    // Plot, not filters: descriptions often name when a story is set.
    ["framed in the 1940s for the murder of his wife", []],
    ["set in 1962 on a hot summer night", []],
  ];
  it.each(cases)("%s", (query, expected) => {
    expect(inferFilters(query).map((f) => [f.kind, f.value])).toEqual(expected);
  });

  it("keeps the words each filter came from, for the UI's chips", () => {
    expect(inferFilters("90s comedies")).toEqual([
      { kind: "genre", value: "Comedy", from: "comedies" },
      { kind: "yearFrom", value: 1990, from: "90s" },
      { kind: "yearTo", value: 1999, from: "90s" },
    ]);
  });
});

describe("mergeFilters", () => {
  it("lets explicit parameters win and unions genres", () => {
    expect(
      mergeFilters({ genres: ["Drama"], yearFrom: 1995 }, inferFilters("90s comedies")),
    ).toEqual({
      genres: ["Drama", "Comedy"],
      yearFrom: 1995,
      yearTo: 1999,
    });
  });
});
