import path from "node:path";
import { z } from "zod";

const Env = z.object({
  /** Postgres (local server or Neon). Unset: the embedded PostgreSQL server under MARQUEE_HOME. */
  DATABASE_URL: z.string().url().optional(),
  /** The Chroma server's base URL. */
  CHROMA_URL: z.string().url().default("http://127.0.0.1:8000"),
  /** Bearer token for a Chroma server behind TLS/auth (production). */
  CHROMA_TOKEN: z.string().min(1).optional(),
  /** Where the local Chroma server keeps its data (default $MARQUEE_HOME/chroma). */
  CHROMA_DATA_DIR: z.string().optional(),
  /** Where Marquee keeps local state: the embedded database, Chroma data, pid files. */
  MARQUEE_HOME: z.string().default(".marquee"),
  /** Folder holding the ONNX model files and tokenizer (see `npm run model:fetch`). */
  MODELS_DIR: z.string().default("models/all-MiniLM-L6-v2"),
});

export type PipelineConfig = z.infer<typeof Env> & {
  /** Where the embedded PostgreSQL keeps its data. */
  embeddedDir: string;
  /** The port of CHROMA_URL, where a local Chroma server is started. */
  chromaPort: number;
  chromaDataDir: string;
};

/** Reads the pipeline's settings from the environment once, failing loudly on a bad value. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): PipelineConfig {
  const parsed = Env.safeParse(
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
