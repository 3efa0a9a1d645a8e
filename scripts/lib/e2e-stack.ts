import { execFileSync } from "node:child_process";
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { MODEL_FILES } from "../../core/embedding/model.ts";
import { freePort } from "../../embed-pipeline/src/free-port.ts";
import { subsetDataDir } from "../../test/helpers/data-dir.ts";
import { startChroma } from "./chroma-server.ts";
import { startLocalWorker } from "./local-worker.ts";
import { createScratchDatabase, runPipeline } from "./scratch-catalog.ts";

const root = path.resolve(import.meta.dirname, "../..");

/** The catalog slice the Worker tests use: includes Toy Story (movie 1) and user 1's ratings of it. */
export const E2E_MOVIES = 1_200;

export interface E2eStack {
  /** http://127.0.0.1:PORT of `wrangler dev`: the page and the API. */
  base: string;
  /** The scratch database the Worker reads and writes (for checks behind the page). */
  databaseUrl: string;
  /** ADMIN_TOKEN of the Worker, for catalog writes through the API. */
  adminToken: string;
  /** Where wrangler dev writes its log. */
  workerLog: string;
  stop(): Promise<void>;
}

export interface E2eStackOptions {
  /** The server scratch databases are made on (default TEST_DATABASE_URL or the machine's). */
  adminUrl?: string;
  /** Progress lines (default: stderr). */
  log?: (line: string) => void;
  /** Folder for the wrangler log (default test-artifacts/e2e). */
  artifactsDir?: string;
}

/** Polls `probe` until it returns true or `ms` pass. */
async function until(what: string, ms: number, probe: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + ms;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      if (await probe()) return;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`${what} within ${ms / 1000} s${last ? `: ${String(last)}` : ""}`);
}

/**
 * The whole product on loopback, as a person would use it: a scratch
 * Postgres database with a slice of the real catalog (ingest, neighbours and
 * int8 embeddings through the pipeline's own CLI), a Chroma server, the int8
 * model in wrangler's local R2, the built page, and `wrangler dev` serving
 * page and API with the demo sign-in on and no Claude key (the deterministic
 * explainer answers: the product's offline mode). Every port is free-picked.
 */
export async function startE2eStack(options: E2eStackOptions = {}): Promise<E2eStack> {
  const log = options.log ?? ((line: string) => process.stderr.write(`[e2e] ${line}\n`));
  const started = Date.now();
  const step = (what: string) => log(`${what} (${((Date.now() - started) / 1000).toFixed(1)} s)`);

  const modelsDir = path.resolve(root, process.env.MODELS_DIR ?? "models/all-MiniLM-L6-v2");
  for (const file of [MODEL_FILES.int8, MODEL_FILES.tokenizer, MODEL_FILES.tokenizerConfig]) {
    if (!existsSync(path.join(modelsDir, file)))
      throw new Error(`${file} missing in ${modelsDir}: run \`npm run model:fetch\``);
  }
  const sourceData = path.resolve(root, process.env.DATA_DIR ?? "../shared/data");
  if (!existsSync(path.join(sourceData, "movielens-small/movies.csv")))
    throw new Error(`no MovieLens data in ${sourceData}: set DATA_DIR`);

  const cleanups: (() => Promise<void> | void)[] = [];
  const stop = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) {
      try {
        await cleanup();
      } catch (error) {
        log(`cleanup failed: ${String(error)}`);
      }
    }
  };

  try {
    // Scratch database, dropped on stop.
    const adminUrl =
      options.adminUrl ??
      process.env.TEST_DATABASE_URL ??
      "postgres://postgres@127.0.0.1:5432/test";
    const database = `marquee_e2e_${process.pid}`;
    const scratch = await createScratchDatabase(adminUrl, database);
    cleanups.push(scratch.drop);
    const databaseUrl = new URL(scratch.url);

    const chromaDir = mkdtempSync(path.join(os.tmpdir(), "marquee-e2e-chroma-"));
    cleanups.push(() => rmSync(chromaDir, { recursive: true, force: true }));
    const chroma = await startChroma({ root, dataDir: chromaDir, port: await freePort(), log });
    cleanups.push(() => chroma.stop());
    step(`Chroma on ${chroma.url}`);

    const dataDir = subsetDataDir(sourceData, E2E_MOVIES);
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const pipeline = (...args: string[]) =>
      runPipeline(
        { databaseUrl: databaseUrl.toString(), chromaUrl: chroma.url, modelsDir },
        ...args,
      );
    pipeline("ingest", "--data-dir", dataDir);
    step(`ingested ${E2E_MOVIES} movies into ${database}`);
    pipeline("neighbors");
    pipeline("embed", "--variant", "int8", "--device", "cpu");
    step("neighbours and int8 embeddings done");

    // The Worker reads the model from R2: wrangler's local bucket, the same
    // state folder (.wrangler/state) that `wrangler dev` below uses.
    execFileSync(
      process.execPath,
      [path.join(root, "node_modules/tsx/dist/cli.mjs"), "scripts/model-upload.ts"],
      {
        cwd: root,
        env: { ...process.env, MODELS_DIR: modelsDir },
        stdio: ["ignore", "ignore", "inherit"],
      },
    );
    step("model in local R2");

    const artifactsDir = options.artifactsDir ?? path.join(root, "test-artifacts/e2e");
    mkdirSync(artifactsDir, { recursive: true });
    const workerLog = path.join(artifactsDir, "wrangler.log");
    const logFd = openSync(workerLog, "w");
    cleanups.push(() => closeSync(logFd));
    const worker = await startLocalWorker(
      {
        DATABASE_URL: databaseUrl.toString(),
        CHROMA_URL: chroma.url,
        JWT_SECRET: `e2e-jwt-${crypto.randomUUID()}`,
        DEMO_SIGNIN: "on",
        // Empty means unset: no Claude, the deterministic explainer answers.
        ANTHROPIC_API_KEY: "",
        EXPLAIN_PREFETCH: "0",
      },
      { args: ["--inspector-port", String(await freePort())], logFd },
    );
    cleanups.push(() => worker.stop());
    step(`wrangler dev on ${worker.base} (log: ${path.relative(root, workerLog)})`);

    // Warm up: every dependency healthy, and the first search (which loads
    // the model into the isolate) done before a browser waits on it.
    await until("GET /api/health did not answer 200", 90_000, async () => {
      const response = await fetch(`${worker.base}/api/health`);
      return response.ok;
    });
    await until("search for Toy Story did not find it", 90_000, async () => {
      const response = await fetch(`${worker.base}/api/search?q=toy%20story`);
      if (!response.ok) return false;
      const body = (await response.json()) as { results: { movieId: number }[] };
      return body.results.some((r) => r.movieId === 1);
    });
    step("stack ready");
    return {
      base: worker.base,
      databaseUrl: databaseUrl.toString(),
      adminToken: worker.adminToken,
      workerLog,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
