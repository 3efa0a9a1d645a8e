import { describe, expect, it } from "vitest";
import { normalizeTitle, titleKey } from "../../core/normalize.ts";
import { parseMovieLensTitle, restoreArticle } from "../../core/titles.ts";

describe("parseMovieLensTitle", () => {
  it.each([
    ["Toy Story (1995)", "Toy Story", 1995, []],
    ["Matrix, The (1999)", "The Matrix", 1999, []],
    ["Seven (a.k.a. Se7en) (1995)", "Seven", 1995, ["Se7en"]],
    [
      "City of Lost Children, The (Cité des enfants perdus, La) (1995)",
      "The City of Lost Children",
      1995,
      ["La Cité des enfants perdus"],
    ],
    ["Auberge espagnole, L' (2002)", "L'Auberge espagnole", 2002, []],
    [
      "Lord of the Rings: The Two Towers, The (2002)",
      "The Lord of the Rings: The Two Towers",
      2002,
      [],
    ],
    ["(500) Days of Summer (2009)", "(500) Days of Summer", 2009, []],
    ["Babylon 5", "Babylon 5", null, []],
    ["Stranger Things (2016–2017)  ", "Stranger Things", 2016, []],
    ["Shall We Dance? (Shall We Dansu?) (1996)", "Shall We Dance?", 1996, ["Shall We Dansu?"]],
  ])("%s", (raw, title, year, alternates) => {
    expect(parseMovieLensTitle(raw)).toEqual({ title, year, alternateTitles: alternates });
  });
});

describe("restoreArticle", () => {
  it("moves a trailing article to the front and leaves other commas alone", () => {
    expect(restoreArticle("Good, the Bad and the Ugly, The")).toBe(
      "The Good, the Bad and the Ugly",
    );
    expect(restoreArticle("Crouching Tiger, Hidden Dragon")).toBe("Crouching Tiger, Hidden Dragon");
  });
});

describe("titleKey", () => {
  it("joins the same title written by different sources", () => {
    expect(titleKey("Lord of the Rings: The Return of the King, The")).toBe(
      titleKey("The Lord of the Rings: The Return of the King"),
    );
    expect(titleKey("Amélie")).toBe(titleKey("Amelie"));
    expect(titleKey("Harry Potter & the Goblet of Fire")).toBe(
      titleKey("Harry Potter and the Goblet of Fire"),
    );
    expect(titleKey("Up")).not.toBe(titleKey("Upside Down"));
  });

  it("is normalizeTitle without its spaces", () => {
    for (const title of [
      "Monsters, Inc.",
      "Matrix, The",
      "Se7en's",
      "Amélie (2001)",
      "Léon: The Professional",
    ])
      expect(titleKey(title)).toBe(normalizeTitle(title).replaceAll(" ", ""));
    expect(titleKey("Monsters, Inc.")).toBe("monstersinc");
  });
});
