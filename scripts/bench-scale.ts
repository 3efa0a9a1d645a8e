/**
 * `npm run bench:scale [-- --scales 1,10,100]`: how the pipeline's stages
 * and the API's answers grow with the catalog. For each scale it writes a
 * synthetic data folder (scripts/lib/scale-data.ts: films and users copied
 * `scale` times from ../shared/data, with distinct titles, recombined
 * overviews and shuffled people), loads it into a scratch database on the
 * Postgres server (TEST_DATABASE_URL or the machine's) and a Chroma server
 * of its own, and measures:
 *  - ingest: `pipeline ingest` (stream, join, COPY, merge in one transaction),
 *    time and peak memory of its process;
 *  - neighbours: `pipeline neighbors` (item-item from all ratings), the same;
 *  - vectors: at 1x `pipeline embed` (the real model, timed); at larger
 *    scales each film gets the vectors of the real film it was copied from
 *    (scale-vectors.ts: precomputed, not embedded), written through the
 *    client as the pipeline writes them; then Chroma's entries, its data
 *    folder's size and its peak memory;
 *  - serving (scale-serve.ts): search p50/p95 at 4 in flight, recommendations
 *    p50 for the heaviest rater, a cached explanation's p50.
 * A stage that fails or runs past --timeout is reported as such (what breaks
 * first), and the larger scales are skipped for it; when ingest fails, the
 * ratings are loaded with COPY instead so that the neighbours are still
 * measured at that scale. Prints a table and the log-log slope of each
 * figure between scales, and draws them (--plot, PNG).
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Command } from "commander";
import pg from "pg";
import { chromaClient, moviesCollection } from "../core/vector/movies-collection.ts";
import { passagesCollection } from "../core/vector/passages.ts";
import { copyRows } from "../embed-pipeline/src/db/copy-rows.ts";
import { freePort } from "../embed-pipeline/src/free-port.ts";
import { csvRows } from "../embed-pipeline/src/ingest/csv.ts";
import { RatingRow, SOURCE_FILES } from "../embed-pipeline/src/ingest/sources.ts";
import { testPostgres } from "../test/helpers/test-postgres.ts";
import { startChroma } from "./lib/chroma-server.ts";
import { logLogSlope, type Panel, renderLogLogPlot } from "./lib/log-log-plot.ts";
import { type ScaleCounts, writeScaledData } from "./lib/scale-data.ts";
import { measureServing, type ServingResult } from "./lib/scale-serve.ts";
import { type RealVectors, readRealVectors, writeScaledVectors } from "./lib/scale-vectors.ts";

const root = path.resolve(import.meta.dirname, "..");

interface StageResult {
  seconds: number;
  peakMB: number;
  ok: boolean;
  note: string;
}

/** Runs a pipeline command in its own process; its time, peak memory and outcome. */
function stage(
  args: string[],
  env: Record<string, string>,
  timeoutSeconds: number,
): Promise<StageResult> {
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
        env: { ...process.env, ...env },
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
 * through the ingest's own reader and COPY, without its join: for measuring
 * the stages after a failed ingest.
 */
async function copyRatings(databaseUrl: string, dir: string): Promise<void> {
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    await db.query(`set client_min_messages = warning`);
    await db.query(`create temp table staged (user_id int, movie_id int, rating real, ts bigint)`);
    async function* rows() {
      for await (const { value } of csvRows(path.join(dir, SOURCE_FILES.ratings), RatingRow, [])) {
        yield [value.userId, value.movieId, value.rating, value.timestamp];
      }
    }
    await copyRows(db, "staged", ["user_id", "movie_id", "rating", "ts"], rows());
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

/** Bytes under a folder. */
function folderBytes(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += statSync(path.join(entry.parentPath, entry.name)).size;
  }
  return total;
}

/** A process's peak resident memory so far (VmHWM), in MB. */
function peakRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmHWM:\s+(\d+)/.exec(status)?.[1]) / 1024;
}

