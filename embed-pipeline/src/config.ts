import path from "node:path";
import { z } from "zod";

/**
 * The pipeline's and the local stack's settings, each with its description:
 * a source of docs/configuration.md (`npm run docs:config`).
 */
export const PipelineSettings = z.object({
  DATABASE_URL: z
    .string()
    .url()
    .optional()
    .describe(
      "Postgres, local or Neon (`postgres://…?sslmode=require`; the pipeline uses Neon's ordinary TCP endpoint). Unset: the embedded PostgreSQL server in `$MARQUEE_HOME/postgres`.",
    ),
  CHROMA_URL: z
    .string()
    .url()
    .default("http://127.0.0.1:8000")
    .describe("The Chroma server; `https://` for a self-hosted one behind TLS."),
  CHROMA_TOKEN: z.string().min(1).optional().describe("Bearer token sent to Chroma."),
  CHROMA_DATA_DIR: z
    .string()
    .optional()
    .describe("Where the local Chroma server keeps its data (default `$MARQUEE_HOME/chroma`)."),
  MARQUEE_HOME: z
    .string()
    .default(".marquee")
    .describe(
      "Local state: the embedded database, Chroma's data, secrets `npm start` keeps, pid files.",
    ),
  MODELS_DIR: z
    .string()
    .default("models/all-MiniLM-L6-v2")
    .describe("The ONNX model files and tokenizer (`npm run model:fetch`)."),
});

export type PipelineConfig = z.infer<typeof PipelineSettings> & {
  /** Where the embedded PostgreSQL keeps its data. */
  embeddedDir: string;
  /** The port of CHROMA_URL, where a local Chroma server is started. */
  chromaPort: number;
  chromaDataDir: string;
};

/** Reads the pipeline's settings from the environment once, failing loudly on a bad value. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): PipelineConfig {
  const parsed = PipelineSettings.safeParse(
    Object.fromEntries(Object.entries(env).filter(([, value]) => value !== "")),
  );
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    throw new Error(`bad environment: ${problems.join("; ")}`);
  }
  const { MARQUEE_HOME, CHROMA_URL, CHROMA_DATA_DIR } = parsed.data;
  return {
    ...parsed.data,
    embeddedDir: path.join(MARQUEE_HOME, "postgres"),
    chromaPort: Number(new URL(CHROMA_URL).port || 8000),
    chromaDataDir: CHROMA_DATA_DIR ?? path.join(MARQUEE_HOME, "chroma"),
  };
}
