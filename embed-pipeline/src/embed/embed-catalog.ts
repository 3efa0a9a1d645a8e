import { Presets, SingleBar } from "cli-progress";
import type { ModelVariant } from "../../../core/embedding/model.ts";
import {
  chromaClient,
  MOVIES_COLLECTION,
  moviesCollection,
} from "../../../core/vector/movies-collection.ts";
import { PASSAGES_COLLECTION, passagesCollection } from "../../../core/vector/passages.ts";
import type { PipelineConfig } from "../config.ts";
import type { Database } from "../db/connect.ts";
import { type DeviceRequest, OnnxEmbedder } from "./embedder.ts";
import {
  type EmbedReport,
  planEmbedding,
  runEmbedding,
  textsOf,
  UpstreamError,
  type VectorStores,
} from "./run-embed.ts";

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
      for (const name of [MOVIES_COLLECTION, PASSAGES_COLLECTION])
        await client.deleteCollection({ name }).catch(() => {});
    }
    const stores: VectorStores = {
      movies: await moviesCollection(client).catch(connectionFailed),
      passages: await passagesCollection(client).catch(connectionFailed),
    };
    const plan = await planEmbedding(db, stores, embedder.model, options.full ?? false);
    const texts = plan.toEmbed.reduce((n, work) => n + textsOf(work), 0);
    const deletes = plan.toDelete.movies.length + plan.toDelete.passages.length;
    log(
      `${plan.toEmbed.length} of ${plan.total} movies to embed (${texts} texts: facts and overview passages), ${deletes} vectors to delete`,
    );
    const started = performance.now();
    if (texts > 0) bar.start(texts, 0, { rate: "-" });
    const report = await runEmbedding(plan, stores, embedder, ({ done }) => {
      const rate = done / ((performance.now() - started) / 1000);
      bar.update(done, { rate: Number.isFinite(rate) ? rate.toFixed(0) : "-" });
    });
    bar.stop();
    log(
      `embedded ${report.embedded} movies (${report.texts} texts), deleted ${report.deleted} vectors, unchanged ${report.unchanged} in ${report.seconds.toFixed(1)} s`,
    );
    return report;
  } finally {
    bar.stop();
    await embedder.release();
  }
}
