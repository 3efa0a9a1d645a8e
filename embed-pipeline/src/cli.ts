import { Command, InvalidArgumentError } from "commander";
import { loadConfig } from "./config.ts";
import { connect } from "./db/connect.ts";
import { migrate } from "./db/migrate.ts";
import { formatIngestReport, runIngest } from "./ingest/run-ingest.ts";

const program = new Command("pipeline").description(
  "Marquee's offline pipeline: catalog and ratings into Postgres, embeddings into Chroma.",
);

async function withDatabase<T>(run: (c: Awaited<ReturnType<typeof connect>>) => Promise<T>) {
  const config = loadConfig();
  const connection = await connect({
    databaseUrl: config.DATABASE_URL,
    pgliteDir: config.pgliteDir,
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
    withDatabase(async (c) => {
      await migrate(c);
      console.log(`migrations applied to ${c.target}`);
    }),
  );

program
  .command("ingest")
  .description("load MovieLens (+ TMDB, IMDb enrichments) into Postgres")
  .requiredOption("--data-dir <dir>", "folder laid out like ../shared/data", process.env.DATA_DIR)
  .action((options: { dataDir: string }) =>
    withDatabase(async (c) => {
      await migrate(c);
      const started = performance.now();
      const report = await runIngest(c.db, options.dataDir);
      console.log(formatIngestReport(report));
      console.log(
        `ingest into ${c.target} took ${((performance.now() - started) / 1000).toFixed(1)} s`,
      );
    }),
  );

export function positiveInt(value: string): number {
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
