/**
 * `npm run bench:soak [-- --clients 20] [--seconds 60] [--movies 1200]`: the
 * stack exactly as `npm start` builds it on its embedded defaults (a fresh
 * MARQUEE_HOME, the first `--movies` movies of DATA_DIR), with a fake Claude
 * behind ANTHROPIC_BASE_URL that answers like the real one, some answers
 * inventing titles (explain-mixed, 300 ms a call), under `--clients` people
 * for `--seconds`: search, recommendations (with explanations pre-generated
 * in the background), ratings read and written, explanations as JSON and as
 * SSE. Prints each route's req/s, p50/p95 and statuses, every response of 500
 * or more, and /api/health afterwards.
 */
import path from "node:path";
import { Command } from "commander";
import { freePort } from "../embed-pipeline/src/free-port.ts";
import { subsetDataDir } from "../test/helpers/data-dir.ts";
import { startFakeAnthropic } from "./lib/fake-anthropic.ts";
import { fakeAnthropicControl } from "./lib/fake-anthropic-control.ts";
import { startNpmStart } from "./lib/npm-start-stack.ts";
import { moviePool, runSoak, soakTable } from "./lib/soak.ts";

const program = new Command("bench:soak")
  .option("--clients <n>", "people at once", (v) => Number(v), 20)
  .option("--seconds <n>", "how long", (v) => Number(v), 60)
  .option("--movies <n>", "catalog slice", (v) => Number(v), 1_200)
  .action(async (options: { clients: number; seconds: number; movies: number }) => {
    const source = path.resolve(process.env.DATA_DIR ?? "../shared/data");
    const dataDir = subsetDataDir(source, options.movies);
    const fakePort = await freePort();
    const fake = await startFakeAnthropic(fakePort);
    const control = fakeAnthropicControl(`http://127.0.0.1:${fakePort}`);
    await control.setMode("explain-mixed", { delayMs: 300 });
    const started = performance.now();
    const stack = await startNpmStart({
      dataDir,
      extraEnv: {
        ANTHROPIC_API_KEY: "soak-fake",
        ANTHROPIC_BASE_URL: `http://127.0.0.1:${fakePort}`,
      },
    });
    console.log(`npm start served in ${((performance.now() - started) / 1000).toFixed(0)} s`);
    try {
      const movies = await moviePool(stack.base);
      const report = await runSoak({
        base: stack.base,
        clients: options.clients,
        seconds: options.seconds,
        movies,
      });
      const all = Object.values(report.routes).reduce((n, r) => n + r.requests, 0);
      console.log(
        `\n${options.clients} clients x ${options.seconds} s on npm start's embedded defaults: ${all} requests, ${(all / options.seconds).toFixed(1)} req/s, ${report.failures.length} responses >= 500 or lost; ${await control.count()} model calls\n`,
      );
      console.log(soakTable(report));
      for (const failure of report.failures.slice(0, 10)) console.log(JSON.stringify(failure));
      const health = await fetch(`${stack.base}/api/health`);
      console.log(`\n/api/health afterwards: ${health.status} ${await health.text()}`);
      if (report.failures.length > 0 || health.status !== 200) process.exitCode = 1;
    } finally {
      await stack.stop();
      fake.close();
    }
  });

await program.parseAsync();
