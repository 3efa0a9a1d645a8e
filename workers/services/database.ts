import { drizzle } from "drizzle-orm/neon-serverless";
import * as schema from "../../core/db/schema.ts";
import type { WorkerEnv } from "../env.ts";
import { openPool } from "./postgres.ts";

export type Db = ReturnType<typeof drizzle<typeof schema>>;

export interface Database {
  db: Db;
  /** Ends the request's pool; run it in waitUntil or after a stream ends. */
  close(): Promise<void>;
}

/** drizzle over the request's Neon pool (WebSocket, so transactions work). */
export function openDatabase(env: WorkerEnv): Database {
  const pool = openPool(env);
  return { db: drizzle(pool, { schema }), close: () => pool.end().catch(() => {}) };
}
