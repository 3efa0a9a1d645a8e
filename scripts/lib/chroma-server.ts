import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

/** How to launch `chroma run` on this machine. */
export interface ChromaLauncher {
  command: string;
  args: string[];
  via: string;
}

const VENV = ".venv";
const PYTHON_REQUIREMENTS = "scripts/python/chroma.txt";

/** glibc of this process, or null off glibc (macOS, musl). */
function glibcVersion(): number[] | null {
  const header = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } })
    ?.header;
  return header?.glibcVersionRuntime?.split(".").map(Number) ?? null;
}

/**
 * Picks the Chroma server binary: CHROMA_BIN if set; the npm package's CLI
 * where its native binding loads (macOS, or glibc >= 2.39); otherwise the
 * PyPI `chromadb` package's `chroma` in .venv, installed on first use.
 */
export function chromaLauncher(root: string, log: (line: string) => void): ChromaLauncher {
  if (process.env.CHROMA_BIN)
    return { command: process.env.CHROMA_BIN, args: [], via: "CHROMA_BIN" };
  const glibc = glibcVersion();
  const npmCli = path.join(root, "node_modules/chromadb/dist/cli.mjs");
  const bindingLoads =
    process.platform === "darwin" ||
    (glibc !== null && ((glibc[0] ?? 0) > 2 || (glibc[1] ?? 0) >= 39));
  if (bindingLoads && existsSync(npmCli)) {
    return { command: process.execPath, args: [npmCli], via: "npm chromadb CLI" };
  }
  const chroma = path.join(root, VENV, "bin/chroma");
  if (!existsSync(chroma)) {
    log(
      `installing the Chroma server from PyPI into ${VENV} (glibc ${glibc?.join(".") ?? "?"} is too old for the npm CLI)`,
    );
    const python = process.env.PYTHON ?? "python3";
    if (!existsSync(path.join(root, VENV))) {
      execFileSync(python, ["-m", "venv", VENV], { cwd: root, stdio: "inherit" });
    }
    execFileSync(path.join(root, VENV, "bin/pip"), ["install", "-q", "-r", PYTHON_REQUIREMENTS], {
      cwd: root,
      stdio: "inherit",
    });
  }
  return { command: chroma, args: [], via: "PyPI chromadb" };
}

export interface ChromaServer {
  url: string;
  pid: number;
  /** Chroma ignores SIGTERM and SIGINT, so stopping means SIGKILL by its own pid. */
  stop(): Promise<void>;
}

/**
 * `chroma run`'s configuration file. Chroma's single-node default re-reads the
 * collection's record and segments from SQLite on every query (a no-op cache);
 * its distributed frontend keeps them in an LRU, and so do we: a 50-neighbour
 * query costs the server 0.5 ms of CPU instead of 1.5 ms, and 4 queries in
 * flight get through 2.8x as many (docs/benchmarks.md). Writes, deletes and
 * re-created collections are seen at once (checked against this server).
 * JSON is YAML, which is what Chroma reads.
 */
function chromaConfig(dataDir: string, port: number): string {
  const file = path.join(os.tmpdir(), `marquee-chroma-${port}.yaml`);
  const config = {
    persist_path: path.resolve(dataDir),
    listen_address: "127.0.0.1",
    port,
    collections_with_segments_provider: {
      cache: { lru: { name: "collections_with_segments_cache", capacity: 1000 } },
      cache_ttl_secs: 60,
      permitted_parallelism: 32,
    },
  };
  writeFileSync(file, JSON.stringify(config, null, 2));
  return file;
}

/** Starts `chroma run` on loopback and resolves once its heartbeat answers. */
export async function startChroma(options: {
  root: string;
  dataDir: string;
  port: number;
  log?: (line: string) => void;
  detached?: boolean;
  logFile?: number;
}): Promise<ChromaServer> {
  const log = options.log ?? (() => {});
  const launcher = chromaLauncher(options.root, log);
  mkdirSync(options.dataDir, { recursive: true });
  const url = `http://127.0.0.1:${options.port}`;
  if (await heartbeat(url)) throw new Error(`something already listens on ${url}`);
  const child: ChildProcess = spawn(
    launcher.command,
    [...launcher.args, "run", chromaConfig(options.dataDir, options.port)],
    {
      cwd: options.root,
      detached: options.detached ?? false,
      stdio: ["ignore", options.logFile ?? "ignore", options.logFile ?? "ignore"],
      env: { ...process.env, ANONYMIZED_TELEMETRY: "False" },
    },
  );
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start ${launcher.command}`);
  let exited: string | null = null;
  child.once("exit", (code, signal) => {
    exited = `exited with ${signal ?? code}`;
  });
  const deadline = Date.now() + 60_000;
  while (!(await heartbeat(url))) {
    if (exited) throw new Error(`Chroma (${launcher.via}) ${exited} before answering on ${url}`);
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`Chroma (${launcher.via}) did not answer on ${url} within 60 s`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  log(`Chroma (${launcher.via}) listening on ${url}, data in ${options.dataDir}, pid ${pid}`);
  if (options.detached) child.unref();
  return {
    url,
    pid,
    stop: async () => {
      if (exited) return;
      const gone = new Promise((r) => child.once("exit", r));
      child.kill("SIGKILL");
      await gone;
    },
  };
}

/** True when a Chroma server answers at `url`. */
export async function heartbeat(url: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}/api/v2/heartbeat`, { signal: AbortSignal.timeout(1_000) });
    return response.ok;
  } catch {
    return false;
  }
}
