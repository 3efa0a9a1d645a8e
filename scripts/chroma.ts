/**
 * `npm run chroma [-- run|start|stop|status] [--path DIR]`
 * Runs the Chroma server Marquee talks to, on loopback, with its data under a
 * folder you choose (default $MARQUEE_HOME/chroma). `run` stays in the
 * foreground until Ctrl-C; `start` leaves it in the background with a pid file
 * that `stop` uses.
 */
import { mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { Command } from "commander";
import { loadConfig } from "../embed-pipeline/src/config.ts";
import { heartbeat, startChroma } from "./lib/chroma-server.ts";

const root = path.resolve(import.meta.dirname, "..");
const config = loadConfig();
const port = config.chromaPort;
const pidFile = path.join(config.MARQUEE_HOME, "chroma.pid");
const defaultPath = config.chromaDataDir;

const program = new Command("chroma").description("the local Chroma server");

program
  .command("run", { isDefault: true })
  .description("run in the foreground until Ctrl-C")
  .option("--path <dir>", "data folder", defaultPath)
  .action(async (options: { path: string }) => {
    const server = await startChroma({ root, dataDir: options.path, port, log: console.log });
    const stop = () => void server.stop().then(() => process.exit(0));
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });

program
  .command("start")
  .description("start in the background (pid in $MARQUEE_HOME/chroma.pid)")
  .option("--path <dir>", "data folder", defaultPath)
  .action(async (options: { path: string }) => {
    if (await heartbeat(config.CHROMA_URL)) {
      console.log(`Chroma already answers on ${config.CHROMA_URL}`);
      return;
    }
    mkdirSync(config.MARQUEE_HOME, { recursive: true });
    const logFile = openSync(path.join(config.MARQUEE_HOME, "chroma.log"), "a");
    const server = await startChroma({
      root,
      dataDir: options.path,
      port,
      log: console.log,
      detached: true,
      logFile,
    });
    writeFileSync(pidFile, String(server.pid));
    process.exit(0);
  });

program
  .command("stop")
  .description("stop the background server started by `start`")
  .action(() => {
    let pid: number;
    try {
      pid = Number(readFileSync(pidFile, "utf8"));
    } catch {
      console.log("no Chroma started by `npm run chroma -- start` is running");
      return;
    }
    try {
      process.kill(pid, "SIGKILL");
      console.log(`stopped Chroma (pid ${pid})`);
    } catch {
      console.log(`Chroma (pid ${pid}) was not running`);
    }
    rmSync(pidFile, { force: true });
  });

program.command("status").action(async () => {
  const up = await heartbeat(config.CHROMA_URL);
  console.log(
    up ? `Chroma answers on ${config.CHROMA_URL}` : `nothing answers on ${config.CHROMA_URL}`,
  );
  process.exitCode = up ? 0 : 1;
});

await program.parseAsync();
