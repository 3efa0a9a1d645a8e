import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { MAX_TOKENS, type ModelVariant } from "../../core/embedding/model.ts";
import { cosine } from "../../core/embedding/pooling.ts";
import { OnnxEmbedder } from "../../embed-pipeline/src/embed/embedder.ts";

interface Reference {
  items: { text: string; word_pieces: number; vector: number[] }[];
}

// Produced by scripts/python/reference_vectors.py: sentence-transformers itself
// on the same safetensors weights the ONNX files were exported from.
const reference: Reference = JSON.parse(
  readFileSync(path.join(import.meta.dirname, "../fixtures/reference-vectors.json"), "utf8"),
);

describe.each([
  ["fp32", 0.999],
  ["int8", 0.99],
] as [ModelVariant, number][])("%s model against sentence-transformers", (variant, floor) => {
  let embedder: OnnxEmbedder;
  beforeAll(async () => {
    embedder = await OnnxEmbedder.create({
      modelsDir: inject("modelsDir"),
      variant,
      device: "cpu",
    });
  });
  afterAll(() => embedder.release());

  it(`agrees on all ${reference.items.length} reference texts with cosine >= ${floor}`, async () => {
    expect(reference.items.length).toBeGreaterThanOrEqual(20);
    expect(reference.items.some((i) => i.word_pieces > MAX_TOKENS)).toBe(true);
    const vectors = await embedder.embed(reference.items.map((i) => i.text));
    const scores = reference.items.map((item, i) => cosine(vectors[i] ?? [], item.vector));
    for (const [i, score] of scores.entries()) {
      expect(score, reference.items[i]?.text.slice(0, 40)).toBeGreaterThanOrEqual(floor);
    }
  });

  it("gives the same vector alone as in a padded batch", async () => {
    const [alone] = await embedder.embed(["a"]);
    const batch = await embedder.embed(["a", reference.items[21]?.text ?? ""]);
    expect(cosine(alone ?? [], batch[0] ?? [])).toBeGreaterThan(0.99999);
  });
});

describe("tokenizer", () => {
  it("counts word pieces like the Python tokenizer and truncates at 256", async () => {
    const embedder = await OnnxEmbedder.create({
      modelsDir: inject("modelsDir"),
      variant: "int8",
      device: "cpu",
    });
    for (const item of reference.items) {
      expect(embedder.tokenizer.encode(item.text).length, item.text.slice(0, 40)).toBe(
        Math.min(item.word_pieces, MAX_TOKENS),
      );
    }
    const long = embedder.tokenizer.encode(reference.items[21]?.text ?? "");
    expect(long.at(0)).toBe(101); // [CLS]
    expect(long.at(-1)).toBe(102); // [SEP]
    await embedder.release();
  });
});

describe("published sentence-transformers values", () => {
  // model.encode(["This is an example sentence", "Each sentence is converted"])
  it("starts the two documented example vectors as sentence-transformers does", async () => {
    const embedder = await OnnxEmbedder.create({
      modelsDir: inject("modelsDir"),
      variant: "fp32",
      device: "cpu",
    });
    const [a, b] = await embedder.embed([
      "This is an example sentence",
      "Each sentence is converted",
    ]);
    expect(Array.from(a ?? []).slice(0, 3)).toEqual([
      expect.closeTo(0.0677, 4),
      expect.closeTo(0.0635, 4),
      expect.closeTo(0.0487, 4),
    ]);
    expect(Array.from(b ?? []).slice(0, 3)).toEqual([
      expect.closeTo(0.0864, 4),
      expect.closeTo(0.1028, 4),
      expect.closeTo(0.0054, 4),
    ]);
    expect(a?.length).toBe(384);
    await embedder.release();
  });
});
