import { describe, expect, it } from "vitest";
import { capQuery, cutWords, filterChips, removeChip } from "../../web/src/search-filters.ts";
import { inferFilters, mergeFilters } from "../../workers/services/query-filters.ts";

const none = { genres: [] };

describe("filterChips", () => {
  it("makes one chip per genre and one per decade, from the server's inferred filters", () => {
    const chips = filterChips(inferFilters("90s comedies"), none);
    expect(chips.map((c) => c.label)).toEqual(["Comedy", "1990s"]);
    expect(chips[1]?.years).toEqual(["yearFrom", "yearTo"]);
  });

  it("shows the film a like query is about first, and removing it removes its words", () => {
    const like = { movieId: 51540, title: "Zodiac", year: 2007, from: "like zodiac" };
    const chips = filterChips(inferFilters("dark thriller"), none, like);
    expect(chips.map((c) => c.label)).toEqual(["like Zodiac (2007)", "Thriller"]);
    const [chip] = chips;
    if (!chip) throw new Error("no chip");
    const next = removeChip("dark thriller like zodiac", { genres: ["Thriller"] }, chip);
    expect(next).toEqual({ query: "dark thriller", filters: { genres: ["Thriller"] } });
  });

  it("labels open-ended and single-year ranges", () => {
    expect(filterChips(inferFilters("westerns after 1980"), none).map((c) => c.label)).toEqual([
      "Western",
      "after 1980",
    ]);
    expect(filterChips(inferFilters("horror before 1970"), none).map((c) => c.label)).toEqual([
      "Horror",
      "before 1970",
    ]);
    expect(filterChips(inferFilters("movies from 1994"), none).map((c) => c.label)).toEqual([
      "1994",
    ]);
  });

  it("shows explicit filters, merged with inferred ones, explicit years winning", () => {
    const chips = filterChips(inferFilters("90s comedies"), {
      genres: ["Comedy", "Drama"],
      yearFrom: 1995,
    });
    expect(chips.map((c) => c.label)).toEqual(["Comedy", "Drama", "before 2000", "after 1994"]);
  });
});

describe("removeChip", () => {
  it("removes a genre by cutting its words and pins the decade that relied on them", () => {
    const applied = inferFilters("90s comedies");
    const [comedy] = filterChips(applied, none);
    if (!comedy) throw new Error("no chip");
    const next = removeChip("90s comedies", mergeFilters(none, applied), comedy);
    expect(next).toEqual({ query: "90s", filters: { genres: [], yearFrom: 1990, yearTo: 1999 } });
    // The server no longer infers anything from what is left.
    expect(inferFilters(next.query)).toEqual([]);
  });

  it("removes a decade and keeps the genre", () => {
    const applied = inferFilters("feel-good 90s comedies");
    const decade = filterChips(applied, none).find((c) => c.label === "1990s");
    if (!decade) throw new Error("no chip");
    const next = removeChip("feel-good 90s comedies", mergeFilters(none, applied), decade);
    expect(next).toEqual({ query: "feel-good comedies", filters: { genres: ["Comedy"] } });
    expect(inferFilters(next.query).map((f) => f.kind)).toEqual(["genre"]);
  });

  it("removes an explicit year chip together with words asking for the same bound", () => {
    const applied = inferFilters("comedies after 1980");
    const explicit = { genres: ["Comedy"], yearFrom: 1981 };
    const chip = filterChips(applied, explicit).find((c) => c.key === "years:explicit");
    if (!chip) throw new Error("no chip");
    const next = removeChip("comedies after 1980", mergeFilters(explicit, applied), chip);
    expect(next).toEqual({ query: "comedies", filters: { genres: ["Comedy"] } });
  });
});

describe("cutWords", () => {
  it("cuts case-insensitively and tidies spaces", () => {
    expect(cutWords("Funny  COMEDIES from the 80s", ["comedies", "80s"])).toBe("Funny from the");
    expect(cutWords("  untouched  ", ["absent"])).toBe("  untouched  ");
  });
});

describe("capQuery", () => {
  it("caps at 200 characters without splitting a surrogate pair", () => {
    expect(capQuery("a".repeat(250))).toHaveLength(200);
    const capped = capQuery(`${"a".repeat(199)}😀tail`);
    expect(capped).toBe("a".repeat(199));
    expect(capQuery("short")).toBe("short");
  });
});
