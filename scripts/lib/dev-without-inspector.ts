/**
 * `wrangler dev` without its DevTools inspector, for the benchmarks:
 * `tsx scripts/lib/dev-without-inspector.ts --port N --ip H --var K:V … [--log-level L]`.
 *
 * The CLI always connects wrangler's inspector proxy to the Worker's isolate
 * and enables DevTools' Runtime domain there, whether or not DevTools is ever
 * opened. Every console line the Worker writes (one per request, by design)
 * then also becomes a DevTools event that the isolate serialises, the proxy
 * parses, reports to wrangler's Node process as a debug log and keeps for a
 * DevTools client that never comes: 2-4 ms of this machine's CPU a search,
 * measured (docs/benchmarks.md), which no deployed Worker pays. This starts the
 * same dev server (wrangler's entry proxy and the workerd runtime, through
 * `unstable_startWorker`, on which `wrangler dev` itself is built) with
 * `dev.inspector: false`. It takes the subset of `wrangler dev`'s options that
 * spawnWranglerDev passes, and stops the server on SIGTERM or SIGINT.
 */
import { Command } from "commander";
import { unstable_startWorker } from "wrangler";

const LOG_LEVELS = ["debug", "info", "log", "warn", "error", "none"] as const;
type LogLevel = (typeof LOG_LEVELS)[number];

const options = new Command("dev-without-inspector")
  .requiredOption("--port <n>", "port to listen on", (v) => Number(v))
  .option("--ip <address>", "address to listen on", "127.0.0.1")
  .option(
    "--var <key:value>",
    "a plain-text binding, as `wrangler dev --var`",
    (v: string, all: string[]) => [...all, v],
    [] as string[],
  )
  .option("--log-level <level>", LOG_LEVELS.join(", "), "log")
  .parse()
  .opts<{ port: number; ip: string; var: string[]; logLevel: string }>();

if (!(LOG_LEVELS as readonly string[]).includes(options.logLevel))
  throw new Error(`--log-level must be one of ${LOG_LEVELS.join(", ")}`);

const bindings = Object.fromEntries(
  options.var.map((pair) => {
    const at = pair.indexOf(":");
    if (at < 1) throw new Error(`--var takes KEY:VALUE, got "${pair}"`);
    return [pair.slice(0, at), { type: "plain_text" as const, value: pair.slice(at + 1) }];
  }),
);

/** workerd's log levels ranked as --log-level ranks them; any other counts as "log". */
const rank = (level: string) => {
  const at = LOG_LEVELS.indexOf(level as LogLevel);
  return at === -1 ? LOG_LEVELS.indexOf("log") : at;
};
const threshold = rank(options.logLevel);

const worker = await unstable_startWorker({
  config: "wrangler.toml",
  bindings,
  dev: {
    server: { hostname: options.ip, port: options.port },
    inspector: false,
    logLevel: options.logLevel as LogLevel,
    // The Worker's console lines as workerd wrote them. wrangler's own handler
    // first rewrites each through its source maps, stack or not (and then
    // drops it below --log-level): ~1 ms of its Node process's CPU per
    // request here, measured (docs/benchmarks.md), which a deployed Worker's
    // logs do not cost the machine serving it.
    structuredLogsHandler: ({ level, message }: { level: string; message: string }) => {
      if (rank(level) >= threshold)
        (level === "warn" || level === "error" ? process.stderr : process.stdout).write(
          `${message}\n`,
        );
    },
    watch: false,
  },
});
await worker.ready;

for (const signal of ["SIGTERM", "SIGINT"] as const)
  process.once(signal, () => {
    void worker.dispose().finally(() => process.exit(0));
  });
