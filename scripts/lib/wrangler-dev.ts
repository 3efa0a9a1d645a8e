import { type ChildProcess, spawn } from "node:child_process";

/** `wrangler dev` with every binding passed as --var, in its own process group. */
export function spawnWranglerDev(options: {
  port: number;
  vars: Record<string, string>;
  /** Show wrangler's output (npm start) or only its errors (benchmarks). */
  quiet?: boolean;
}): { child: ChildProcess; stop(): Promise<void> } {
  const child = spawn(
    "npx",
    [
      "wrangler",
      "dev",
      "--port",
      String(options.port),
      "--ip",
      "127.0.0.1",
      ...Object.entries(options.vars).flatMap(([k, v]) => ["--var", `${k}:${v}`]),
    ],
    { stdio: ["ignore", options.quiet ? "ignore" : "inherit", "inherit"], detached: true },
  );
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
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
