/**
 * `npm run bench:title-lookup [-- --rounds 5]`: the title lookup
 * (marquee_title_candidates) today against migration 0013's, on the catalog
 * in DATABASE_URL (any size: bench:scale's synthetic catalogs, or one loaded
 * with `pipeline ingest --data-dir`). 0013's function is read from its
 * migration file and installed in a schema of its own (it reads the same
 * tables and index), the two are called in turn for each sample query, one
 * at a time, and each query's median is printed with the sum over the
 * queries and their ratio; then whether the two answer alike: the same ids,
 * and the same first ten (what a search page's title list draws from).
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { Command } from "commander";
import pg from "pg";
import { loadConfig } from "../embed-pipeline/src/config.ts";
import { percentiles } from "./lib/percentiles.ts";
import { SAMPLE_QUERIES } from "./lib/sample-queries.ts";

const BASELINE_SCHEMA = "marquee_title_lookup_0013";
const SHARE = 0.3;

/** Migration 0013's marquee_title_candidates, created in BASELINE_SCHEMA. */
function baselineFunction(root: string): string {
  const sql = readFileSync(path.join(root, "migrations/0013_title_vocabulary.sql"), "utf8");
  const start = sql.indexOf("CREATE OR REPLACE FUNCTION marquee_title_candidates(");
  const end = sql.indexOf("$$;", start);
  if (start < 0 || end < 0) throw new Error("migration 0013 holds no marquee_title_candidates");
  return sql
    .slice(start, end + 3)
    .replace(
      "FUNCTION marquee_title_candidates(",
      `FUNCTION ${BASELINE_SCHEMA}.marquee_title_candidates(`,
    );
}

new Command()
  .option("--rounds <n>", "calls of each function per query", (v) => Number(v), 5)
  .action(async (options: { rounds: number }) => {
    const root = path.resolve(import.meta.dirname, "..");
    const client = new pg.Client({ connectionString: loadConfig().DATABASE_URL });
    await client.connect();
    try {
      const { rows } = await client.query<{ films: number }>(
        "select count(*)::int as films from movies",
      );
      console.log(`${(rows[0]?.films ?? 0).toLocaleString("en")} films`);
      await client.query(`create schema if not exists ${BASELINE_SCHEMA}`);
      await client.query(baselineFunction(root));
      const functions = [`${BASELINE_SCHEMA}.marquee_title_candidates`, "marquee_title_candidates"];
      const times = new Map<string, [number[], number[]]>();
      for (let round = 0; round < options.rounds; round++) {
        for (const query of SAMPLE_QUERIES) {
          for (const [i, fn] of functions.entries()) {
            const started = performance.now();
            await client.query(`select ${fn}($1, $2::real)`, [query, SHARE]);
            const entry = times.get(query) ?? [[], []];
            entry[i]?.push(performance.now() - started);
            times.set(query, entry);
          }
        }
      }
      const answers = async (query: string) => {
        const found: number[][] = [];
        for (const fn of functions) {
          const { rows } = await client.query<{ ids: number[] }>(
            `select ${fn}($1, $2::real) as ids`,
            [query, SHARE],
          );
          found.push(rows[0]?.ids ?? []);
        }
        return found;
      };
      const median = (values: number[]) => percentiles(values, [0.5])[0] ?? Number.NaN;
      let [before, after] = [0, 0];
      console.log("\n| query | 0013 ms | today ms |\n|---|---:|---:|");
      for (const [query, [baseline = [], today = []]] of times) {
        before += median(baseline);
        after += median(today);
        console.log(`| ${query} | ${median(baseline).toFixed(1)} | ${median(today).toFixed(1)} |`);
      }
      console.log(
        `\nsum of medians over ${SAMPLE_QUERIES.length} queries: 0013 ${before.toFixed(0)} ms, today ${after.toFixed(0)} ms (ratio ${(after / before).toFixed(2)})`,
      );

      let same = 0;
      let sameFirstTen = 0;
      for (const query of SAMPLE_QUERIES) {
        const [baseline = [], today = []] = await answers(query);
        const alike = (n: number) => baseline.slice(0, n).join() === today.slice(0, n).join();
        if (alike(Number.POSITIVE_INFINITY)) same++;
        if (alike(10)) sameFirstTen++;
      }
      console.log(
        `answers: ${same}/${SAMPLE_QUERIES.length} the same ids, ${sameFirstTen}/${SAMPLE_QUERIES.length} the same first ten`,
      );
    } finally {
      await client.query(`drop schema if exists ${BASELINE_SCHEMA} cascade`);
      await client.end();
    }
  })
  .parseAsync();
