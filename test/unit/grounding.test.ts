import { describe, expect, it } from "vitest";
import { normalizeTitle } from "../../core/normalize.ts";
import { checkGrounding } from "../../workers/services/explain/grounding.ts";
import { splitSentences } from "../../workers/services/explain/sentences.ts";
import { titleCandidates } from "../../workers/services/explain/title-candidates.ts";
import type {
  ExplainContext,
  ExplanationDraft,
  Violation,
} from "../../workers/services/explain/types.ts";
import { explainContext, movie, prisoners, zodiac } from "../helpers/explain-contexts.ts";

const context = explainContext();

const NO_CATALOG: ReadonlySet<string> = new Set();

function draft(explanation: string, evidence = [{ movieId: 47, why: "same director" }]) {
  return { explanation, confidence: "high", evidence } satisfies ExplanationDraft;
}

function kinds(violations: Violation[]): Violation["kind"][] {
  return violations.map((v) => v.kind);
}

/** The violations of a draft of `text`, with the default evidence, checked with no catalog. */
function check(text: string, ctx: ExplainContext = context): Violation[] {
  return checkGrounding(draft(text), ctx, NO_CATALOG);
}

/** Expects a draft of `text` to get exactly one violation, of `kind`, that mentions `excerpt`. */
function expectOneViolation(text: string, kind: Violation["kind"], excerpt: string) {
  const violations = check(text);
  expect(kinds(violations)).toEqual([kind]);
  expect(violations[0]?.message).toContain(excerpt);
}

/** The violation for a title that the context does not hold. */
function invented(title: string): Violation {
  return {
    kind: "invented-title",
    message: `The explanation names "${title}", which is not in the context.`,
  };
}

const grounded = draft(
  'You gave Se7en 5 stars and The Silence of the Lambs 4.5 stars. Zodiac (2007) is directed by David Fincher, who also made Se7en. Like Se7en, it is tagged "serial killer", and Zodiac shares crime and thriller with The Silence of the Lambs.',
  [
    { movieId: 47, why: "same director, David Fincher" },
    { movieId: 593, why: "shares crime, thriller" },
  ],
);

