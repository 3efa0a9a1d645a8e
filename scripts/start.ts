/**
 * `npm start`: the whole product on its embedded defaults. Fetches the model
 * if it is missing, starts a local Chroma server unless one answers at
 * CHROMA_URL, opens Postgres (DATABASE_URL, or the embedded PostgreSQL
 * server), applies the migrations, ingests DATA_DIR (default ./data),
 * recomputes recommendation neighbours when ratings changed, embeds what
 * changed (embed-pipeline/src/build-catalog.ts), then serves the page and the API with `wrangler dev` on
 * http://localhost:PORT (default 8787). A second start reuses everything and
 * is up in seconds; Ctrl-C stops everything it started.
 * `npm start -- --pipeline-only` stops after the data is ready.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { buildCatalog } from "../embed-pipeline/src/build-catalog.ts";
import { loadConfig } from "../embed-pipeline/src/config.ts";
import { connect } from "../embed-pipeline/src/db/connect.ts";
import { databaseServer } from "../embed-pipeline/src/db/embedded-postgres.ts";
import { type ChromaServer, heartbeat, startChroma } from "./lib/chroma-server.ts";
import { ensureModel, uploadModelOnce } from "./lib/local-model.ts";
import { claudeVars, localSecret } from "./lib/local-settings.ts";
import { ensureWebBuild } from "./lib/web-build.ts";
import { serveDatabaseToWorker, type WorkerPostgres } from "./lib/worker-postgres.ts";
import { spawnWranglerDev, waitFor } from "./lib/wrangler-dev.ts";

const root = path.resolve(import.meta.dirname, "..");
const config = loadConfig();
const dataDir = process.env.DATA_DIR ?? "data";
const step = (text: string) => console.log(`\n== ${text}`);
const started = performance.now();

async function main(): Promise<void> {
  if (!existsSync(path.join(dataDir, "movielens-small/movies.csv"))) {
    throw new Error(
      `no MovieLens data in ${path.resolve(dataDir)}: download it (see README, "Data") or set DATA_DIR`,
    );
  }
  step("model files (all-MiniLM-L6-v2)");
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
  // Ctrl-C stops what this run started (Chroma ignores SIGINT itself), once:
  // a terminal's Ctrl-C reaches npm, tsx and this process alike and may be
  // passed on again, and the Worker exiting on it ends main() too; every
  // signal and that path share one stop.
  const stoppers: (() => Promise<void>)[] = [async () => chroma?.stop()];
  let stopping: Promise<unknown> | undefined;
  const stopAll = () =>
    (stopping ??= Promise.allSettled([...stoppers].reverse().map((stop) => stop())));
  const shutdown = () => {
    void stopAll().then(() => process.exit(130));
  };
  process.on("SIGINT", shutdown);
  process.on("SIGTERM", shutdown);
  // DATABASE_URL, or the embedded PostgreSQL server under MARQUEE_HOME, running until we stop.
  const database = await databaseServer({
    databaseUrl: config.DATABASE_URL,
    embeddedDir: config.embeddedDir,
    log: console.log,
  });
  stoppers.push(database.stop);
  const databaseUrl = database.url;
  const connection = await connect({ databaseUrl });
  try {
    step(
      `Postgres: ${config.DATABASE_URL ? connection.target : `embedded, data in ${config.embeddedDir}`}`,
    );
    await buildCatalog(connection, config, dataDir, console.log);
  } finally {
    await connection.close();
  }
  console.log(`\nthe catalog is ready (${((performance.now() - started) / 1000).toFixed(1)} s)`);
  if (process.argv.includes("--pipeline-only")) {
    await stopAll();
    return;
  }

  step("the Worker: page and API");
  uploadModelOnce();
  ensureWebBuild();
  const postgres: WorkerPostgres = await serveDatabaseToWorker({ databaseUrl });
  stoppers.push(postgres.close);
  console.log(`Postgres for the Worker: ${postgres.route}`);
  const port = Number(process.env.PORT ?? 8787);
  const worker = spawnWranglerDev({
    port,
    output: "all",
    vars: {
      DATABASE_URL: postgres.databaseUrl,
      NEON_PROXY: postgres.proxy,
      CHROMA_URL: config.CHROMA_URL,
      ...(config.CHROMA_TOKEN ? { CHROMA_TOKEN: config.CHROMA_TOKEN } : {}),
      JWT_SECRET: localSecret(config.MARQUEE_HOME, "jwt-secret"),
      ADMIN_TOKEN: localSecret(config.MARQUEE_HOME, "admin-token"),
      // The page's demo sign-in; never on in a deployment.
      DEMO_SIGNIN: "on",
      ...claudeVars(process.env),
    },
  });
  stoppers.push(worker.stop);
  await waitFor(`http://127.0.0.1:${port}/api/health`, worker.child);
  console.log(
    `\nMarquee is up on http://localhost:${port} (${((performance.now() - started) / 1000).toFixed(1)} s). Ctrl-C stops it.`,
  );
  await new Promise<void>((resolve) => worker.child.once("exit", () => resolve()));
  await stopAll();
}

main().catch((error: unknown) => {
  console.error(`error: ${(error as Error).message}`);
  process.exitCode = 1;
});
