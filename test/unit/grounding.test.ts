import { describe, expect, it } from "vitest";
import {
  checkGrounding,
  checkText,
  sentencesOf,
} from "../../workers/services/explain/grounding.ts";
import type {
  ExplainContext,
  ExplanationDraft,
  Violation,
} from "../../workers/services/explain/types.ts";
import { explainContext, prisoners, zodiac } from "../helpers/explain-contexts.ts";

const context = explainContext();
// Placeholders of the context's films: Zodiac (target), Se7en, The Silence of the Lambs, Donnie Darko (liked).
const Z = "[[53519]]";
const SE7EN = "[[47]]";
const SILENCE = "[[593]]";
const DONNIE = "[[4878]]";

function draft(explanation: string, evidence = [{ movieId: 47, why: "same director" }]) {
  return { explanation, confidence: "high", evidence } satisfies ExplanationDraft;
}

function kinds(violations: Violation[]): Violation["kind"][] {
  return violations.map((v) => v.kind);
}

/** The violations of a draft of `text`, with the default evidence. */
function check(text: string, ctx: ExplainContext = context): Violation[] {
  return checkGrounding(draft(text), ctx);
}

/** Expects a draft of `text` to get exactly one violation, of `kind`, that mentions `excerpt`. */
function expectOneViolation(text: string, kind: Violation["kind"], excerpt: string) {
  const violations = check(text);
  expect(kinds(violations)).toEqual([kind]);
  expect(violations[0]?.message).toContain(excerpt);
}

const grounded = draft(
  `You gave ${SE7EN} [[47:stars]] and ${SILENCE} [[593:stars]]. ${Z} is directed by David Fincher, who also made ${SE7EN}. Like ${SE7EN}, it is tagged "serial killer", and ${Z} shares crime and thriller with ${SILENCE}.`,
  [
    { movieId: 47, why: "same director, David Fincher" },
    { movieId: 593, why: `shares crime, thriller; you rated it [[593:stars]]` },
  ],
);

