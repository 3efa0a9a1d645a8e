// wrangler turns a .wasm import into a compiled WebAssembly.Module: Workers
// forbid compiling WebAssembly from bytes at run time.
import ortWasm from "onnxruntime-web/ort-wasm-simd-threaded.wasm";
import * as ort from "onnxruntime-web/wasm";
import { MODEL_FILES } from "../../core/embedding/model.ts";
import { runPooled } from "../../core/embedding/onnx-pool.ts";
import { normalizedMean, type PooledSum } from "../../core/embedding/pooling.ts";
import { SentenceTokenizer } from "../../core/embedding/tokenizer.ts";

/**
 * Embeds inside the Worker with the same model and tokenizer as the
 * pipeline: search queries, and the films the embed queue writes.
 */
export interface QueryEmbedder {
  /** One text's normalised mean-pooled vector. */
  embed(text: string): Promise<Float32Array>;
  /** Each text's pooled word pieces, in one model run (a film's parts pool together: core/vector/movie-vectors.ts). */
  pool(texts: string[]): Promise<PooledSum[]>;
}

let shimInstalled = false;
/** ORT's linear memory, once instantiated: most of what the model costs the isolate. */
let wasmMemory: WebAssembly.Memory | undefined;

/** Bytes of ORT's wasm memory in this isolate (0 before the model loads), for /api/health. */
export function wasmMemoryBytes(): number {
  return wasmMemory?.buffer.byteLength ?? 0;
}

/** The Memory an instance uses: exported by it, or handed to it among the imports. */
function findMemory(
  instance: WebAssembly.Instance,
  imports: WebAssembly.Imports | undefined,
): WebAssembly.Memory | undefined {
  const candidates = [
    ...Object.values(instance.exports),
    ...Object.values(imports ?? {}).flatMap((module) => Object.values(module)),
  ];
  return candidates.find((v): v is WebAssembly.Memory => v instanceof WebAssembly.Memory);
}

/**
 * ORT's emscripten glue calls WebAssembly.instantiate(bytes, imports) when
 * given wasmBinary; here any bytes are answered with the precompiled module.
 */
function installWasmShim(): void {
  if (shimInstalled) return;
  shimInstalled = true;
  const instantiate = WebAssembly.instantiate.bind(WebAssembly);
  WebAssembly.instantiate = ((source: unknown, imports?: WebAssembly.Imports) => {
    if (source instanceof WebAssembly.Module) return instantiate(source, imports);
    return instantiate(ortWasm as WebAssembly.Module, imports).then((instance) => {
      wasmMemory = findMemory(instance, imports);
      return { instance, module: ortWasm };
    });
  }) as typeof WebAssembly.instantiate;
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.proxy = false;
  ort.env.wasm.wasmBinary = new Uint8Array(8);
}

async function readObject(bucket: R2Bucket, key: string): Promise<ArrayBuffer> {
  const object = await bucket.get(key);
  if (!object)
    throw new Error(`R2 object ${key} is missing: upload the model (docs/deployment.md)`);
  return object.arrayBuffer();
}

/** Loads model and tokenizer from R2 once; callers keep the promise per isolate. */
export async function loadQueryEmbedder(bucket: R2Bucket, prefix: string): Promise<QueryEmbedder> {
  installWasmShim();
  const [model, tokenizerJson, tokenizerConfig] = await Promise.all([
    readObject(bucket, `${prefix}/${MODEL_FILES.int8}`),
    readObject(bucket, `${prefix}/${MODEL_FILES.tokenizer}`),
    readObject(bucket, `${prefix}/${MODEL_FILES.tokenizerConfig}`),
  ]);
  const decoder = new TextDecoder();
  const tokenizer = new SentenceTokenizer(
    JSON.parse(decoder.decode(tokenizerJson)),
    JSON.parse(decoder.decode(tokenizerConfig)),
  );
  const session = await ort.InferenceSession.create(new Uint8Array(model), {
    executionProviders: ["wasm"],
    graphOptimizationLevel: "all",
  });
  const pool = (texts: string[]): Promise<PooledSum[]> =>
    runPooled(
      { Tensor: ort.Tensor, session },
      texts.map((text) => tokenizer.encode(text)),
    );
  return {
    async embed(text) {
      const [pooled] = await pool([text]);
      if (!pooled) throw new Error("pooling returned no vector");
      return normalizedMean([pooled]);
    },
    pool,
  };
}

const loaded = new Map<string, Promise<QueryEmbedder>>();

/** The isolate's embedder per model prefix: loaded on first use, retried after a failed load. */
export function queryEmbedder(bucket: R2Bucket, prefix: string): Promise<QueryEmbedder> {
  let embedder = loaded.get(prefix);
  if (!embedder) {
    embedder = loadQueryEmbedder(bucket, prefix).catch((error: unknown) => {
      loaded.delete(prefix);
      throw error;
    });
    loaded.set(prefix, embedder);
  }
  return embedder;
}
