import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { freePort } from "../../embed-pipeline/src/free-port.ts";

const root = path.resolve(import.meta.dirname, "../..");

export interface NpmStartStack {
  /** http://127.0.0.1:PORT: the page and the API. */
  base: string;
  /** Everything `npm start` printed. */
  output(): string;
  /** Ctrl-C, as a person stops it; resolves once it exited. */
  stop(): Promise<void>;
}

/**
 * `npm start` itself, on its embedded defaults (no DATABASE_URL), in a fresh
 * MARQUEE_HOME, with `extraEnv` in its environment (a Claude key and base
 * URL, say), serving on a free port: the stack a newcomer gets, for the soak
 * test and `npm run bench:soak`.
 */
export async function startNpmStart(options: {
  dataDir: string;
  extraEnv?: Record<string, string>;
  log?: (line: string) => void;
  /** How long building the catalog and starting may take. */
  timeoutMs?: number;
}): Promise<NpmStartStack> {
  const home = mkdtempSync(path.join(os.tmpdir(), "marquee-npm-start-"));
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    MARQUEE_HOME: home,
    DATA_DIR: options.dataDir,
    PORT: String(port),
    CHROMA_URL: `http://127.0.0.1:${await freePort()}`,
    ...options.extraEnv,
  };
  delete env.DATABASE_URL;
  const child: ChildProcess = spawn(
    process.execPath,
    [path.join(root, "node_modules/tsx/dist/cli.mjs"), "scripts/start.ts"],
    { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
    for (const line of chunk.toString().split("\n")) if (line.trim()) options.log?.(line);
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stop = async () => {
    if (child.exitCode === null) child.kill("SIGINT");
    await Promise.race([exited, new Promise((r) => setTimeout(r, 30_000))]);
    if (child.exitCode === null) child.kill("SIGKILL");
    rmSync(home, { recursive: true, force: true });
  };
  const deadline = Date.now() + (options.timeoutMs ?? 600_000);
  while (!/Marquee is up on http:\/\/localhost:\d+/.test(output)) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(
        `npm start exited (${child.exitCode}) before serving:\n${output.slice(-3_000)}`,
      );
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`npm start did not serve in time:\n${output.slice(-3_000)}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return { base: `http://127.0.0.1:${port}`, output: () => output, stop };
}
