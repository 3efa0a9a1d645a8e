/**
 * `npm run bench:web [-- --queries 20]`: the page's own cost. Starts the
 * browser tests' stack (scripts/lib/e2e-stack.ts; or uses E2E_BASE), opens the
 * page in Debian's Chromium and, for each query, measures in the page the
 * time from the search response's last byte (Resource Timing) to the first
 * change of the page after it (the rows of that answer), and to the frame
 * after that change. Target: the first result within one frame of the API's
 * answer, i.e. painted by the first frame that begins after the answer
 * arrived (a frame loop records when each frame begins); "frames late" counts
 * the frames between that one and the one that showed the rows.
 * Also prints the gzip size of the page's JavaScript.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { Command } from "commander";
import { chromium } from "playwright-core";
import { findBrowser } from "./lib/browser.ts";
import { startE2eStack } from "./lib/e2e-stack.ts";
import { percentiles } from "./lib/percentiles.ts";

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
/**
 * Notes every change to the page and the frame after each: the rows first
 * show the previous query's answer (kept while the next one loads), so the
 * change that matters is the first one after this query's response.
 */
const WATCH_CHANGES = `(() => {
  window.__changes = [];
  window.__frames = [];
  if (!window.__frameLoop) {
    window.__frameLoop = true;
    const tick = (t) => { window.__frames.push(t); requestAnimationFrame(tick); };
    requestAnimationFrame(tick);
  }
  performance.clearResourceTimings();
  if (window.__observer) window.__observer.disconnect();
  window.__observer = new MutationObserver(() => {
    const change = { at: performance.now(), paint: undefined };
    window.__changes.push(change);
    requestAnimationFrame((t) => { change.paint = performance.now(); change.frame = t; });
  });
  window.__observer.observe(document.body, { childList: true, subtree: true, characterData: true });
})()`;

/** This query's response end (Resource Timing) and the first change after it, with its frame. */
const READ_TIMING = (query: string) => `(() => {
  const q = ${JSON.stringify(query)};
  const mine = performance.getEntriesByType("resource").filter((e) => {
    const url = new URL(e.name);
    return url.pathname === "/api/search" && url.searchParams.get("q") === q;
  });
  const end = mine.length ? mine[0].responseEnd : NaN;
  const change = window.__changes.find((c) => c.at >= end);
  // Frames that began after the answer, up to the one that showed its rows.
  const late = change && change.frame !== undefined
    ? window.__frames.filter((t) => t > end && t < change.frame).length
    : NaN;
  return { responseEnd: end, row: change ? change.at : NaN, paint: change && change.paint !== undefined ? change.paint : NaN, late };
})()`;

function stats(values: number[]): string {
  const [p50, p95, max] = percentiles(values, [0.5, 0.95, 1]).map((v) => v.toFixed(1));
  return `p50 ${p50} ms, p95 ${p95} ms, max ${max} ms (n=${values.length})`;
}

const program = new Command("bench:web")
  .option("--queries <n>", "queries to time", (v) => Number(v), QUERIES.length)
  .action(async (options: { queries: number }) => {
    const stack = process.env.E2E_BASE ? undefined : await startE2eStack();
    const base = process.env.E2E_BASE ?? (stack?.base as string);
    const browser = await chromium.launch({
      executablePath: findBrowser() ?? "/usr/bin/chromium",
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
      // The shortcut works once the page has mounted.
      await page.getByRole("button", { name: "Search movies", exact: true }).waitFor();
      const toRow: number[] = [];
      const toPaint: number[] = [];
      const framesLate: number[] = [];
      for (const query of QUERIES.slice(0, options.queries)) {
        await page.keyboard.press("Control+k");
        await page.getByRole("dialog", { name: "Search movies", exact: true }).waitFor();
        const input = page.getByRole("combobox", { name: "Search movies", exact: true });
        await input.fill("");
        await page.waitForFunction(`document.querySelector('[role="option"]') === null`);
        await page.evaluate(WATCH_CHANGES);
        const answered = page.waitForResponse(
          (r) => new URL(r.url()).searchParams.get("q") === query,
        );
        await input.fill(query);
        await answered;
        // Time for the render and the frame after it to be recorded.
        await page.waitForTimeout(150);
        const timing = (await page.evaluate(READ_TIMING(query))) as {
          responseEnd: number;
          row: number;
          paint: number;
          late: number;
        };
        toRow.push(timing.row - timing.responseEnd);
        toPaint.push(timing.paint - timing.responseEnd);
        framesLate.push(timing.late);
        await page.keyboard.press("Escape");
      }
      console.log(`API answer -> its rows in the DOM: ${stats(toRow)}`);
      console.log(`API answer -> the next frame:    ${stats(toPaint)}`);
      const onTime = framesLate.filter((n) => n === 0).length;
      console.log(
        `rows painted by the first frame after the answer: ${onTime} of ${framesLate.length}; frames late: ${[...framesLate].sort((a, b) => a - b).join(", ")}`,
      );
    } finally {
      await browser.close();
      await stack?.stop();
    }
  });

await program.parseAsync();
