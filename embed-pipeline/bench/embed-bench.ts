/**
 * `npm run bench:embed [-- --quick] [--runs N] [--pipeline]`
 *
 * Embeds the catalog's texts as the pipeline encodes them (each movie's
 * facts and overview passages: 21,989 texts, or a fixed 2,000 with --quick) with
 * each contender in its own process and prints texts/second, the ratio to this
 * pipeline (fp32), peak memory, and how close each contender's vectors are to
 * sentence-transformers' own. --pipeline also times `npm start` (ingest +
 * embed) from an empty embedded database and an empty Chroma.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { Command } from "commander";
import { movieParts } from "../../core/catalog-text.ts";
import { cosine } from "../../core/embedding/pooling.ts";
import { loadConfig } from "../src/config.ts";
import { freePort } from "../src/free-port.ts";
import { readCatalogMovies } from "../src/ingest/catalog.ts";

const root = path.resolve(import.meta.dirname, "../..");
const run = promisify(execFile);
const QUICK_TEXTS = 2_000;

interface Measurement {
  loadSeconds: number;
  embedSeconds: number;
  texts: number;
  peakRssMb: number;
}

const CONTENDERS = {
  "onnx-fp32": "this pipeline, fp32",
  "onnx-int8": "this pipeline, int8",
  "transformers-js": "transformers.js 4 (same fp32 file)",
  "sentence-transformers": "sentence-transformers 6 (PyTorch CPU)",
} as const;
type Contender = keyof typeof CONTENDERS;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

async function measure(
  contender: Contender,
  textsFile: string,
  outFile: string,
  modelsDir: string,
  threads: number,
) {
  const { stdout } =
    contender === "sentence-transformers"
      ? await run(
          path.join(root, ".venv/bin/python"),
          [
            path.join(root, "scripts/python/bench_sentence_transformers.py"),
            path.join(modelsDir, "sentence-transformers"),
            textsFile,
            outFile,
            String(threads),
          ],
          {
            env: { ...process.env, PYTHONWARNINGS: "ignore", TRANSFORMERS_VERBOSITY: "error" },
            maxBuffer: 1 << 24,
          },
        )
      : await run(
          process.execPath,
          [
            path.join(root, "node_modules/tsx/dist/cli.mjs"),
            path.join(import.meta.dirname, "contenders.ts"),
            contender,
            textsFile,
            outFile,
            modelsDir,
          ],
          {
            maxBuffer: 1 << 24,
          },
        );
  const line = stdout.trim().split("\n").at(-1) ?? "";
  return JSON.parse(line) as Measurement;
}

function readVectors(file: string): Float32Array[] {
  const data = new Float32Array(readFileSync(file).buffer.slice(0));
  return Array.from({ length: data.length / 384 }, (_, i) => data.subarray(i * 384, (i + 1) * 384));
}

async function timePipeline(dataDir: string): Promise<void> {
  const home = mkdtempSync(path.join(os.tmpdir(), "marquee-bench-home-"));
  const port = await freePort();
  const started = performance.now();
  const { stdout } = await run(
    process.execPath,
    [path.join(root, "node_modules/tsx/dist/cli.mjs"), path.join(root, "scripts/start.ts")],
    {
      cwd: root,
      env: {
        ...process.env,
        MARQUEE_HOME: home,
        CHROMA_URL: `http://127.0.0.1:${port}`,
        DATA_DIR: dataDir,
        DATABASE_URL: "",
      },
      maxBuffer: 1 << 26,
    },
  );
  const seconds = (performance.now() - started) / 1000;
  const ingest = /ingest took ([\d.]+) s/.exec(stdout)?.[1];
  const embed = /embedded \d+, deleted \d+, unchanged \d+ in ([\d.]+) s/.exec(stdout)?.[1];
  console.log(
    `\nfull pipeline from an empty embedded database and empty Chroma (npm start): ${seconds.toFixed(1)} s wall`,
  );
  if (embed) console.log(`  of which embedding ${embed} s${ingest ? `, ingest ${ingest} s` : ""}`);
  rmSync(home, { recursive: true, force: true });
}

const program = new Command("bench:embed")
  .option("--quick", `a fixed ${QUICK_TEXTS}-text subset instead of the whole catalog`)
  .option("--runs <n>", "runs per contender (median reported)", (v) => Number(v), 3)
  .option("--only <list>", "comma-separated contenders", Object.keys(CONTENDERS).join(","))
  .option(
    "--threads <n>",
    "CPU threads for every contender",
    (v) => Number(v),
    os.availableParallelism(),
  )
  .option("--pipeline", "also time a full ingest + embed from an empty database")
  .action(
    async (options: {
      quick?: boolean;
      runs: number;
      only: string;
      threads: number;
      pipeline?: boolean;
    }) => {
      const dataDir = process.env.DATA_DIR ?? "../shared/data";
      const modelsDir = path.resolve(loadConfig().MODELS_DIR);
      const catalog = await readCatalogMovies(dataDir);
      // What the pipeline encodes: each movie's facts and overview passages (movieParts).
      const all = catalog.movies.flatMap((m) => {
        const parts = movieParts({
          title: m.title,
          year: m.year ?? null,
          genres: m.genres ?? [],
          overview: m.overview ?? null,
          director: m.director ?? null,
          topCast: m.topCast ?? [],
          tags: m.tags ?? [],
        });
        return [parts.facts, ...parts.passages];
      });
      // The quick subset: evenly spaced over the catalog, the same every run.
      const texts = options.quick
        ? Array.from(
            { length: QUICK_TEXTS },
            (_, i) => all[Math.floor((i * all.length) / QUICK_TEXTS)] ?? "",
          )
        : all;
      const work = mkdtempSync(path.join(os.tmpdir(), "marquee-bench-"));
      const textsFile = path.join(work, "texts.json");
      writeFileSync(textsFile, JSON.stringify(texts));
      const contenders = options.only.split(",") as Contender[];
      console.log(
        `${texts.length} catalog texts, ${options.runs} run(s) each, ${options.threads} CPU threads, ${os.cpus()[0]?.model ?? "?"}`,
      );

      const results = new Map<Contender, Measurement[]>();
      // Interleave contenders run by run, so machine noise spreads over all of them.
      for (let r = 0; r < options.runs; r++) {
        for (const contender of contenders) {
          const m = await measure(
            contender,
            textsFile,
            path.join(work, `${contender}.f32`),
            modelsDir,
            options.threads,
          );
          results.set(contender, [...(results.get(contender) ?? []), m]);
          console.log(
            `  run ${r + 1} ${contender}: ${(m.texts / m.embedSeconds).toFixed(1)} texts/s, peak ${m.peakRssMb.toFixed(0)} MB`,
          );
        }
      }

      const reference = contenders.includes("sentence-transformers")
        ? readVectors(path.join(work, "sentence-transformers.f32"))
        : null;
      const rate = (c: Contender) =>
        median((results.get(c) ?? []).map((m) => m.texts / m.embedSeconds));
      const baseline = contenders.includes("onnx-fp32")
        ? rate("onnx-fp32")
        : rate(contenders[0] as Contender);
      console.log(
        `\n| contender | texts/s (median) | this pipeline fp32 ÷ contender | peak RSS MB | model load s | min cosine vs sentence-transformers |`,
      );
      console.log("|---|---:|---:|---:|---:|---:|");
      for (const c of contenders) {
        const runs = results.get(c) ?? [];
        let agreement = "n/a";
        if (reference) {
          const vectors = readVectors(path.join(work, `${c}.f32`));
          agreement = Math.min(...vectors.map((v, i) => cosine(v, reference[i] ?? []))).toFixed(5);
        }
        console.log(
          `| ${CONTENDERS[c]} | ${rate(c).toFixed(1)} | ${(baseline / rate(c)).toFixed(2)}x | ${Math.max(...runs.map((m) => m.peakRssMb)).toFixed(0)} | ${median(runs.map((m) => m.loadSeconds)).toFixed(2)} | ${agreement} |`,
        );
      }
      rmSync(work, { recursive: true, force: true });
      if (options.pipeline) await timePipeline(dataDir);
    },
  );

await program.parseAsync();
