import { Command, InvalidArgumentError, Option } from "commander";
import { MODEL_VARIANTS, type ModelVariant } from "../../core/embedding/model.ts";
import { buildCatalog } from "./build-catalog.ts";
import { loadConfig } from "./config.ts";
import { connect } from "./db/connect.ts";
import { migrate } from "./db/migrate.ts";
import { type EmbedCatalogOptions, embedCatalog } from "./embed/embed-catalog.ts";
import { type DeviceRequest, OnnxEmbedder } from "./embed/embedder.ts";
import { formatIngestReport, runIngest } from "./ingest/run-ingest.ts";
import { buildNeighbors, formatNeighborsReport } from "./recs/build-neighbors.ts";

const program = new Command("pipeline").description(
  "Marquee's offline pipeline: catalog and ratings into Postgres, embeddings into Chroma.",
);

/** Runs `run` with DATABASE_URL's database, or the embedded server's, and closes it after. */
async function withConnection<T>(run: (c: Awaited<ReturnType<typeof connect>>) => Promise<T>) {
  const config = loadConfig();
  const connection = await connect({
    databaseUrl: config.DATABASE_URL,
    embeddedDir: config.embeddedDir,
    log: console.log,
  });
  try {
    return await run(connection);
  } finally {
    await connection.close();
  }
}

program
  .command("migrate")
  .description("apply the SQL migrations in migrations/")
  .action(() =>
    withConnection(async (c) => {
      await migrate(c);
      console.log(`migrations applied to ${c.target}`);
    }),
  );

program
  .command("ingest")
  .description("load MovieLens (+ TMDB, IMDb enrichments) into Postgres")
  .requiredOption("--data-dir <dir>", "folder laid out like ../shared/data", process.env.DATA_DIR)
  .action((options: { dataDir: string }) =>
    withConnection(async (c) => {
      await migrate(c);
      const started = performance.now();
      const report = await runIngest(c, options.dataDir);
      console.log(formatIngestReport(report));
      console.log(
        `ingest into ${c.target} took ${((performance.now() - started) / 1000).toFixed(1)} s`,
      );
    }),
  );

program
  .command("all")
  .description(
    "everything npm start prepares: migrate, ingest, neighbours when ratings changed, embed",
  )
  .requiredOption("--data-dir <dir>", "folder laid out like ../shared/data", process.env.DATA_DIR)
  .action((options: { dataDir: string }) =>
    withConnection((c) => buildCatalog(c, loadConfig(), options.dataDir, console.log)),
  );

program
  .command("neighbors")
  .description(
    "recompute item-item neighbours and rating counts (recommendations) from the ratings",
  )
  .option("--threads <n>", "threads computing the pairs (default: one per core)", positiveInt)
  .action((options: { threads?: number }) =>
    withConnection(async (c) => {
      console.log(formatNeighborsReport(await buildNeighbors(c, options.threads)));
    }),
  );

program
  .command("embed")
  .description(
    "embed movies whose text changed since their last embedding and upsert them into Chroma",
  )
  .option("--full", "drop the collection and re-embed everything")
  .addOption(
    new Option("--device <device>", "where the model runs")
      .choices(["auto", "cpu", "cuda"])
      .default("auto"),
  )
  .addOption(
    new Option("--variant <variant>", "model file").choices([...MODEL_VARIANTS]).default("fp32"),
  )
  .option("--batch-size <n>", "texts per ONNX run (default: 16 on CPU, 256 on CUDA)", positiveInt)
  .option("--threads <n>", "CPU threads for ONNX Runtime (default: all cores)", positiveInt)
  .action((options: EmbedCatalogOptions) =>
    withConnection(async (c) => {
      await embedCatalog(c.db, loadConfig(), options, console.log);
    }),
  );

program
  .command("vector")
  .description("print the embedding of each text as a JSON array, one per line")
  .argument("<texts...>", "texts to embed")
  .addOption(
    new Option("--variant <variant>", "model file").choices([...MODEL_VARIANTS]).default("fp32"),
  )
  .addOption(
    new Option("--device <device>", "where the model runs")
      .choices(["auto", "cpu", "cuda"])
      .default("cpu"),
  )
  .action(async (texts: string[], options: { variant: ModelVariant; device: DeviceRequest }) => {
    const embedder = await OnnxEmbedder.create({
      modelsDir: loadConfig().MODELS_DIR,
      variant: options.variant,
      device: options.device,
    });
    for (const vector of await embedder.embed(texts))
      console.log(JSON.stringify(Array.from(vector)));
    await embedder.release();
  });

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError("expected a positive integer");
  return n;
}

program.parseAsync().catch((error: unknown) => {
  console.error(`error: ${describe(error)}`);
  process.exitCode = 1;
});

/** The error's message and its causes, one clause each. */
function describe(error: unknown): string {
  const parts: string[] = [];
  for (let e = error; e; e = (e as { cause?: unknown }).cause) {
    parts.push(e instanceof Error ? e.message : String(e));
    if (!(e instanceof Error)) break;
  }
  return parts.join(": ");
}
