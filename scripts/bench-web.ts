/**
 * `npm run bench:web [-- --queries 20]`: the page's own cost. Starts the
 * browser tests' stack (scripts/lib/e2e-stack.ts; or uses E2E_BASE), opens the
 * page in Debian's Chromium and, for each query, measures in the page the
 * time from the search response's last byte (Resource Timing) to the first
 * result row in the DOM, and to the next painted frame after it. Target: the
 * first result within one frame (16.7 ms at 60 Hz) of the API's answer.
 * Also prints the gzip size of the page's JavaScript.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { Command } from "commander";
import { chromium } from "playwright-core";
import { startE2eStack } from "./lib/e2e-stack.ts";

const QUERIES = [
  "the one where toys come alive",
  "godfather",
  "a shark terrorizes a beach town",
  "space adventure",
  "mafia family",
  "romantic comedy in new york",
  "serial killer detective",
  "talking animals",
  "jumanji",
  "heat",
  "boxing underdog",
  "time travel",
  "westerns",
  "courtroom drama",
  "pixar",
  "war movies",
  "robots",
  "pulp fiction",
  "batman",
  "star wars",
];

// In-page scripts, as strings: this file is type-checked for Node, not the DOM.
/** Notes when the first result row enters the DOM, and the frame after it. */
const WATCH_FIRST_ROW = `(() => {
  window.__row = undefined;
  window.__paint = undefined;
  performance.clearResourceTimings();
  const observer = new MutationObserver(() => {
    if (window.__row === undefined && document.querySelector('[role="option"]')) {
      window.__row = performance.now();
      requestAnimationFrame(() => { window.__paint = performance.now(); });
      observer.disconnect();
    }
  });
  observer.observe(document.body, { childList: true, subtree: true });
})()`;

/** The last search response's end (Resource Timing) beside the two marks. */
const READ_TIMING = `(() => {
  const searches = performance.getEntriesByType("resource").filter((e) => e.name.includes("/api/search"));
  const last = searches[searches.length - 1];
  return { responseEnd: last ? last.responseEnd : NaN, row: window.__row, paint: window.__paint };
})()`;

function stats(values: number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) =>
    sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? Number.NaN;
  return `p50 ${at(0.5).toFixed(1)} ms, p95 ${at(0.95).toFixed(1)} ms, max ${at(1).toFixed(1)} ms (n=${sorted.length})`;
}

const program = new Command("bench:web")
  .option("--queries <n>", "queries to time", (v) => Number(v), QUERIES.length)
  .action(async (options: { queries: number }) => {
    const stack = process.env.E2E_BASE ? undefined : await startE2eStack();
    const base = process.env.E2E_BASE ?? (stack?.base as string);
    const browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      headless: true,
    });
    try {
      const dist = path.resolve(import.meta.dirname, "../web/dist/assets");
      const js = readdirSync(dist).filter((f) => f.endsWith(".js"));
      const gzip = js.reduce(
        (sum, f) => sum + gzipSync(readFileSync(path.join(dist, f))).length,
        0,
      );
      console.log(`page JavaScript: ${js.length} file(s), ${(gzip / 1024).toFixed(1)} KiB gzip`);

      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      await page.goto(base);
      const toRow: number[] = [];
      const toPaint: number[] = [];
      for (const query of QUERIES.slice(0, options.queries)) {
        await page.keyboard.press("Control+k");
        const input = page.getByRole("combobox", { name: "Search movies", exact: true });
        await input.fill("");
        // An empty query shows no rows; the next row to appear is this query's.
        await page.waitForFunction(`document.querySelector('[role="option"]') === null`);
        // Watch for the first row of this query's answer, then the frame that shows it.
        await page.evaluate(WATCH_FIRST_ROW);
        await input.fill(query);
        await page.getByRole("option").first().waitFor();
        await page.waitForFunction("window.__paint !== undefined");
        const timing = (await page.evaluate(READ_TIMING)) as {
          responseEnd: number;
          row: number;
          paint: number;
        };
        toRow.push(timing.row - timing.responseEnd);
        toPaint.push(timing.paint - timing.responseEnd);
        await page.keyboard.press("Escape");
      }
      console.log(`API answer -> first result row in the DOM: ${stats(toRow)}`);
      console.log(`API answer -> next frame after it:        ${stats(toPaint)}`);
    } finally {
      await browser.close();
      await stack?.stop();
    }
  });

await program.parseAsync();