describe("checkGrounding", () => {
  it("passes a grounded draft, also when the catalog confirms every context title", () => {
    expect(checkGrounding(grounded, context, NO_CATALOG)).toEqual([]);
    const catalog = new Set(titleCandidates(grounded.explanation).map((c) => c.toLowerCase()));
    expect(catalog.has("zodiac")).toBe(true);
    expect(checkGrounding(grounded, context, catalog)).toEqual([]);
  });

  it("accepts context titles joined by connectors or a director's possessive", () => {
    const text = "Fincher's Zodiac (2007) follows Se7en and Donnie Darko in tone.";
    const everything = new Set(titleCandidates(text).map((c) => c.toLowerCase()));
    expect(everything.has("fincher's zodiac")).toBe(true);
    expect(everything.has("se7en and donnie darko")).toBe(true);
    expect(checkGrounding(draft(text), context, everything)).toEqual([]);
  });

  it("accepts neighbours and people from the context", () => {
    const text =
      "Zodiac is a mystery thriller like Prisoners, and both star Jake Gyllenhaal. You gave Donnie Darko 4 stars.";
    const catalog = new Set(["zodiac", "prisoners", "donnie darko"]);
    expect(checkGrounding(draft(text), context, catalog)).toEqual([]);
  });

  describe("invented titles", () => {
    it("flags a real catalog title that is not in the context", () => {
      const text = "Zodiac has the patient mood of Se7en and Casablanca.";
      const catalog = new Set(["casablanca", "zodiac"]);
      expect(checkGrounding(draft(text), context, catalog)).toEqual([invented("Casablanca")]);
    });

    it("flags a capitalised title that appears nowhere in the context", () => {
      const text = "Zodiac feels like The Crimson Harbor, which you rated highly.";
      expect(check(text)).toEqual([invented("The Crimson Harbor")]);
    });

    it("flags a quoted phrase the context does not contain", () => {
      const text = 'Zodiac is what critics call "a slow-burn masterpiece".';
      expectOneViolation(text, "invented-title", '"a slow-burn masterpiece"');
    });

    it("does not flag a catalog title that is only part of a context title or a name", () => {
      // "The Silence" and "Lambs" are looked up too; only the whole title counts here.
      const text = "You gave The Silence of the Lambs 4.5 stars, and Fincher made Se7en.";
      const catalog = new Set(["the silence", "the silence of the lambs", "fincher", "se7en"]);
      expect(checkGrounding(draft(text), context, catalog)).toEqual([]);
    });

    it("flags a sequel of a context movie that the context does not hold", () => {
      const withToyStory = explainContext({
        neighbors: [movie({ movieId: 1, title: "Toy Story", year: 1995 })],
      });
      const text = "Zodiac is nothing like Toy Story 2 or Toy Story.";
      const catalog = new Set(["toy story 2", "toy story"]);
      expect(checkGrounding(draft(text), withToyStory, catalog)).toEqual([invented("Toy Story 2")]);
    });

    it("does not treat capitalised genres, tags or overview phrases as titles", () => {
      const text = 'Zodiac is a Crime Thriller set in San Francisco, tagged "serial killer".';
      expect(checkGrounding(draft(text), context, new Set(["serial killer"]))).toEqual([]);
    });
  });

  describe("tolerant title matching", () => {
    it.each([
      ["a leading article", "Silence of the Lambs", 1991],
      ["case", "THE SILENCE OF THE LAMBS", 1991],
      ["a possessive", "The Silence of the Lambs's", 1991],
      ["the alternate title in the stored parentheses", "Se7en", 1995],
      ["the main title without its parentheses", "Seven", 1995],
    ])("recognises %s", (_, written, year) => {
      // The year is only right if the sentence is understood to name the liked movie.
      const text = `${written} (${year}) is one you rated highly.`;
      const catalog = new Set(titleCandidates(text).map((c) => c.toLowerCase()));
      expect(checkGrounding(draft(text), context, catalog)).toEqual([]);
    });

    it("normalizes titles for comparison", () => {
      expect(normalizeTitle("The Matrix")).toBe("matrix");
      expect(normalizeTitle("matrix")).toBe("matrix");
      expect(normalizeTitle("Matrix, The")).toBe("matrix");
      expect(normalizeTitle("Seven (a.k.a. Se7en)")).toBe("seven");
      expect(normalizeTitle("Zodiac's")).toBe("zodiac");
      expect(normalizeTitle("Monsters, Inc.")).toBe("monsters inc");
      expect(normalizeTitle("Amélie!")).toBe("amelie");
    });
  });

  describe("evidence", () => {
    const checkEvidence = (evidence: ExplanationDraft["evidence"]) =>
      checkGrounding(draft("Zodiac is directed by David Fincher.", evidence), context, NO_CATALOG);

    it("flags an id that is not a liked movie", () => {
      expect(checkEvidence([{ movieId: 999_999, why: "similar" }])).toEqual([
        {
          kind: "unknown-evidence-id",
          message:
            "evidence movieId 999999 is not one of the user's rated movies in <liked_movies>.",
        },
      ]);
    });

    it("flags the target and neighbours as evidence, naming what they are", () => {
      const violations = checkEvidence([
        { movieId: zodiac.movieId, why: "itself" },
        { movieId: prisoners.movieId, why: "similar" },
      ]);
      expect(kinds(violations)).toEqual(["unknown-evidence-id", "unknown-evidence-id"]);
      expect(violations[0]?.message).toContain("the recommended movie itself");
      expect(violations[1]?.message).toContain("(Prisoners) is a similar catalog movie");
    });

    it("flags a duplicate id", () => {
      const violations = checkEvidence([
        { movieId: 47, why: "same director" },
        { movieId: 47, why: "same tag" },
      ]);
      expect(violations).toEqual([
        { kind: "unknown-evidence-id", message: "evidence movieId 47 is listed more than once." },
      ]);
    });
  });

  describe("years", () => {
    it("flags a wrong year for the target", () => {
      expect(check("Zodiac (2009) follows a long investigation.")).toEqual([
        {
          kind: "wrong-year",
          message:
            "The explanation mentions 2009 in a sentence about Zodiac, but Zodiac is from 2007.",
        },
      ]);
    });

    it("checks a year against the movie the sentence names", () => {
      const ok = "Se7en came out in 1995. It was released in 2007.";
      expect(check(ok)).toEqual([]);
      expectOneViolation(
        "Se7en came out in 2007.",
        "wrong-year",
        "Seven (a.k.a. Se7en) is from 1995",
      );
    });

    it("ignores decades and ratings", () => {
      const text = "Zodiac recalls 1970s thrillers and '90s crime films; you gave Se7en 4.5 stars.";
      expect(check(text)).toEqual([]);
    });
  });

  describe("directors", () => {
    const noDirector = explainContext({ target: { ...zodiac, director: null } });

    it.each([
      [
        "a wrong director for the target",
        context,
        "It was directed by Christopher Nolan.",
        "The explanation credits Christopher Nolan as director, but Zodiac is directed by David Fincher.",
      ],
      [
        "any director claim when the target's director is unknown",
        noDirector,
        "It is directed by David Fincher.",
        "The explanation credits David Fincher as director, but no director is known for Zodiac.",
      ],
    ])("flags %s", (_, ctx, text, message) => {
      expect(check(text, ctx)).toEqual([{ kind: "wrong-director", message }]);
    });

    it("accepts the director of the movie the sentence names, or a surname", () => {
      const text =
        "The Silence of the Lambs is directed by Jonathan Demme. Zodiac comes from director Fincher.";
      expect(check(text)).toEqual([]);
    });
  });

  describe("genres", () => {
    it("flags a genre the target does not have", () => {
      expect(check("Zodiac is a western.")).toEqual([
        {
          kind: "wrong-genre",
          message:
            'The explanation calls Zodiac "western", but its genres in the context are Crime, Drama, Mystery, Thriller.',
        },
      ]);
    });

    it("checks a sentence naming the target and liked movies against their union", () => {
      const text = "Zodiac shares the horror of The Silence of the Lambs.";
      expect(check(text)).toEqual([]);
      expectOneViolation(
        "Zodiac shares the comedy of The Silence of the Lambs.",
        "wrong-genre",
        "Zodiac and The Silence of the Lambs",
      );
    });

    it("accepts genre words backed by tags, negations and style words", () => {
      const tagged = explainContext({
        target: { ...zodiac, tags: [...zodiac.tags, "dark comedy"] },
      });
      const text =
        "Zodiac is a dark comedy at heart, not a horror film, with a documentary-like attention to detail.";
      expect(check(text, tagged)).toEqual([]);
    });

    it("leaves genre words alone in sentences that do not name the target", () => {
      const text = "Zodiac is a thriller. You also liked the horror of The Silence of the Lambs.";
      expect(check(text)).toEqual([]);
    });
  });

  describe("format", () => {
    it("flags a draft that is too long", () => {
      const text = `Zodiac is a slow, patient investigation${", slow and patient".repeat(40)}.`;
      expect(check(text)).toEqual([
        {
          kind: "format",
          message: `The explanation is ${text.length} characters long; the limit is 700.`,
        },
      ]);
    });

    it("flags too many sentences, an empty text, bad evidence and a bad confidence", () => {
      const five = "Zodiac is tense. It is long. It is patient. It is precise. It is great.";
      expect(check(five)).toEqual([
        { kind: "format", message: "The explanation has 5 sentences; the limit is 4." },
      ]);
      const bad = {
        explanation: "  ",
        confidence: "certain",
        evidence: [{ movieId: 47, why: "" }],
      } as unknown as ExplanationDraft;
      expect(checkGrounding(bad, context, NO_CATALOG).map((v) => v.message)).toEqual([
        "The explanation is empty.",
        'The "why" for evidence movieId 47 is empty.',
        'confidence must be "high", "medium" or "low", not "certain".',
      ]);
    });

    it("needs evidence unless the user has no liked movies", () => {
      const none = draft("Zodiac is directed by David Fincher.", []);
      expect(kinds(checkGrounding(none, context, NO_CATALOG))).toEqual(["format"]);
      expect(checkGrounding(none, { ...context, liked: [] }, NO_CATALOG)).toEqual([]);
      const six = draft(
        "Zodiac is directed by David Fincher.",
        Array.from({ length: 6 }, () => ({ movieId: 47, why: "x" })),
      );
      expect(checkGrounding(six, context, NO_CATALOG)[0]?.message).toBe(
        "evidence has 6 items; the limit is 5.",
      );
    });
  });
});

