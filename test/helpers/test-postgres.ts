import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import {
  startEmbeddedPostgres,
  stopEmbeddedPostgres,
} from "../../embed-pipeline/src/db/embedded-postgres.ts";

/** Where the tests look for a server when TEST_DATABASE_URL is unset. */
export const DEFAULT_TEST_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/test";

async function answers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

export interface TestPostgres {
  /** A database on the server tests create their scratch databases from. */
  url: string;
  /** Set when the tests started the embedded server: its scratch folder, for stopTestPostgres. */
  embeddedDir?: string;
}

/**
 * The PostgreSQL the tests use: TEST_DATABASE_URL when set; else the
 * machine's server at the default URL when it answers; else the embedded
 * server the product runs by default (a real server, with pg_trgm), started
 * in a scratch folder on a free port (stopTestPostgres stops it).
 */
export async function testPostgres(log: (line: string) => void): Promise<TestPostgres> {
  if (process.env.TEST_DATABASE_URL) return { url: process.env.TEST_DATABASE_URL };
  if (await answers(DEFAULT_TEST_DATABASE_URL)) return { url: DEFAULT_TEST_DATABASE_URL };
  const dir = mkdtempSync(path.join(os.tmpdir(), "marquee-test-postgres-"));
  log(
    `no PostgreSQL answers at ${DEFAULT_TEST_DATABASE_URL} and TEST_DATABASE_URL is unset: starting the embedded one in ${dir}`,
  );
  const server = await startEmbeddedPostgres(path.join(dir, "postgres"), log);
  return { url: server.url, embeddedDir: dir };
}

/** Stops the embedded server testPostgres started, and removes its folder. */
export async function stopTestPostgres(embeddedDir: string | undefined): Promise<void> {
  if (!embeddedDir) return;
  await stopEmbeddedPostgres(path.join(embeddedDir, "postgres"));
  rmSync(embeddedDir, { recursive: true, force: true });
}
