import { describe, expect, it } from "vitest";
import { buildEmbeddingText, contentHash, TAGS_IN_TEXT } from "../../core/catalog-text.ts";

const toyStory = {
  title: "Toy Story",
  year: 1995,
  genres: ["Adventure", "Animation"],
  overview: "Led by Woody, Andy's toys live happily in his room.",
  director: "John Lasseter",
  topCast: ["Tom Hanks", "Tim Allen"],
  tags: ["pixar", "fun"],
};

describe("buildEmbeddingText", () => {
  it("puts the overview right after the title, then genres, people and tags", () => {
    expect(buildEmbeddingText(toyStory)).toBe(
      "Toy Story (1995). Led by Woody, Andy's toys live happily in his room. Genres: Adventure, Animation. " +
        "Directed by John Lasseter. Starring Tom Hanks, Tim Allen. Tags: pixar, fun.",
    );
  });

  it("leaves out what a movie lacks", () => {
    expect(
      buildEmbeddingText({
        title: "Babylon 5",
        year: null,
        genres: [],
        overview: null,
        director: null,
        topCast: [],
        tags: [],
      }),
    ).toBe("Babylon 5.");
  });

  it("caps the tags", () => {
    const tags = Array.from({ length: 20 }, (_, i) => `tag${i}`);
    const text = buildEmbeddingText({ ...toyStory, tags });
    expect(text).toContain(`tag${TAGS_IN_TEXT - 1}.`);
    expect(text).not.toContain(`tag${TAGS_IN_TEXT}`);
  });
});

describe("contentHash", () => {
  it("is the sha256 of the text and changes with it", async () => {
    expect(await contentHash("abc")).toBe(
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    );
    expect(await contentHash("abd")).not.toBe(await contentHash("abc"));
  });
});