describe("titleCandidates", () => {
  it("finds multiword titles with numbers, colons and dashes", () => {
    const candidates = titleCandidates(
      "Because you loved Toy Story 2, we think Star Wars: Episode IV - A New Hope fits too.",
    );
    expect(candidates).toContain("Toy Story 2");
    expect(candidates).toContain("Star Wars: Episode IV - A New Hope");
    expect(candidates).not.toContain("Because");
  });

  it("finds single capitalised words mid-sentence but not sentence openers", () => {
    const candidates = titleCandidates("Fans of Alien will like it. Tension runs through Heat.");
    expect(candidates).toContain("Alien");
    expect(candidates).toContain("Heat");
    expect(candidates).not.toContain("Fans");
    expect(candidates).not.toContain("Tension");
  });

  it("offers the parts of a run joined by connectors, and quoted spans", () => {
    const candidates = titleCandidates(
      "Like Se7en and Casablanca, it has what one critic called “a cold precision”.",
    );
    expect(candidates).toEqual(["a cold precision", "Se7en and Casablanca", "Se7en", "Casablanca"]);
  });

  it("keeps connectors inside titles and drops possessives", () => {
    const candidates = titleCandidates(
      "You rated The Silence of the Lambs and Alien vs. Predator; Zodiac's cast is great.",
    );
    expect(candidates).toContain("The Silence of the Lambs and Alien vs. Predator");
    expect(candidates).toContain("The Silence of the Lambs");
    expect(candidates).toContain("Alien vs. Predator");
    expect(candidates).toContain("Zodiac");
  });

  it("keeps ratings out of titles, and offers a title without a trailing number", () => {
    const candidates = titleCandidates(
      "You gave Toy Story 4 stars, Toy Story 2 4.5 stars and Heat 5/5; Apollo 13 is next.",
    );
    expect(candidates).toEqual(["Toy Story", "Toy Story 2", "Apollo 13", "Heat", "Apollo"]);
  });

  it("ignores years after connectors and stays bounded", () => {
    expect(titleCandidates("Se7en came out in 1995.")).toEqual(["Se7en"]);
    const many = Array.from({ length: 60 }, (_, i) => `Title${i} Part`).join(", then ");
    expect(titleCandidates(many)).toHaveLength(40);
  });
});

describe("splitSentences", () => {
  it("keeps ratings, abbreviations and titles with dots intact", () => {
    const text =
      "You gave Monsters, Inc. 4.5 stars. Dr. Strangelove and Alien vs. Predator are here! Is Seven a.k.a. Se7en next?";
    expect(splitSentences(text).map((s) => s.text)).toEqual([
      "You gave Monsters, Inc. 4.5 stars.",
      "Dr. Strangelove and Alien vs. Predator are here!",
      "Is Seven a.k.a. Se7en next?",
    ]);
  });

  it("does not split inside a protected range, and reports offsets", () => {
    const text = "Shall We Dance? Is a favourite. Next one.";
    const protectedTitle = [{ start: 0, end: 15 }];
    const sentences = splitSentences(text, protectedTitle);
    expect(sentences.map((s) => s.text)).toEqual(["Shall We Dance? Is a favourite.", "Next one."]);
    expect(text.slice(sentences[1]?.start, sentences[1]?.end)).toBe("Next one.");
  });
});
