/**
 * `npm run deploy [-- --dry-run]`: builds the page, checks that the Worker's
 * secrets are set (DATABASE_URL, JWT_SECRET, and the optional ones it names),
 * uploads the int8 model and tokenizer to the R2 bucket, and deploys the
 * Worker with its static assets. `--dry-run` only builds the page and the
 * Worker bundle (no Cloudflare account needed) and prints their sizes.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";

const root = path.resolve(import.meta.dirname, "..");
const dryRun = process.argv.includes("--dry-run");
const REQUIRED_SECRETS = ["DATABASE_URL", "JWT_SECRET"];
const OPTIONAL_SECRETS = ["ANTHROPIC_API_KEY", "CHROMA_TOKEN", "ADMIN_TOKEN"];

function run(command: string, args: string[]): string {
  return execFileSync(command, args, {
    cwd: root,
    stdio: ["ignore", "pipe", "inherit"],
  }).toString();
}

function kib(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KiB`;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .map((f) => path.join(dir, f))
    .filter((f) => statSync(f).isFile());
}

console.log("== the page (vite build)");
run("npm", ["run", "-s", "web:build"]);
const js = filesUnder(path.join(root, "web/dist")).filter((f) => f.endsWith(".js"));
const jsGzip = js.reduce((sum, f) => sum + gzipSync(readFileSync(f)).length, 0);
console.log(`page JavaScript: ${js.length} file(s), ${kib(jsGzip)} gzip`);

if (dryRun) {
  console.log("== the Worker bundle (wrangler deploy --dry-run)");
  const out = mkdtempSync(path.join(os.tmpdir(), "marquee-deploy-"));
  try {
    run("npx", ["wrangler", "deploy", "--dry-run", "--outdir", out]);
    const bundle = filesUnder(out).filter((f) => /\.(js|mjs|wasm)$/.test(f));
    const raw = bundle.reduce((sum, f) => sum + statSync(f).size, 0);
    const gzip = bundle.reduce((sum, f) => sum + gzipSync(readFileSync(f)).length, 0);
    console.log(
      `Worker bundle: ${kib(raw)}, ${kib(gzip)} gzip (Cloudflare's paid-plan limit: 10 MiB gzip)`,
    );
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
  process.exit(0);
}

console.log("== secrets");
const listed = JSON.parse(run("npx", ["wrangler", "secret", "list", "--format", "json"])) as {
  name: string;
}[];
const names = new Set(listed.map((s) => s.name));
const missing = REQUIRED_SECRETS.filter((n) => !names.has(n));
if (missing.length) {
  console.error(
    `missing secrets: ${missing.join(", ")}; set each with \`npx wrangler secret put NAME\``,
  );
  process.exit(1);
}
for (const name of OPTIONAL_SECRETS.filter((n) => !names.has(n)))
  console.log(`note: ${name} is not set (see docs/deployment.md)`);

console.log("== the model into R2");
run("npm", ["run", "-s", "model:upload", "--", "--remote"]);
console.log("== wrangler deploy (Worker + page)");
execFileSync("npx", ["wrangler", "deploy"], { cwd: root, stdio: "inherit" });
