/**
 * `npm run bench:scale [-- --scales 1,10,100]`: how the pipeline's stages
 * grow with the catalog. For each scale it writes a synthetic data folder
 * (scripts/lib/scale-data.ts: films and users copied `scale` times from
 * ../shared/data, with distinct titles, recombined overviews and shuffled
 * people), loads it into a scratch database on the Postgres server
 * (TEST_DATABASE_URL or the machine's), and times each stage as its own
 * process, with that process's peak memory:
 *  - ingest: `pipeline ingest` (read, join, load in one transaction);
 *  - neighbours: `pipeline neighbors` (item-item from all ratings).
 * A stage that fails or runs past --timeout is reported as such (what breaks
 * first), and the larger scales are skipped for it; when ingest fails, the
 * ratings are loaded with COPY instead so that the neighbours are still
 * measured at that scale. Prints a table and the
 * log-log slope of time and memory against size between scales.
 *
 * Not measured yet (issue 18, item 3): the Chroma index, search,
 * recommendations and explanations at each scale, and the plot.
 */
import { spawn } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Command } from "commander";
import pg from "pg";
import { SOURCE_FILES } from "../embed-pipeline/src/ingest/sources.ts";
import { testPostgres } from "../test/helpers/test-postgres.ts";
import { type ScaleCounts, writeScaledData } from "./lib/scale-data.ts";

const root = path.resolve(import.meta.dirname, "..");

interface StageResult {
  seconds: number;
  peakMB: number;
  ok: boolean;
  note: string;
}

/** Runs a pipeline command in its own process; its time, peak memory and outcome. */
function stage(args: string[], databaseUrl: string, timeoutSeconds: number): Promise<StageResult> {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        "--import",
        path.join(root, "scripts/lib/report-peak-memory.ts"),
        path.join(root, "embed-pipeline/src/cli.ts"),
        ...args,
      ],
      {
        cwd: root,
        env: { ...process.env, DATABASE_URL: databaseUrl },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let stderr = "";
    let stdout = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutSeconds * 1000);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const peak = /PEAK_RSS_KB (\d+)/.exec(stderr);
      const seconds = (performance.now() - started) / 1000;
      const lines = stderr.split("\n").filter((l) => l.trim() && !l.startsWith("PEAK_RSS_KB"));
      // V8's own words when it runs out of heap, else the last lines.
      const lastError =
        lines.find((l) => /FATAL ERROR|out of memory/i.test(l)) ?? lines.slice(-2).join(" | ");
      resolve({
        seconds,
        peakMB: peak ? Number(peak[1]) / 1024 : Number.NaN,
        ok: code === 0,
        note:
          code === 0
            ? (stdout.trim().split("\n").at(-1) ?? "")
            : signal === "SIGKILL"
              ? `killed after ${timeoutSeconds} s`
              : `exit ${code}: ${lastError.slice(0, 200)}`,
      });
    });
  });
}

/**
 * Loads a data folder's ratings (and bare rows for their films and users)
 * with server-side COPY: for measuring the stages after a failed ingest. The
 * Postgres server must be on this machine (it reads the file itself).
 */
async function copyRatings(databaseUrl: string, dir: string): Promise<void> {
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const file = path.join(dir, SOURCE_FILES.ratings);
    // The server process (another OS user) reads the file: open the way to it.
    for (let p = path.dirname(file); p.startsWith(dir); p = path.dirname(p)) chmodSync(p, 0o755);
    chmodSync(file, 0o644);
    await db.query(`set client_min_messages = warning`);
    await db.query(`create temp table staged (user_id int, movie_id int, rating real, ts bigint)`);
    await db.query(`copy staged from '${file.replaceAll("'", "''")}' with (format csv, header)`);
    await db.query(`insert into movies (id, title, content_hash)
                    select distinct movie_id, 'film ' || movie_id, '' from staged
                    on conflict do nothing`);
    await db.query(
      `insert into users (id) select distinct user_id from staged on conflict do nothing`,
    );
    await db.query(`insert into ratings (user_id, movie_id, rating, rated_at)
                    select user_id, movie_id, rating, to_timestamp(ts) from staged
                    on conflict do nothing`);
    await db.query(`analyze movies, users, ratings`);
  } finally {
    await db.end();
  }
}

const slope = (x0: number, y0: number, x1: number, y1: number) =>
  (Math.log(y1) - Math.log(y0)) / (Math.log(x1) - Math.log(x0));

