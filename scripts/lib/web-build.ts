import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "../..");

/** The newest modification time under `dir`, skipping build output and dependencies. */
function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === "dist" || entry.name === "node_modules" || entry.name.startsWith("."))
      continue;
    const full = path.join(dir, entry.name);
    newest = Math.max(
      newest,
      entry.isDirectory() ? newestMtime(full) : entry.isFile() ? statSync(full).mtimeMs : 0,
    );
  }
  return newest;
}

/**
 * Builds web/dist when it is missing or older than a source file under web/:
 * wrangler refuses to start without the assets directory its config names.
 */
export function ensureWebBuild(log: (line: string) => void = console.log): void {
  const webDir = path.join(root, "web");
  const index = path.join(webDir, "dist/index.html");
  if (existsSync(index) && statSync(index).mtimeMs >= newestMtime(webDir)) return;
  log(
    existsSync(index) ? "web/dist is stale: npm run web:build" : "no web/dist: npm run web:build",
  );
  execFileSync("npm", ["run", "-s", "web:build"], {
    cwd: root,
    stdio: ["ignore", "inherit", "inherit"],
  });
  if (!existsSync(index)) throw new Error("npm run web:build did not write web/dist/index.html");
}
