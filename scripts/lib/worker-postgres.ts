import { PGlite } from "@electric-sql/pglite";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";
import { freePort } from "./free-port.ts";
import { startLocalNeonProxy } from "./neon-proxy.ts";
import { directReason, startPostgresPooler } from "./postgres-pooler.ts";

export interface WorkerPostgres {
  /** DATABASE_URL as the Worker sees it. */
  databaseUrl: string;
  /** NEON_PROXY for the Worker: host:port of the WebSocket proxy. */
  proxy: string;
  /** How the Worker reaches Postgres, for the logs. */
  route: string;
  close(): Promise<void>;
}

/**
 * Postgres for a local Worker, reached the way it reaches Neon: over a
 * WebSocket proxy. With DATABASE_URL, the proxy forwards to that server,
 * through PgBouncer where it is installed (as Neon's pooled endpoint does,
 * see postgres-pooler.ts); with the embedded database, PGlite itself is served on a loopback TCP port
 * (pglite-socket multiplexes the Worker's connections onto PGlite's one
 * session, query by query: fine for one person's local stack, not for load).
 */
export async function serveDatabaseToWorker(options: {
  databaseUrl?: string | undefined;
  /** Where the embedded database lives; required without databaseUrl. */
  pgliteDir?: string;
}): Promise<WorkerPostgres> {
  const proxyPort = await freePort();
  if (options.databaseUrl) {
    const pooler = await startPostgresPooler(options.databaseUrl, await freePort());
    const url = new URL(pooler?.databaseUrl ?? options.databaseUrl);
    const address = `${url.hostname}:${url.port || 5432}`;
    const proxy = await startLocalNeonProxy({ port: proxyPort, allow: [address] });
    return {
      databaseUrl: url.toString(),
      proxy: `127.0.0.1:${proxyPort}`,
      route: pooler
        ? `PgBouncer on ${pooler.address}`
        : `direct: ${directReason(options.databaseUrl)}`,
      close: async () => {
        await proxy.close();
        await pooler?.stop();
      },
    };
  }
  if (!options.pgliteDir)
    throw new Error("serveDatabaseToWorker: no DATABASE_URL and no pgliteDir");
  const db = await PGlite.create(options.pgliteDir, { extensions: { pg_trgm } });
  const port = await freePort();
  const server = new PGLiteSocketServer({ db, port, host: "127.0.0.1", maxConnections: 16 });
  await server.start();
  const proxy = await startLocalNeonProxy({ port: proxyPort, allow: [`127.0.0.1:${port}`] });
  return {
    databaseUrl: `postgres://postgres@127.0.0.1:${port}/postgres`,
    proxy: `127.0.0.1:${proxyPort}`,
    route: "embedded PGlite",
    close: async () => {
      await proxy.close();
      await server.stop();
      await db.close();
    },
  };
}
