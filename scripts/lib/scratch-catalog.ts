import { execFileSync } from "node:child_process";
import path from "node:path";
import pg from "pg";

const root = path.resolve(import.meta.dirname, "../..");

/** A fresh Postgres database beside `adminUrl`'s, for a test stack; `drop()` removes it. */
export async function createScratchDatabase(
  adminUrl: string,
  name: string,
): Promise<{ url: string; drop(): Promise<void> }> {
  const run = async (sql: string) => {
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await run(`drop database if exists ${name} with (force)`);
  await run(`create database ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => run(`drop database if exists ${name} with (force)`) };
}

/**
 * Runs the pipeline's own CLI in a plain Node process (test setups may run
 * under a runner with browser-first module resolution), against the given
 * database, Chroma and model folder; returns its stdout.
 */
export function runPipeline(
  target: { databaseUrl: string; chromaUrl: string; modelsDir: string },
  ...args: string[]
): Buffer {
  return execFileSync(
    process.execPath,
    [path.join(root, "node_modules/tsx/dist/cli.mjs"), "embed-pipeline/src/cli.ts", ...args],
    {
      cwd: root,
      env: {
        ...process.env,
        DATABASE_URL: target.databaseUrl,
        CHROMA_URL: target.chromaUrl,
        MODELS_DIR: target.modelsDir,
      },
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
}
