import { neonConfig, Pool, type PoolClient } from "@neondatabase/serverless";
import type { WorkerEnv } from "../env.ts";

/**
 * A Neon pool for one request (Workers must not share sockets across
 * requests); the caller ends it in waitUntil. Locally, a WebSocket-to-TCP
 * proxy stands in for Neon's (NEON_WS_PROXY, see scripts/neon-ws-proxy.ts).
 */
export function openPool(env: WorkerEnv): Pool {
  if (env.NEON_WS_PROXY) {
    const proxy = env.NEON_WS_PROXY;
    neonConfig.wsProxy = (host, port) => `${proxy}/v1?address=${host}:${port}`;
    neonConfig.useSecureWebSocket = false;
    neonConfig.pipelineTLS = false;
    neonConfig.pipelineConnect = false;
  }
  const pool = new Pool({
    connectionString: env.DATABASE_URL,
    connectionTimeoutMillis: 3_000,
    max: 2,
  });
  // A lost connection must reject the query in flight, not crash the isolate.
  pool.on("error", () => {});
  pool.on("connect", (client: PoolClient) => client.on("error", () => {}));
  return pool;
}
