import { freePort } from "../../embed-pipeline/src/free-port.ts";
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
 * WebSocket proxy that forwards to `databaseUrl` (a local server, or the
 * embedded one `npm start` runs), through PgBouncer where it is installed
 * (as Neon's pooled endpoint does, see postgres-pooler.ts).
 */
export async function serveDatabaseToWorker(options: {
  databaseUrl: string;
}): Promise<WorkerPostgres> {
  const proxyPort = await freePort();
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
