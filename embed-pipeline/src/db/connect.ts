import type { SQL } from "drizzle-orm";
import { drizzle } from "drizzle-orm/node-postgres";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import pg from "pg";
import * as schema from "../../../core/db/schema.ts";
import { databaseServer } from "./embedded-postgres.ts";

export type Schema = typeof schema;
/** A drizzle database over either driver; the pipeline never needs to know which. */
export type Database = PgDatabase<PgQueryResultHKT, Schema>;

export interface Connection {
  db: Database;
  /** The pool under `db`, for what drizzle cannot do (COPY, copy-rows.ts). */
  pool: pg.Pool;
  kind: "postgres" | "embedded";
  /** Human-readable target, without credentials. */
  target: string;
  close(): Promise<void>;
}

/**
 * Connects to DATABASE_URL when given (a local server, or Neon over its
 * standard TCP endpoint), otherwise starts the embedded PostgreSQL server in
 * `embeddedDir` (nothing to install, embedded-postgres.ts) for as long as the
 * connection is open.
 */
export async function connect(options: {
  databaseUrl?: string | undefined;
  embeddedDir?: string;
  log?: (line: string) => void;
}): Promise<Connection> {
  const server = await databaseServer(options);
  const databaseUrl = server.url;
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 4 });
  // A client losing its server (idle, or mid-transaction) must not crash the
  // process with an unhandled 'error' event: the pending query rejects instead.
  pool.on("error", () => {});
  pool.on("connect", (client) => client.on("error", () => {}));
  const close = async () => {
    await pool.end().catch(() => {});
    await server.stop();
  };
  try {
    const client = await pool.connect();
    client.release();
  } catch (cause) {
    await close();
    throw new Error(`cannot reach Postgres at ${redact(databaseUrl)}`, { cause });
  }
  return {
    db: drizzle(pool, { schema }) as unknown as Database,
    pool,
    kind: server.embedded ? "embedded" : "postgres",
    target: server.embedded ? `embedded PostgreSQL in ${options.embeddedDir}` : redact(databaseUrl),
    close,
  };
}

function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "(unparseable DATABASE_URL)";
  }
}

/** Runs raw SQL and returns its rows; both drivers answer with `{ rows }`. */
export async function queryRows<T>(db: Database, query: SQL): Promise<T[]> {
  const result = (await db.execute(query)) as unknown as { rows: T[] };
  return result.rows;
}
