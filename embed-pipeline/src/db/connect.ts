import { mkdirSync } from "node:fs";
import { PGlite } from "@electric-sql/pglite";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
import type { SQL } from "drizzle-orm";
import { drizzle as drizzleNodePg } from "drizzle-orm/node-postgres";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import pg from "pg";
import * as schema from "../../../core/db/schema.ts";

export type Schema = typeof schema;
/** A drizzle database over either driver; the pipeline never needs to know which. */
export type Database = PgDatabase<PgQueryResultHKT, Schema>;

export interface Connection {
  db: Database;
  kind: "postgres" | "embedded";
  /** Human-readable target, without credentials. */
  target: string;
  close(): Promise<void>;
}

/**
 * Connects to DATABASE_URL when given (a local server, or Neon over its
 * standard TCP endpoint), otherwise opens the embedded PGlite database in
 * `pgliteDir`, which needs nothing installed.
 */
export async function connect(options: {
  databaseUrl?: string | undefined;
  pgliteDir: string;
}): Promise<Connection> {
  if (options.databaseUrl) {
    const pool = new pg.Pool({ connectionString: options.databaseUrl, max: 4 });
    // A client losing its server (idle, or mid-transaction) must not crash the
    // process with an unhandled 'error' event: the pending query rejects instead.
    pool.on("error", () => {});
    pool.on("connect", (client) => client.on("error", () => {}));
    try {
      const client = await pool.connect();
      client.release();
    } catch (cause) {
      await pool.end().catch(() => {});
      throw new Error(`cannot reach Postgres at ${redact(options.databaseUrl)}`, { cause });
    }
    return {
      db: drizzleNodePg(pool, { schema }) as unknown as Database,
      kind: "postgres",
      target: redact(options.databaseUrl),
      close: () => pool.end(),
    };
  }
  mkdirSync(options.pgliteDir, { recursive: true });
  const client = await PGlite.create(options.pgliteDir, { extensions: { pg_trgm } });
  return {
    db: drizzlePglite(client, { schema }) as unknown as Database,
    kind: "embedded",
    target: `embedded PGlite at ${options.pgliteDir}`,
    close: () => client.close(),
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
