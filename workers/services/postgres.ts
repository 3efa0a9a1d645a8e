import { neon, neonConfig, Pool, type PoolClient } from "@neondatabase/serverless";
import type { WorkerEnv } from "../env.ts";
import type { Queryable } from "./queryable.ts";

/** Past this, Postgres is treated as down for the query. */
const QUERY_TIMEOUT_MS = 3_000;

/**
 * A WebSocket that drops writes once it is closing or closed. The driver
 * coalesces writes and sends them from a timer, which can fire after the
 * connection has gone (Postgres unreachable, or the pool ended): send() then
 * throws in the timer, an uncaught exception in the isolate
 * (neondatabase/serverless#10). Dropping the write loses nothing: the close
 * has already failed the query it belonged to. Every pool opened here uses it.
 */
export class LateWriteSafeWebSocket extends WebSocket {
  override send(data: string | ArrayBuffer | ArrayBufferView): void {
    if (this.readyState === WebSocket.CLOSING || this.readyState === WebSocket.CLOSED) return;
    super.send(data);
  }
}
neonConfig.webSocketConstructor = LateWriteSafeWebSocket;

/** Locally, a proxy stands in for Neon's endpoints (NEON_PROXY, see scripts/lib/neon-proxy.ts). */
function configureLocalProxy(env: WorkerEnv): void {
  const proxy = env.NEON_PROXY;
  if (!proxy) return;
  neonConfig.wsProxy = (host, port) => `${proxy}/v1?address=${host}:${port}`;
  neonConfig.useSecureWebSocket = false;
  neonConfig.pipelineTLS = false;
  neonConfig.pipelineConnect = false;
  neonConfig.fetchEndpoint = () => `http://${proxy}/sql`;
}

/**
 * A Neon pool for one request (Workers must not share sockets across
 * requests), over a WebSocket: for sessions and transactions. The caller
 * ends it in waitUntil.
 */
export function openPool(env: WorkerEnv): Pool {
  configureLocalProxy(env);
  const pool = new Pool({
    connectionString: env.DATABASE_URL,
    connectionTimeoutMillis: QUERY_TIMEOUT_MS,
    max: 2,
  });
  // A lost connection must reject the query in flight, not crash the isolate.
  pool.on("error", () => {});
  pool.on("connect", (client: PoolClient) => client.on("error", () => {}));
  return pool;
}

/**
 * One-shot queries over Neon's HTTP endpoint: one fetch per query, no
 * connection to open or close, which is what a search needs (measured in
 * docs/benchmarks.md: a WebSocket send costs the isolate far more than a fetch).
 */
export function openSql(env: WorkerEnv): Queryable {
  configureLocalProxy(env);
  const sql = neon(env.DATABASE_URL, { fullResults: true });
  return {
    query: (text, params) =>
      sql.query(text, params, {
        fullResults: true,
        fetchOptions: { signal: AbortSignal.timeout(QUERY_TIMEOUT_MS) },
      }),
  };
}
