import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

/** `wrangler dev` with every binding passed as --var, in its own process group. */
export function spawnWranglerDev(options: {
  port: number;
  vars: Record<string, string>;
  /** More arguments, e.g. `--inspector-port N`. */
  args?: string[];
  /**
   * false: the same dev server with no DevTools inspector attached to the
   * isolate (dev-without-inspector.ts, for the benchmarks); `args` may then
   * only hold `--log-level`.
   */
  inspector?: false;
  /** All of wrangler's output (npm start), only its errors (default), or both into a file descriptor. */
  output?: "all" | "errors" | number;
}): { child: ChildProcess; stop(): Promise<void> } {
  const output = options.output ?? "errors";
  const stdout = typeof output === "number" ? output : output === "all" ? "inherit" : "ignore";
  const stderr = typeof output === "number" ? output : "inherit";
  const command =
    options.inspector === false
      ? ["tsx", fileURLToPath(new URL("dev-without-inspector.ts", import.meta.url))]
      : ["wrangler", "dev"];
  const child = spawn(
    "npx",
    [
      ...command,
      "--port",
      String(options.port),
      "--ip",
      "127.0.0.1",
      ...Object.entries(options.vars).flatMap(([k, v]) => ["--var", `${k}:${v}`]),
      ...(options.args ?? []),
    ],
    { stdio: ["ignore", stdout, stderr], detached: true },
  );
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  // In its own process group (so that stop() reaches npx, wrangler and workerd
  // alike), wrangler would outlive a parent that dies without calling stop().
  const killGroup = () => {
    if (!child.pid || child.exitCode !== null) return;
    try {
      process.kill(-child.pid, "SIGKILL");
    } catch {
      // Already gone.
    }
  };
  process.once("exit", killGroup);
  // A signal ends Node without "exit" unless something listens for it: a
  // script with no handler of its own gets one that stops wrangler first.
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    if (process.listenerCount(signal) > 0) continue;
    process.once(signal, () => {
      killGroup();
      process.kill(process.pid, signal);
    });
  }
  return {
    child,
    stop: async () => {
      if (!child.pid || child.exitCode !== null) return;
      try {
        process.kill(-child.pid, "SIGTERM");
      } catch {
        // Already gone.
      }
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))]);
    },
  };
}

/** Resolves once `url` answers at all; fails when the process exits first. */
export async function waitFor(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error("wrangler dev exited");
    try {
      await fetch(url);
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  throw new Error(`wrangler dev did not answer on ${url}`);
}
