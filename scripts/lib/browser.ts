import { existsSync } from "node:fs";

/** Where Chromium or Chrome is usually installed, in the order they are tried after CHROMIUM_PATH. */
const CANDIDATES = [
  "/usr/bin/chromium",
  "/usr/bin/chromium-browser",
  "/usr/bin/google-chrome",
  "/usr/bin/google-chrome-stable",
  "/snap/bin/chromium",
  "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
  "/Applications/Chromium.app/Contents/MacOS/Chromium",
];

/**
 * An installed Chromium or Chrome for playwright-core (which never downloads
 * one here): CHROMIUM_PATH when set, else the first that exists, else undefined.
 */
export function findBrowser(candidates: readonly string[] = CANDIDATES): string | undefined {
  const wanted = process.env.CHROMIUM_PATH;
  if (wanted) {
    if (!existsSync(wanted)) throw new Error(`CHROMIUM_PATH=${wanted} does not exist`);
    return wanted;
  }
  return candidates.find((file) => existsSync(file));
}

/** What to do about a missing browser, in one line. */
export const NO_BROWSER =
  "browser tests skipped: no Chromium or Chrome found (install chromium, e.g. `apt-get install chromium`, or set CHROMIUM_PATH)";
