/**
 * One benchmark contender per process, so each peak-memory figure is its own:
 *   tsx contenders.ts <onnx-fp32|onnx-int8|transformers-js> TEXTS.json OUT.f32 MODELS_DIR
 * Prints one JSON line: { loadSeconds, embedSeconds, texts, peakRssMb }.
 * OUT.f32 receives the vectors (float32, row-major) for the correctness check.
 */
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { OnnxEmbedder } from "../src/embed/embedder.ts";

const [contender, textsFile, outFile, modelsDir] = process.argv.slice(2) as [
  string,
  string,
  string,
  string,
];
const texts: string[] = JSON.parse(readFileSync(textsFile, "utf8"));
// transformers.js gets texts in batches of 32, as its pipeline is commonly called.
const BATCH = 32;

async function onnx(
  variant: "fp32" | "int8",
): Promise<{ load: number; embed: () => Promise<Float32Array[]> }> {
  const t0 = performance.now();
  const embedder = await OnnxEmbedder.create({
    modelsDir,
    variant,
    device: "cpu",
  });
  return { load: performance.now() - t0, embed: () => embedder.embed(texts) };
}

/** transformers.js as its documentation shows it, on the very same ONNX and tokenizer files. */
async function transformersJs(): Promise<{ load: number; embed: () => Promise<Float32Array[]> }> {
  const t0 = performance.now();
  const { env, pipeline } = await import("@huggingface/transformers");
  // transformers.js wants <root>/<model>/{config.json,tokenizer*.json,onnx/model.onnx}.
  const root = mkdtempSync(path.join(os.tmpdir(), "marquee-tjs-"));
  const dir = path.join(root, "all-MiniLM-L6-v2");
  mkdirSync(path.join(dir, "onnx"), { recursive: true });
  const abs = path.resolve(modelsDir);
  symlinkSync(path.join(abs, "sentence-transformers/config.json"), path.join(dir, "config.json"));
  symlinkSync(path.join(abs, "tokenizer.json"), path.join(dir, "tokenizer.json"));
  symlinkSync(path.join(abs, "tokenizer_config.json"), path.join(dir, "tokenizer_config.json"));
  symlinkSync(path.join(abs, "model.onnx"), path.join(dir, "onnx/model.onnx"));
  env.allowRemoteModels = false;
  env.localModelPath = root;
  const extractor = await pipeline("feature-extraction", "all-MiniLM-L6-v2", {
    dtype: "fp32",
    device: "cpu",
  });
  return {
    load: performance.now() - t0,
    embed: async () => {
      const vectors: Float32Array[] = [];
      for (let i = 0; i < texts.length; i += BATCH) {
        const output = await extractor(texts.slice(i, i + BATCH), {
          pooling: "mean",
          normalize: true,
        });
        const data = output.data as Float32Array;
        for (let row = 0; row < (output.dims[0] ?? 0); row++)
          vectors.push(data.slice(row * 384, (row + 1) * 384));
      }
      return vectors;
    },
  };
}

const setup =
  contender === "onnx-fp32"
    ? await onnx("fp32")
    : contender === "onnx-int8"
      ? await onnx("int8")
      : contender === "transformers-js"
        ? await transformersJs()
        : (() => {
            throw new Error(`unknown contender ${contender}`);
          })();
const t1 = performance.now();
const vectors = await setup.embed();
const embedSeconds = (performance.now() - t1) / 1000;
const out = new Float32Array(vectors.length * 384);
for (const [i, v] of vectors.entries()) out.set(v, i * 384);
writeFileSync(outFile, out);
console.log(
  JSON.stringify({
    loadSeconds: setup.load / 1000,
    embedSeconds,
    texts: texts.length,
    // maxRSS is in kilobytes: the process's peak resident memory.
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  }),
);