const program = new Command("bench:scale")
  .option("--scales <list>", "catalog multiples", (v) => v.split(",").map(Number), [1, 10])
  .option("--timeout <s>", "seconds a stage may run", (v) => Number(v), 1_800)
  .option("--data <dir>", "the real data", process.env.DATA_DIR ?? "../shared/data")
  .action(async (options: { scales: number[]; timeout: number; data: string }) => {
    const postgres = await testPostgres((line) => console.log(line));
    const results: {
      scale: number;
      counts: ScaleCounts;
      ingest?: StageResult;
      neighbors?: StageResult;
    }[] = [];
    const broken = new Set<string>();
    for (const scale of options.scales) {
      const dir = mkdtempSync(path.join(os.tmpdir(), `marquee-scale-${scale}x-`));
      const database = `marquee_scale_${scale}x_${process.pid}`;
      const admin = new pg.Client({ connectionString: postgres.url });
      await admin.connect();
      await admin.query(`create database ${database}`);
      await admin.end();
      const url = new URL(postgres.url);
      url.pathname = `/${database}`;
      try {
        const written = performance.now();
        const counts = await writeScaledData(path.resolve(root, options.data), dir, scale);
        console.log(
          `${scale}x: ${counts.films.toLocaleString("en")} films, ${counts.users.toLocaleString("en")} users, ${counts.ratings.toLocaleString("en")} ratings written in ${((performance.now() - written) / 1000).toFixed(1)} s`,
        );
        const row: (typeof results)[number] = { scale, counts };
        results.push(row);
        for (const [name, args] of [
          ["ingest", ["ingest", "--data-dir", dir]],
          ["neighbors", ["neighbors"]],
        ] as const) {
          if (broken.has(name)) {
            if (name === "ingest") await copyRatings(url.toString(), dir);
            continue;
          }
          const result = await stage([...args], url.toString(), options.timeout);
          row[name] = result;
          console.log(
            `  ${name}: ${result.seconds.toFixed(1)} s, peak ${result.peakMB.toFixed(0)} MB${result.ok ? "" : ` FAILED (${result.note})`}`,
          );
          if (!result.ok) {
            broken.add(name);
            if (name !== "ingest") break;
            // The later stages still get their ratings: straight into the
            // tables with COPY (bare films, no enrichment), timed apart.
            const copied = performance.now();
            await copyRatings(url.toString(), dir);
            console.log(
              `  ratings loaded with COPY instead, in ${((performance.now() - copied) / 1000).toFixed(1)} s`,
            );
          }
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
        const drop = new pg.Client({ connectionString: postgres.url });
        await drop.connect();
        await drop.query(`drop database if exists ${database}`);
        await drop.end();
      }
    }
    console.log(
      "\n| scale | films | users | ratings | ingest s | ingest peak MB | neighbours s | neighbours peak MB |",
    );
    console.log("| --- | --- | --- | --- | --- | --- | --- | --- |");
    const cell = (r: StageResult | undefined, pick: (r: StageResult) => number) =>
      !r ? "not run" : r.ok ? pick(r).toFixed(1) : `failed: ${r.note}`;
    for (const r of results)
      console.log(
        `| ${r.scale}x | ${r.counts.films.toLocaleString("en")} | ${r.counts.users.toLocaleString("en")} | ${r.counts.ratings.toLocaleString("en")} | ${cell(r.ingest, (s) => s.seconds)} | ${cell(r.ingest, (s) => s.peakMB)} | ${cell(r.neighbors, (s) => s.seconds)} | ${cell(r.neighbors, (s) => s.peakMB)} |`,
      );
    for (let i = 1; i < results.length; i++) {
      const [a, b] = [results[i - 1], results[i]];
      if (!a || !b) continue;
      for (const name of ["ingest", "neighbors"] as const) {
        const [x, y] = [a[name], b[name]];
        if (!x?.ok || !y?.ok) continue;
        console.log(
          `${name} ${a.scale}x -> ${b.scale}x: time slope ${slope(a.counts.ratings, x.seconds, b.counts.ratings, y.seconds).toFixed(2)}, memory slope ${slope(a.counts.ratings, x.peakMB, b.counts.ratings, y.peakMB).toFixed(2)} (log-log, against ratings)`,
        );
      }
    }
  });

await program.parseAsync();
