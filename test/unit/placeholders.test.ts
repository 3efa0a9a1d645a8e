import { describe, expect, it } from "vitest";
import {
  completePrefix,
  placeholdersIn,
  renderDraft,
  renderPlaceholders,
} from "../../workers/services/explain/placeholders.ts";
import { explainContext, zodiac } from "../helpers/explain-contexts.ts";

const context = explainContext();

describe("renderPlaceholders", () => {
  it("writes a film's title with its year the first time, and the user's stars", () => {
    expect(
      renderPlaceholders(
        "You gave [[47]] [[47:stars]] and [[593]] [[593:stars]]; [[53519]] follows [[47]].",
        context,
      ),
    ).toBe(
      "You gave Seven (a.k.a. Se7en) (1995) 5 stars and The Silence of the Lambs (1991) 4.5 stars; Zodiac (2007) follows Seven (a.k.a. Se7en).",
    );
  });

  it("leaves the year out when none is known, and unknown ids as they are", () => {
    const ctx = explainContext({ target: { ...zodiac, year: null } });
    expect(renderPlaceholders("[[53519]] or [[999]] or [[53519:stars]]", ctx)).toBe(
      "Zodiac or [[999]] or [[53519:stars]]",
    );
  });

  it("tolerates spaces inside the brackets", () => {
    expect(placeholdersIn("[[ 47 ]] and [[47 : stars]]")).toEqual([
      { movieId: 47, kind: "title", start: 0, end: 8 },
      { movieId: 47, kind: "stars", start: 13, end: 27 },
    ]);
  });

  it("renders a prefix cut between sentences as a prefix of the whole", () => {
    const text = "You gave [[47]] [[47:stars]]. [[53519]] shares [[47]]'s director. More.";
    const whole = renderPlaceholders(text, context);
    const cut = completePrefix(text);
    expect(whole.startsWith(renderPlaceholders(text.slice(0, cut), context))).toBe(true);
  });

  it("renders every why of a draft", () => {
    const draft = renderDraft(
      {
        explanation: "[[53519]] fits.",
        confidence: "low",
        evidence: [{ movieId: 47, why: "you rated it [[47:stars]]" }],
      },
      context,
    );
    expect(draft.explanation).toBe("Zodiac (2007) fits.");
    expect(draft.evidence[0]?.why).toBe("you rated it 5 stars");
  });
});

describe("completePrefix", () => {
  it("counts only the sentences that more text follows", () => {
    expect(completePrefix("You gave [[47]] [[47:stars]]")).toBe(0);
    expect(completePrefix("You gave [[47]] [[47:stars]].")).toBe(0);
    expect(completePrefix("You gave [[47]]. Its")).toBe("You gave [[47]]. ".length);
    expect(completePrefix('It is "great!" Then more')).toBe('It is "great!" '.length);
  });

  it("never cuts after a placeholder that is still open", () => {
    expect(completePrefix("It fits. You gave [[4")).toBe("It fits. ".length);
    expect(completePrefix("It fits. You gave [[47 oops. And")).toBe("It fits. ".length);
  });
});
