/**
 * `npm run bench:startup [-- --runs 5]`: the Worker's startup, the part of a
 * cold isolate that the code itself costs (evaluating the bundle's modules
 * before the first request), as `wrangler check startup` profiles it: the
 * Worker is bundled as for a deploy, started in workerd, and its startup
 * phase recorded as a CPU profile. Prints each run and the median, with the
 * bundle's size. Run it on two checkouts to compare them: startup varies
 * with the machine's load, so compare medians taken at the same time.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { percentiles } from "./lib/percentiles.ts";

const runsArg = process.argv.indexOf("--runs");
const runs = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 5;
const scratch = mkdtempSync(path.join(tmpdir(), "marquee-startup-"));
const bundle = path.join(scratch, "bundle");
try {
  execFileSync("npx", ["wrangler", "deploy", "--dry-run", "--outdir", bundle], { stdio: "ignore" });
  const main = path.join(bundle, "index.js");
  const bytes = statSync(main).size;
  const gzip = gzipSync(readFileSync(main)).length;
  console.log(
    `Worker script: ${(bytes / 1024).toFixed(0)} KiB, ${(gzip / 1024).toFixed(0)} KiB gzip`,
  );
  const startups: number[] = [];
  for (let i = 0; i < runs; i++) {
    const profile = path.join(scratch, `startup-${i}.cpuprofile`);
    execFileSync("npx", ["wrangler", "check", "startup", "--outfile", profile], {
      stdio: "ignore",
    });
    const { startTime, endTime } = JSON.parse(readFileSync(profile, "utf8")) as {
      startTime: number;
      endTime: number;
    };
    const ms = (endTime - startTime) / 1000;
    startups.push(ms);
    console.log(`run ${i + 1}: startup ${ms.toFixed(1)} ms`);
  }
  const [p50] = percentiles(startups, [0.5]);
  console.log(`startup: median ${p50?.toFixed(1)} ms over ${runs} runs`);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
