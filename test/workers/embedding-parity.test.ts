import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { MODEL_FILES } from "../../core/embedding/model.ts";
import { cosine } from "../../core/embedding/pooling.ts";
import { loadQueryEmbedder } from "../../workers/services/query-embedder.ts";
import reference from "../fixtures/reference-vectors.json";

const testEnv = env as unknown as { MODELS: R2Bucket; TEST_FILES_URL: string };

beforeAll(async () => {
  for (const file of [MODEL_FILES.int8, MODEL_FILES.tokenizer, MODEL_FILES.tokenizerConfig]) {
    const response = await fetch(`${testEnv.TEST_FILES_URL}/${file}`);
    await testEnv.MODELS.put(`all-MiniLM-L6-v2/${file}`, await response.arrayBuffer());
  }
});

describe("query embeddings inside workerd (onnxruntime-web, int8 from R2)", () => {
  it("match sentence-transformers (cosine >= 0.99) on every reference text", async () => {
    const embedder = await loadQueryEmbedder(testEnv.MODELS, "all-MiniLM-L6-v2");
    for (const item of reference.items) {
      const vector = await embedder.embed(item.text);
      expect(vector).toHaveLength(384);
      expect(cosine(vector, item.vector), item.text.slice(0, 40)).toBeGreaterThanOrEqual(0.99);
    }
  });

  it("match the pipeline's vectors for the same int8 file (cosine >= 0.999)", async () => {
    const pipeline = (await (
      await fetch(`${testEnv.TEST_FILES_URL}/pipeline-int8.json`)
    ).json()) as number[][];
    expect(pipeline).toHaveLength(reference.items.length);
    const embedder = await loadQueryEmbedder(testEnv.MODELS, "all-MiniLM-L6-v2");
    for (const [i, item] of reference.items.entries()) {
      expect(
        cosine(await embedder.embed(item.text), pipeline[i] ?? []),
        item.text.slice(0, 40),
      ).toBeGreaterThanOrEqual(0.999);
    }
  });
});
