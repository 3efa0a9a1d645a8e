import { describe, expect, it } from "vitest";
import { cosine, normalizedMean, sumPool } from "../../core/embedding/pooling.ts";

/** Attention-masked mean pooling and L2 normalisation per row, as sentence-transformers does it. */
const meanPoolAndNormalize = (...args: Parameters<typeof sumPool>) =>
  sumPool(...args).map((row) => normalizedMean([row]));

describe("sumPool, then normalizedMean per row", () => {
  it("averages only the unmasked tokens, then normalises", () => {
    // batch 2, sequence 3, dims 2; row 1's last token is padding with huge values.
    const hidden = new Float32Array([1, 0, 3, 0, 5, 4, 0, 2, 0, 4, 100, 100]);
    const mask = new BigInt64Array([1n, 1n, 1n, 1n, 1n, 0n]);
    const [a, b] = meanPoolAndNormalize(hidden, mask, 2, 3, 2);
    // row 0: mean (3, 4/3) -> normalised
    const n = Math.hypot(3, 4 / 3);
    expect(Array.from(a ?? [])).toEqual([expect.closeTo(3 / n, 6), expect.closeTo(4 / 3 / n, 6)]);
    // row 1: mean (0, 3) -> (0, 1); the padded token is ignored
    expect(Array.from(b ?? [])).toEqual([0, 1]);
  });

  it("returns a zero vector for an all-zero input instead of NaN", () => {
    const [v] = meanPoolAndNormalize(new Float32Array(4), new BigInt64Array([1n, 1n]), 1, 2, 2);
    expect(Array.from(v ?? [])).toEqual([0, 0]);
  });

  it("rejects a hidden state of the wrong size", () => {
    expect(() => meanPoolAndNormalize(new Float32Array(5), new BigInt64Array(2), 1, 2, 2)).toThrow(
      /expected 1x2x2/,
    );
  });
});

describe("cosine", () => {
  it("is 1 for parallel and 0 for orthogonal vectors", () => {
    expect(cosine([1, 2], [2, 4])).toBeCloseTo(1, 10);
    expect(cosine([1, 0], [0, 3])).toBe(0);
  });
});
