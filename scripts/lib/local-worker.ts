import type { Server } from "node:http";
import { loadConfig } from "../../embed-pipeline/src/config.ts";
import { databaseServer } from "../../embed-pipeline/src/db/embedded-postgres.ts";
import { freePort } from "../../embed-pipeline/src/free-port.ts";
import { startFakeAnthropic } from "./fake-anthropic.ts";
import { uploadModelOnce } from "./local-model.ts";
import { ensureWebBuild } from "./web-build.ts";
import { serveDatabaseToWorker } from "./worker-postgres.ts";
import { spawnWranglerDev, waitFor } from "./wrangler-dev.ts";

export interface LocalWorker {
  /** http://127.0.0.1:PORT of `wrangler dev`. */
  base: string;
  /** The fake Messages API the Worker calls. */
  anthropic: string;
  /** How the Worker reaches Postgres (PgBouncer or direct). */
  postgresRoute: string;
  jwtSecret: string;
  adminToken: string;
  stop(): Promise<void>;
}

export interface LocalWorkerOptions {
  /** More `wrangler dev` arguments, e.g. `--inspector-port N`. */
  args?: string[];
  /** A file descriptor for wrangler's stdout and stderr (default: stderr inherited, stdout dropped). */
  logFd?: number;
  /** false: no DevTools inspector on the isolate (benchmarks; see spawnWranglerDev). */
  inspector?: false;
}

/**
 * `wrangler dev` on a free port against DATABASE_URL or the embedded
 * database (through a Neon
 * WebSocket proxy and, where installed, PgBouncer, started here), CHROMA_URL,
 * and a fake Messages API started here, every binding passed with --var so a
 * developer's .dev.vars is not needed; `vars` override any of them (an empty value unsets one). For
 * eval:explain, bench:explain and the browser tests' stack.
 */
export async function startLocalWorker(
  vars: Record<string, string> = {},
  options: LocalWorkerOptions = {},
): Promise<LocalWorker> {
  const config = loadConfig();
  const { DATABASE_URL: requested, ...overrides } = vars;
  ensureWebBuild();
  uploadModelOnce();
  const [port, anthropicPort] = [await freePort(), await freePort()];
  // DATABASE_URL, or the embedded database `npm start` loaded (started here, stopped with the Worker).
  const database = await databaseServer({
    databaseUrl: requested ?? config.DATABASE_URL,
    embeddedDir: config.embeddedDir,
  });
  const postgres = await serveDatabaseToWorker({ databaseUrl: database.url });
  const anthropic: Server = await startFakeAnthropic(anthropicPort);
  const secrets = {
    jwtSecret: `local-jwt-${crypto.randomUUID()}`,
    adminToken: `local-admin-${crypto.randomUUID()}`,
  };
  const all: Record<string, string> = {
    DATABASE_URL: postgres.databaseUrl,
    NEON_PROXY: postgres.proxy,
    CHROMA_URL: config.CHROMA_URL,
    ANTHROPIC_API_KEY: "local-fake",
    ANTHROPIC_BASE_URL: `http://127.0.0.1:${anthropicPort}`,
    JWT_SECRET: secrets.jwtSecret,
    ADMIN_TOKEN: secrets.adminToken,
    EXPLAIN_RATE_LIMIT: "10000",
    EXPLAIN_PREFETCH: "0",
    ...overrides,
  };
  const wrangler = spawnWranglerDev({
    port,
    vars: all,
    args: options.args ?? [],
    output: options.logFd ?? "errors",
    inspector: options.inspector,
  });
  const base = `http://127.0.0.1:${port}`;
  const stop = async () => {
    await wrangler.stop();
    anthropic.close();
    await postgres.close();
    await database.stop();
  };
  try {
    await waitFor(`${base}/api/health`, wrangler.child);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    base,
    anthropic: all.ANTHROPIC_BASE_URL as string,
    postgresRoute: postgres.route,
    ...secrets,
    stop,
  };
}