interface VectorsResult {
  /** How the vectors were made: the model (1x) or copied from the real films. */
  how: "embedded" | "copied";
  seconds: number;
  entries: number;
  diskMB: number;
  chromaPeakMB: number;
}

interface ScaleRow {
  scale: number;
  counts: ScaleCounts;
  ingest?: StageResult;
  neighbors?: StageResult;
  vectors?: VectorsResult | { error: string };
  serving?: ServingResult | { error: string };
}

const fmt = (v: number, digits = 1) => (Number.isFinite(v) ? v.toFixed(digits) : "-");

function printTable(rows: ScaleRow[]): void {
  const stageCell = (r: StageResult | undefined, pick: (r: StageResult) => number) =>
    !r ? "not run" : r.ok ? fmt(pick(r)) : `failed: ${r.note}`;
  const ok = <T extends object>(v: T | { error: string } | undefined) =>
    v && !("error" in v) ? v : undefined;
  console.log(
    "\n| scale | films | users | ratings | ingest s | ingest peak MB | neighbours s | neighbours peak MB | vectors | Chroma entries | Chroma disk MB | Chroma peak MB | search p50 / p95 ms | recs p50 ms | explain cached p50 ms |",
  );
  console.log(`|${" --- |".repeat(15)}`);
  for (const r of rows) {
    const v = ok(r.vectors);
    const s = ok(r.serving);
    const problem = (x: { error: string } | object | undefined) =>
      x && "error" in x ? `failed: ${x.error}` : "not run";
    console.log(
      `| ${r.scale}x | ${r.counts.films.toLocaleString("en")} | ${r.counts.users.toLocaleString("en")} | ${r.counts.ratings.toLocaleString("en")} | ${stageCell(r.ingest, (x) => x.seconds)} | ${stageCell(r.ingest, (x) => x.peakMB)} | ${stageCell(r.neighbors, (x) => x.seconds)} | ${stageCell(r.neighbors, (x) => x.peakMB)} | ${v ? `${v.how}, ${fmt(v.seconds)} s` : problem(r.vectors)} | ${v ? v.entries.toLocaleString("en") : "-"} | ${v ? fmt(v.diskMB, 0) : "-"} | ${v ? fmt(v.chromaPeakMB, 0) : "-"} | ${s ? `${fmt(s.search.p50)} / ${fmt(s.search.p95)}` : problem(r.serving)} | ${s ? fmt(s.recommendations.p50) : "-"} | ${s ? fmt(s.explainCached.p50) : "-"} |`,
    );
  }
}

/** Every figure as a series against the scale factor, grouped as the plot's panels. */
function panels(rows: ScaleRow[]): Panel[] {
  const series = (label: string, pick: (r: ScaleRow) => number | undefined) => ({
    label,
    points: rows.map((r): [number, number] => [r.scale, pick(r) ?? Number.NaN]),
  });
  const stageFigure = (r: StageResult | undefined, key: "seconds" | "peakMB") =>
    r?.ok ? r[key] : undefined;
  const vectors = (r: ScaleRow) => (r.vectors && !("error" in r.vectors) ? r.vectors : undefined);
  const serving = (r: ScaleRow) => (r.serving && !("error" in r.serving) ? r.serving : undefined);
  return [
    {
      title: "Pipeline stage time",
      unit: "seconds",
      series: [
        series("ingest", (r) => stageFigure(r.ingest, "seconds")),
        series("neighbours", (r) => stageFigure(r.neighbors, "seconds")),
      ],
    },
    {
      title: "Memory and index size",
      unit: "MB",
      series: [
        series("ingest peak RSS", (r) => stageFigure(r.ingest, "peakMB")),
        series("neighbours peak RSS", (r) => stageFigure(r.neighbors, "peakMB")),
        series("Chroma peak RSS", (r) => vectors(r)?.chromaPeakMB),
        series("Chroma on disk", (r) => vectors(r)?.diskMB),
      ],
    },
    {
      title: "Request latency, server-side",
      unit: "milliseconds",
      series: [
        series("search p50 (4 in flight)", (r) => serving(r)?.search.p50),
        series("search p95 (4 in flight)", (r) => serving(r)?.search.p95),
        series("recommendations p50", (r) => serving(r)?.recommendations.p50),
        series("cached explanation p50", (r) => serving(r)?.explainCached.p50),
      ],
    },
  ];
}

