import { type ChildProcess, spawn } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import os from "node:os";
import path from "node:path";

/**
 * PgBouncer in transaction mode in front of a local Postgres: what Neon's
 * pooled endpoint (also PgBouncer) does for the Worker in production. Workers
 * cannot keep a connection across requests, so every request opens one;
 * without a pooler each of those costs a new Postgres backend (a fork, ~4-5 ms
 * of CPU here), with one it is a handshake with PgBouncer (~0.6 ms).
 *
 * Optional: where PgBouncer is not installed (or POSTGRES_POOLER=off), the
 * Worker talks to Postgres directly and everything still works, slower. Only
 * for a Postgres on this machine: a remote one (Neon) has its own pooler and
 * wants TLS, which this local PgBouncer does not speak upstream.
 */
export interface PostgresPooler {
  /** The DATABASE_URL to hand the Worker: the same database, through the pooler. */
  databaseUrl: string;
  /** host:port the pooler listens on, for the Neon proxy's allow-list. */
  address: string;
  stop(): Promise<void>;
}

/** The pgbouncer executable: PGBOUNCER_BIN, or on PATH, or in Debian's /usr/sbin. */
function pgbouncerBinary(): string | undefined {
  if (process.env.PGBOUNCER_BIN) return process.env.PGBOUNCER_BIN;
  const dirs = [...(process.env.PATH ?? "").split(path.delimiter), "/usr/sbin", "/usr/local/sbin"];
  return dirs.map((dir) => path.join(dir, "pgbouncer")).find((file) => existsSync(file));
}

/** Why the Worker will reach `databaseUrl` without a pooler, or undefined when it will not. */
export function directReason(databaseUrl: string): string | undefined {
  const host = new URL(databaseUrl).hostname;
  if (!["127.0.0.1", "localhost", "[::1]"].includes(host))
    return "a remote server (it pools its own connections)";
  if (process.env.POSTGRES_POOLER === "off") return "POSTGRES_POOLER=off";
  if (!pgbouncerBinary()) return "PgBouncer not installed";
  return undefined;
}

/** PgBouncer refuses to run as root; as root it is started as this user (uid, gid). */
function unprivilegedUser(): { name: string; uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const passwd = readFileSync("/etc/passwd", "utf8").split("\n");
  for (const name of ["postgres", "nobody"]) {
    const fields = passwd.find((line) => line.startsWith(`${name}:`))?.split(":");
    if (fields) return { name, uid: Number(fields[2]), gid: Number(fields[3]) };
  }
  throw new Error("pgbouncer cannot run as root and neither a postgres nor a nobody user exists");
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/**
 * Starts PgBouncer on 127.0.0.1:`port` for the server in `databaseUrl`, or
 * returns undefined when the Worker should connect directly (directReason). Clients are not
 * authenticated by the pooler (it listens on loopback only); it logs in to
 * Postgres as the URL's user, with the URL's password if there is one.
 */
export async function startPostgresPooler(
  databaseUrl: string,
  port: number,
): Promise<PostgresPooler | undefined> {
  const binary = pgbouncerBinary();
  if (!binary || directReason(databaseUrl)) return undefined;
  const upstream = new URL(databaseUrl);
  const user = decodeURIComponent(upstream.username) || os.userInfo().username;
  const server = [
    `host=${upstream.hostname === "localhost" ? "127.0.0.1" : upstream.hostname}`,
    `port=${upstream.port || 5432}`,
    `user=${user}`,
    ...(upstream.password ? [`password=${decodeURIComponent(upstream.password)}`] : []),
  ].join(" ");
  const dir = mkdtempSync(path.join(os.tmpdir(), "marquee-pgbouncer-"));
  const config = path.join(dir, "pgbouncer.ini");
  writeFileSync(
    config,
    [
      "[databases]",
      `* = ${server}`,
      "[pgbouncer]",
      "listen_addr = 127.0.0.1",
      `listen_port = ${port}`,
      "unix_socket_dir =",
      // Any client name is accepted and the server login is the one above.
      "auth_type = any",
      // Neon's pooler mode: a server connection per transaction. Marquee's
      // statements are unnamed and its locks transaction-scoped, so it fits.
      "pool_mode = transaction",
      "default_pool_size = 20",
      "max_client_conn = 1000",
      "ignore_startup_parameters = extra_float_digits,options",
      // Errors only: one line per connection would be one per request.
      "log_connections = 0",
      "log_disconnections = 0",
      "log_stats = 0",
      "",
    ].join("\n"),
    { mode: 0o600 },
  );
  const runAs = unprivilegedUser();
  if (runAs) {
    chownSync(dir, runAs.uid, runAs.gid);
    chownSync(config, runAs.uid, runAs.gid);
  }
  const child: ChildProcess = spawn(binary, [...(runAs ? ["-u", runAs.name] : []), config], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4_000);
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stop = async () => {
    if (child.exitCode === null) child.kill("SIGTERM");
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 10_000;
  while (!(await portOpen(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`pgbouncer did not start on 127.0.0.1:${port}: ${stderr.trim()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const pooled = new URL(databaseUrl);
  pooled.hostname = "127.0.0.1";
  pooled.port = String(port);
  return { databaseUrl: pooled.toString(), address: `127.0.0.1:${port}`, stop };
}
