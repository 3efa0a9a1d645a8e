import pg from "pg";
import { connect } from "../../embed-pipeline/src/db/connect.ts";
import { migrate } from "../../embed-pipeline/src/db/migrate.ts";

/**
 * A fresh, empty database on the test server for one test file, dropped
 * afterwards, so no test depends on another's leftovers.
 */
export async function createScratchDatabase(
  adminUrl: string,
): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `marquee_test_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      await client.query(`drop database if exists ${name} with (force)`);
      await client.end();
    },
  };
}

/** A scratch database (createScratchDatabase) with every migration applied. */
export async function createMigratedScratchDatabase(
  adminUrl: string,
): ReturnType<typeof createScratchDatabase> {
  const scratch = await createScratchDatabase(adminUrl);
  const connection = await connect({ databaseUrl: scratch.url });
  try {
    await migrate(connection);
  } finally {
    await connection.close();
  }
  return scratch;
}