const program = new Command("bench:scale")
  .option("--scales <list>", "catalog multiples", (v) => v.split(",").map(Number), [1, 10])
  .option("--timeout <s>", "seconds a stage may run", (v) => Number(v), 1_800)
  .option("--data <dir>", "the real data", process.env.DATA_DIR ?? "../shared/data")
  .option("--no-serve", "only the pipeline stages: no Chroma, no Worker")
  .option("--seconds <n>", "seconds of timed searches per scale", (v) => Number(v), 20)
  .option(
    "--requests <n>",
    "timed recommendation and explanation requests per scale",
    (v) => Number(v),
    50,
  )
  .option("--plot <file>", "where to draw the figure (PNG)", "docs/scale.png")
  .action(
    async (options: {
      scales: number[];
      timeout: number;
      data: string;
      serve: boolean;
      seconds: number;
      requests: number;
      plot: string;
    }) => {
      if (options.serve && options.scales[0] !== 1) {
        throw new Error("the first scale must be 1: the larger catalogs copy its real vectors");
      }
      const postgres = await testPostgres((line) => console.log(line));
      const results: ScaleRow[] = [];
      const broken = new Set<string>();
      let real: RealVectors | undefined;
      for (const scale of options.scales) {
        const dir = mkdtempSync(path.join(os.tmpdir(), `marquee-scale-${scale}x-`));
        const database = `marquee_scale_${scale}x_${process.pid}`;
        const admin = new pg.Client({ connectionString: postgres.url });
        await admin.connect();
        await admin.query(`create database ${database}`);
        await admin.end();
        const url = new URL(postgres.url);
        url.pathname = `/${database}`;
        const databaseUrl = url.toString();
        try {
          const written = performance.now();
          const counts = await writeScaledData(path.resolve(root, options.data), dir, scale);
          console.log(
            `${scale}x: ${counts.films.toLocaleString("en")} films, ${counts.users.toLocaleString("en")} users, ${counts.ratings.toLocaleString("en")} ratings written in ${((performance.now() - written) / 1000).toFixed(1)} s`,
          );
          const row: ScaleRow = { scale, counts };
          results.push(row);
          for (const [name, args] of [
            ["ingest", ["ingest", "--data-dir", dir]],
            ["neighbors", ["neighbors"]],
          ] as const) {
            if (broken.has(name)) {
              if (name === "ingest") await copyRatings(databaseUrl, dir);
              continue;
            }
            const result = await stage([...args], { DATABASE_URL: databaseUrl }, options.timeout);
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
              await copyRatings(databaseUrl, dir);
              console.log(
                `  ratings loaded with COPY instead, in ${((performance.now() - copied) / 1000).toFixed(1)} s`,
              );
            }
          }
          if (options.serve && !broken.has("ingest") && !broken.has("neighbors")) {
            real = await serveStages(row, databaseUrl, dir, real, options);
          }
        } finally {
          rmSync(dir, { recursive: true, force: true });
          const drop = new pg.Client({ connectionString: postgres.url });
          await drop.connect();
          await drop.query(`drop database if exists ${database}`);
          await drop.end();
        }
      }
      printTable(results);
      const figures = panels(results);
      for (const panel of figures) {
        for (const s of panel.series) {
          const finite = s.points.filter(([, y]) => Number.isFinite(y));
          if (finite.length < 2) continue;
          const steps = finite
            .slice(1)
            .map(([x, y], i) => {
              const [px, py] = finite[i] as [number, number];
              return `${px}x->${x}x ${fmt(
                logLogSlope([
                  [px, py],
                  [x, y],
                ]),
                2,
              )}`;
            })
            .join(", ");
          console.log(`slope of ${s.label} (${panel.unit}) against size: ${steps}`);
        }
      }
      if (
        results.length > 1 &&
        (await renderLogLogPlot(figures, "catalog size (x the real one)", options.plot))
      ) {
        console.log(`plot: ${options.plot}`);
      }
    },
  );

