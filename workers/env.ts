import { z } from "zod";

/** What the Worker needs from wrangler.toml vars, bindings and secrets. */
export const WorkerEnv = z.object({
  /** Postgres: Neon in production, the local server through a WebSocket proxy in dev and tests. */
  DATABASE_URL: z.string().min(1, "DATABASE_URL secret is missing"),
  /** Chroma's base URL: loopback locally, a self-hosted HTTPS server in production. */
  CHROMA_URL: z.string().url("CHROMA_URL must be a URL"),
  CHROMA_TOKEN: z.string().min(1).optional(),
  /** R2 bucket holding the int8 model and tokenizer files. */
  MODELS: z.custom<R2Bucket>(
    (value) => typeof (value as R2Bucket | undefined)?.get === "function",
    "R2 binding MODELS is missing",
  ),
  MODEL_PREFIX: z.string().default("all-MiniLM-L6-v2"),
  /** Claude, for re-ranking taste queries (and explanations later); unset means no model calls. */
  ANTHROPIC_API_KEY: z.string().min(1).optional(),
  /** Cloudflare AI Gateway, or a local fake Messages API in tests. */
  ANTHROPIC_BASE_URL: z.string().url().optional(),
  ANTHROPIC_MODEL: z.string().default("claude-sonnet-4-5"),
  /** The most a search waits for a re-rank before it keeps the fused order. */
  RERANK_BUDGET_MS: z.coerce.number().int().min(50).max(10_000).default(1_200),
  /** Local only: host:port of the WebSocket-to-TCP proxy that stands in for Neon's. */
  NEON_WS_PROXY: z.string().optional(),
});
export type WorkerEnv = z.infer<typeof WorkerEnv>;

/** Parses the environment, naming every missing or bad setting. */
export function parseEnv(raw: unknown): WorkerEnv {
  const result = WorkerEnv.safeParse(raw);
  if (result.success) return result.data;
  throw result.error;
}