describe("checkGrounding", () => {
  it("passes a grounded draft", () => {
    expect(checkGrounding(grounded, context)).toEqual([]);
    expect(checkText(grounded.explanation, context)).toEqual([]);
  });

  it("accepts people, places and words of the data, capitalised genres and tags", () => {
    const text = `${Z} is a Crime Thriller set in San Francisco, and both it and ${DONNIE} star Jake Gyllenhaal. You gave ${DONNIE} [[4878:stars]].`;
    expect(check(text)).toEqual([]);
  });

  describe("placeholders", () => {
    it("flags an id outside the target and the liked movies, the neighbours included", () => {
      const violations = check(`${Z} is a lot like [[${prisoners.movieId}]] and [[999]].`);
      expect(kinds(violations)).toEqual(["unknown-id", "unknown-id"]);
      expect(violations[0]?.message).toBe(
        "[[104374]] is neither the target nor one of the user's rated movies in <liked_movies>.",
      );
    });

    it("flags stars for the target, which the user has not rated", () => {
      expectOneViolation(
        `You would give ${Z} [[53519:stars]].`,
        "unknown-id",
        "not rated the target",
      );
    });

    it("flags a malformed placeholder", () => {
      expectOneViolation(`You loved [[47] and ${Z}.`, "format", "only as [[movieId]]");
    });
  });

  describe("titles", () => {
    it("flags a title written out that is not in the data", () => {
      expect(check(`${Z} has the patient mood of ${SE7EN} and Casablanca.`)).toEqual([
        {
          kind: "invented-title",
          message:
            'The explanation names "Casablanca", which is not in the data; name movies only as [[movieId]].',
        },
      ]);
      expectOneViolation(
        `${Z} feels like The Crimson Harbor, which you rated highly.`,
        "invented-title",
        '"The Crimson Harbor"',
      );
      expectOneViolation(`Jurassic Park fans will like ${Z}.`, "invented-title", '"Jurassic Park"');
    });

    it("flags a context title written out instead of its placeholder", () => {
      expectOneViolation(`${Z} recalls Donnie Darko.`, "invented-title", '"Donnie Darko"');
    });

    it("flags a quoted phrase the data does not contain", () => {
      expectOneViolation(
        `${Z} is what critics call "a slow-burn masterpiece".`,
        "invented-title",
        '"a slow-burn masterpiece"',
      );
    });

    it("lets a sentence open with any one capitalised word", () => {
      expect(check(`Patient and precise, ${Z} is a thriller like ${SE7EN}.`)).toEqual([]);
    });
  });

  describe("what only placeholders may say", () => {
    it("flags any year written out, but not decades", () => {
      expectOneViolation(`${Z} (2009) follows an investigation.`, "wrong-year", "2009");
      const decades = `${Z} recalls 1970s thrillers and '90s crime films.`;
      expect(check(decades)).toEqual([]);
    });

    it("flags a rating written out, right or wrong", () => {
      for (const written of ["5 stars", "2.5-star", "5/5", "4 out of 5", "★★★★"]) {
        expectOneViolation(`You gave ${SE7EN} ${written}.`, "wrong-rating", "[[movieId:stars]]");
      }
    });
  });

  describe("evidence", () => {
    const checkEvidence = (evidence: ExplanationDraft["evidence"]) =>
      checkGrounding(draft(`${Z} is directed by David Fincher.`, evidence), context);

    it("flags an id that is not a liked movie", () => {
      expect(checkEvidence([{ movieId: 999_999, why: "similar" }])).toEqual([
        {
          kind: "unknown-evidence-id",
          message:
            "evidence movieId 999999 is unknown, not one of the user's rated movies in <liked_movies>.",
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

    it("checks each why as it checks the explanation", () => {
      const violations = checkEvidence([
        { movieId: 47, why: "you rated it 5 stars, like Casablanca" },
        { movieId: 593, why: "directed by Christopher Nolan" },
      ]);
      // Christopher Nolan is also a name the data does not hold.
      expect(kinds(violations)).toEqual([
        "wrong-rating",
        "invented-title",
        "invented-title",
        "wrong-director",
      ]);
      expect(violations[0]?.message).toMatch(/^The "why" for evidence movieId 47 writes "5 stars"/);
      expect(violations[3]?.message).toBe(
        'The "why" for evidence movieId 593 credits Christopher Nolan as director, but Zodiac is directed by David Fincher and The Silence of the Lambs is directed by Jonathan Demme.',
      );
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
      expect(check(text, ctx).filter((v) => v.kind === "wrong-director")).toEqual([
        { kind: "wrong-director", message },
      ]);
    });

    it("accepts the director of the movie the sentence names, or a surname", () => {
      const text = `${SILENCE} is directed by Jonathan Demme. ${Z} comes from director Fincher.`;
      expect(check(text)).toEqual([]);
    });
  });

  describe("genres", () => {
    it("flags a genre the target does not have", () => {
      expect(check(`${Z} is a western.`)).toEqual([
        {
          kind: "wrong-genre",
          message:
            'The explanation calls Zodiac "western", but its genres in the context are Crime, Drama, Mystery, Thriller.',
        },
      ]);
    });

    it("checks a sentence naming the target and liked movies against their union", () => {
      expect(check(`${Z} shares the horror of ${SILENCE}.`)).toEqual([]);
      expectOneViolation(
        `${Z} shares the comedy of ${SILENCE}.`,
        "wrong-genre",
        "Zodiac and The Silence of the Lambs",
      );
    });

    it("accepts genre words backed by tags, negations and style words", () => {
      const tagged = explainContext({
        target: { ...zodiac, tags: [...zodiac.tags, "dark comedy"] },
      });
      const text = `${Z} is a dark comedy at heart, not a horror film, with a documentary-like attention to detail.`;
      expect(check(text, tagged)).toEqual([]);
    });

    it("leaves genre words alone in sentences that do not name the target", () => {
      const text = `${Z} is a thriller. You also liked the horror of ${SILENCE}.`;
      expect(check(text)).toEqual([]);
    });
  });

  describe("format", () => {
    it("flags a draft that is too long once its titles are written out", () => {
      const text = `${Z} is a slow, patient investigation, truly${", slow and patient".repeat(36)}.`;
      expect(text.length).toBeLessThanOrEqual(700);
      const shown = text.length - Z.length + "Zodiac (2007)".length;
      expect(check(text)).toEqual([
        {
          kind: "format",
          message: `The explanation is ${shown} characters long with its titles written out; the limit is 700.`,
        },
      ]);
    });

    it("flags too many sentences, an empty text, bad evidence and a bad confidence", () => {
      const five = `${Z} is tense. It is long. It is patient. It is precise. It is great.`;
      expect(check(five)).toEqual([
        { kind: "format", message: "The explanation has 5 sentences; the limit is 4." },
      ]);
      const bad = {
        explanation: "  ",
        confidence: "certain",
        evidence: [{ movieId: 47, why: "" }],
      } as unknown as ExplanationDraft;
      expect(checkGrounding(bad, context).map((v) => v.message)).toEqual([
        "The explanation is empty.",
        'The "why" for evidence movieId 47 is empty.',
        'confidence must be "high", "medium" or "low".',
      ]);
    });

    it("needs evidence unless the user has no liked movies", () => {
      const none = draft(`${Z} is directed by David Fincher.`, []);
      expect(kinds(checkGrounding(none, context))).toEqual(["format"]);
      expect(checkGrounding(none, { ...context, liked: [] })).toEqual([]);
      const six = draft(
        `${Z} is directed by David Fincher.`,
        Array.from({ length: 6 }, () => ({ movieId: 47, why: "x" })),
      );
      expect(checkGrounding(six, context)[0]?.message).toBe(
        "evidence has 6 items; the limit is 5.",
      );
    });
  });
});

describe("sentencesOf", () => {
  it("splits at sentence ends followed by space, keeping closing quotes", () => {
    expect(sentencesOf(`You gave ${SE7EN} [[47:stars]]. It is "great!" Is it next?  Yes`)).toEqual([
      "You gave [[47]] [[47:stars]].",
      'It is "great!"',
      "Is it next?",
      "Yes",
    ]);
  });
});