/**
 * The vectors and serving stages of one scale, against a Chroma server of its
 * own; returns the real vectors (read at 1x) for the larger scales.
 */
async function serveStages(
  row: ScaleRow,
  databaseUrl: string,
  dir: string,
  real: RealVectors | undefined,
  options: { timeout: number; seconds: number; requests: number },
): Promise<RealVectors | undefined> {
  const chromaDir = path.join(dir, "chroma");
  const chroma = await startChroma({ root, dataDir: chromaDir, port: await freePort() });
  try {
    const started = performance.now();
    let how: VectorsResult["how"];
    if (row.scale === 1) {
      const embed = await stage(
        ["embed"],
        { DATABASE_URL: databaseUrl, CHROMA_URL: chroma.url },
        options.timeout,
      );
      if (!embed.ok) throw new Error(`embed: ${embed.note}`);
      real = await readRealVectors(chroma.url);
      how = "embedded";
    } else {
      if (!real) throw new Error("no real vectors to copy");
      await writeScaledVectors(databaseUrl, chroma.url, real, console.log);
      how = "copied";
    }
    const seconds = (performance.now() - started) / 1000;
    const entries = await chromaEntries(chroma.url);
    row.vectors = {
      how,
      seconds,
      entries,
      diskMB: folderBytes(chromaDir) / 1e6,
      chromaPeakMB: peakRssMb(chroma.pid),
    };
    console.log(
      `  vectors (${how}): ${seconds.toFixed(1)} s, ${entries.toLocaleString("en")} entries, ${row.vectors.diskMB.toFixed(0)} MB on disk, Chroma peak ${row.vectors.chromaPeakMB.toFixed(0)} MB`,
    );
  } catch (error) {
    row.vectors = { error: (error as Error).message.slice(0, 200) };
    console.log(`  vectors FAILED (${row.vectors.error})`);
    await chroma.stop();
    return real;
  }
  try {
    row.serving = await measureServing(databaseUrl, chroma.url, options);
    const s = row.serving;
    console.log(
      `  search p50 ${fmt(s.search.p50)} ms, p95 ${fmt(s.search.p95)} ms (${s.search.count} searches, ${s.search.errors} errors); recommendations p50 ${fmt(s.recommendations.p50)} ms (user ${s.recommendations.userId}, ${s.recommendations.ratings} ratings); cached explanation p50 ${fmt(s.explainCached.p50)} ms`,
    );
    console.log(
      `  search stages, p50 ms: ${Object.entries(s.search.stages)
        .map(([k, v]) => `${k} ${fmt(v)}`)
        .join(", ")}; slowest queries (p50 ms): ${s.search.slowest
        .map((q) => `"${q.query}" ${fmt(q.p50)}`)
        .join(", ")}`,
    );
  } catch (error) {
    row.serving = { error: (error as Error).message.slice(0, 200) };
    console.log(`  serving FAILED (${row.serving.error})`);
  } finally {
    await chroma.stop();
  }
  return real;
}

/** Entries in both collections. */
async function chromaEntries(url: string): Promise<number> {
  const client = chromaClient(url);
  const [movies, passages] = [await moviesCollection(client), await passagesCollection(client)];
  return (await movies.count()) + (await passages.count());
}

await program.parseAsync();
