import { describe, expect, it } from "vitest";
import { openStringValue } from "../../workers/services/explain/generate.ts";

describe("reading a string from JSON that is still arriving", () => {
  const full = JSON.stringify({
    explanation: 'You gave "Heat" 5 stars \u2014 and\nmore',
    confidence: "high",
  });

  it("grows with the stream and never shows half an escape", () => {
    let last = "";
    for (let end = 0; end <= full.length; end++) {
      const text = openStringValue(full.slice(0, end), "explanation");
      expect(text.startsWith(last)).toBe(true);
      last = text;
    }
    expect(last).toBe('You gave "Heat" 5 stars \u2014 and\nmore');
  });

  it("is empty before the key arrives", () => {
    expect(openStringValue('{"confid', "explanation")).toBe("");
  });
});
