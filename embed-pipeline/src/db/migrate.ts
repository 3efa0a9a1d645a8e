import path from "node:path";
import { fileURLToPath } from "node:url";
import type { NodePgDatabase } from "drizzle-orm/node-postgres";
import { migrate as migrateNodePg } from "drizzle-orm/node-postgres/migrator";
import type { Connection, Schema } from "./connect.ts";

const migrationsFolder = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  "../../../migrations",
);

/** Applies the committed SQL migrations in `migrations/`; already-applied ones are skipped. */
export async function migrate(connection: Connection): Promise<void> {
  await migrateNodePg(connection.db as unknown as NodePgDatabase<Schema>, { migrationsFolder });
}
