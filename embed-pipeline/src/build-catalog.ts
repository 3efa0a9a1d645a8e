import path from "node:path";
import type { PipelineConfig } from "./config.ts";
import type { connect } from "./db/connect.ts";
import { migrate } from "./db/migrate.ts";
import { embedCatalog } from "./embed/embed-catalog.ts";
import { formatIngestReport, runIngest } from "./ingest/run-ingest.ts";
import { buildNeighbors, formatNeighborsReport, neighborsMissing } from "./recs/build-neighbors.ts";

/**
 * The whole pipeline, in the one order it runs in (`npm start` and
 * `npm run pipeline -- all`): migrations, the ingest of `dataDir`, the
 * recommendation neighbours when ratings changed (or were never computed),
 * and the embeddings of whatever text changed. Each step is incremental, so
 * a re-run on unchanged data writes nothing.
 */
export async function buildCatalog(
  connection: Awaited<ReturnType<typeof connect>>,
  config: PipelineConfig,
  dataDir: string,
  log: (line: string) => void,
): Promise<void> {
  const step = (text: string) => log(`\n== ${text}`);
  await migrate(connection);
  step(`ingest ${path.resolve(dataDir)}`);
  const ingestStarted = performance.now();
  const ingest = await runIngest(connection, dataDir);
  log(formatIngestReport(ingest));
  log(`ingest took ${((performance.now() - ingestStarted) / 1000).toFixed(1)} s`);
  const { inserted, updated, deleted } = ingest.written.ratings;
  if (inserted + updated + deleted > 0 || (await neighborsMissing(connection.db))) {
    step("item-item neighbours for recommendations");
    log(formatNeighborsReport(await buildNeighbors(connection)));
  }
  step("embeddings");
  await embedCatalog(connection.db, config, { device: "auto", variant: "fp32" }, log);
}
