import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import os from "node:os";
import path from "node:path";
import { MODEL_FILES } from "../../core/embedding/model.ts";
import { startChroma } from "../../scripts/lib/chroma-server.ts";
import { startBlackHole, startFakeAnthropic } from "../../scripts/lib/fake-anthropic.ts";
import { startLocalNeonProxy } from "../../scripts/lib/neon-proxy.ts";
import { startPostgresPooler } from "../../scripts/lib/postgres-pooler.ts";
import { createScratchDatabase, runPipeline } from "../../scripts/lib/scratch-catalog.ts";
import { subsetDataDir } from "../helpers/data-dir.ts";
import { stopTestPostgres } from "../helpers/test-postgres.ts";

const root = path.resolve(import.meta.dirname, "../..");
/** Enough of the catalog for title, typo and description queries (The Godfather is movie 858). */
export const WORKER_TEST_MOVIES = 1_200;

/**
 * The real services the Worker under test talks to: a scratch Postgres
 * database with the catalog, a Chroma server with its vectors, the Neon
 * WebSocket proxy, and a file server the tests copy the model from into R2.
 */
let pipelineVectors = "[]";

export default async function setup() {
  const ports = JSON.parse(process.env.MARQUEE_TEST_PORTS ?? "{}") as Record<
    "chroma" | "neonProxy" | "files" | "anthropic" | "blackHole" | "pooler",
    number
  >;
  const adminUrl = process.env.MARQUEE_TEST_ADMIN_URL as string;
  const database = process.env.MARQUEE_TEST_DATABASE as string;
  const scratch = await createScratchDatabase(adminUrl, database);

  const chromaDir = mkdtempSync(path.join(os.tmpdir(), "marquee-workers-chroma-"));
  const chroma = await startChroma({ root, dataDir: chromaDir, port: ports.chroma });
  // Started when PgBouncer is installed; vitest.workers.config.ts points the Worker at it then.
  const pooler = await startPostgresPooler(adminUrl, ports.pooler);
  const server = new URL(adminUrl);
  const proxy = await startLocalNeonProxy({
    port: ports.neonProxy,
    allow: [`${server.hostname}:${server.port || 5432}`, ...(pooler ? [pooler.address] : [])],
  });
  const anthropic = await startFakeAnthropic(ports.anthropic);
  const blackHole = await startBlackHole(ports.blackHole);
  const modelsDir = path.resolve(root, process.env.MODELS_DIR ?? "models/all-MiniLM-L6-v2");
  const files = createServer((request, response) => {
    const name = path.basename(request.url ?? "");
    if (name === "pipeline-int8.json") {
      response.writeHead(200).end(pipelineVectors);
      return;
    }
    if (!(Object.values(MODEL_FILES) as string[]).includes(name)) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200).end(readFileSync(path.join(modelsDir, name)));
  }).listen(ports.files, "127.0.0.1");

  // The pipeline's own CLI loads the data, in a plain Node process: this
  // setup runs under the Workers runner's browser-first module resolution.
  const dataDir = subsetDataDir(
    path.resolve(root, process.env.DATA_DIR ?? "../shared/data"),
    WORKER_TEST_MOVIES,
  );
  const pipeline = (...args: string[]) =>
    runPipeline({ databaseUrl: scratch.url, chromaUrl: chroma.url, modelsDir }, ...args);
  pipeline("ingest", "--data-dir", dataDir);
  pipeline("neighbors");
  pipeline("embed", "--variant", "int8", "--device", "cpu");
  // The pipeline's int8 vectors for the reference texts: the Worker must reproduce them.
  const texts = JSON.parse(
    readFileSync(path.join(root, "test/fixtures/reference-texts.json"), "utf8"),
  ) as string[];
  const vectors = pipeline("vector", "--variant", "int8", "--device", "cpu", "--", ...texts)
    .toString()
    .trim()
    .split("\n");
  pipelineVectors = `[${vectors.join(",")}]`;

  return async () => {
    files.close();
    anthropic.close();
    blackHole.closeAllConnections();
    blackHole.close();
    await proxy.close();
    await pooler?.stop();
    await chroma.stop();
    rmSync(chromaDir, { recursive: true, force: true });
    rmSync(dataDir, { recursive: true, force: true });
    await scratch.drop();
    await stopTestPostgres(process.env.MARQUEE_TEST_EMBEDDED_DIR);
  };
}
