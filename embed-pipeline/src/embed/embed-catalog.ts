import { Presets, SingleBar } from "cli-progress";
import type { ModelVariant } from "../../../core/embedding/model.ts";
import {
  chromaClient,
  MOVIES_COLLECTION,
  moviesCollection,
} from "../../../core/vector/movies-collection.ts";
import type { PipelineConfig } from "../config.ts";
import type { Database } from "../db/connect.ts";
import { type DeviceRequest, OnnxEmbedder } from "./embedder.ts";
import { type EmbedReport, planEmbedding, runEmbedding, UpstreamError } from "./run-embed.ts";

export interface EmbedCatalogOptions {
  full?: boolean;
  device: DeviceRequest;
  variant: ModelVariant;
  batchSize?: number;
  threads?: number;
}

/**
 * The `embed` job: bring Chroma in line with the catalog in Postgres,
 * with a progress bar (rate, ETA) on a terminal and periodic lines in logs.
 */
export async function embedCatalog(
  db: Database,
  config: PipelineConfig,
  options: EmbedCatalogOptions,
  log: (line: string) => void,
): Promise<EmbedReport> {
  const client = chromaClient(config.CHROMA_URL, config.CHROMA_TOKEN);
  const embedder = await OnnxEmbedder.create({
    modelsDir: config.MODELS_DIR,
    variant: options.variant,
    device: options.device,
    batchSize: options.batchSize,
    threads: options.threads,
    log,
  });
  const bar = new SingleBar(
    {
      format: "embedding |{bar}| {value}/{total} | {rate} texts/s | ETA {eta_formatted}",
      hideCursor: true,
      etaBuffer: 50,
      // Without a terminal (CI logs), print a line every few seconds instead.
      noTTYOutput: true,
      notTTYSchedule: 5_000,
    },
    Presets.shades_classic,
  );
  try {
    const connectionFailed = (cause: unknown) => {
      throw new UpstreamError(`cannot reach Chroma at ${config.CHROMA_URL}`, { cause });
    };
    if (options.full) {
      await client.heartbeat().catch(connectionFailed);
      await client.deleteCollection({ name: MOVIES_COLLECTION }).catch(() => {});
    }
    const collection = await moviesCollection(client).catch(connectionFailed);
    const plan = await planEmbedding(db, collection, embedder.model, options.full ?? false);
    log(
      `${plan.toEmbed.length} of ${plan.total} movies to embed, ${plan.toDelete.length} vectors to delete`,
    );
    const started = performance.now();
    if (plan.toEmbed.length > 0) bar.start(plan.toEmbed.length, 0, { rate: "-" });
    const report = await runEmbedding(plan, collection, embedder, ({ done }) => {
      const rate = done / ((performance.now() - started) / 1000);
      bar.update(done, { rate: Number.isFinite(rate) ? rate.toFixed(0) : "-" });
    });
    bar.stop();
    log(
      `embedded ${report.embedded}, deleted ${report.deleted}, unchanged ${report.unchanged} in ${report.seconds.toFixed(1)} s`,
    );
    return report;
  } finally {
    bar.stop();
    await embedder.release();
  }
}
