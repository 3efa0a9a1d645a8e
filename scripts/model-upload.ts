/**
 * `npm run model:upload [-- --remote]`: copies the int8 model and tokenizer
 * files into the Worker's R2 bucket (MODELS in wrangler.toml): the local
 * `wrangler dev` bucket by default, the real one with --remote.
 */
import { execFileSync } from "node:child_process";
import path from "node:path";
import { MODEL_FILES } from "../core/embedding/model.ts";
import { loadConfig } from "../embed-pipeline/src/config.ts";

const remote = process.argv.includes("--remote");
const bucket = "marquee-models";
const prefix = process.env.MODEL_PREFIX ?? "all-MiniLM-L6-v2";
const modelsDir = loadConfig().MODELS_DIR;
for (const file of [MODEL_FILES.int8, MODEL_FILES.tokenizer, MODEL_FILES.tokenizerConfig]) {
  execFileSync(
    "npx",
    [
      "wrangler",
      "r2",
      "object",
      "put",
      `${bucket}/${prefix}/${file}`,
      "--file",
      path.join(modelsDir, file),
      remote ? "--remote" : "--local",
    ],
    { stdio: "inherit" },
  );
}
console.log(
  `model files uploaded to ${remote ? "R2" : "the local R2 of wrangler dev"}: ${bucket}/${prefix}/`,
);
