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
  /** Claude, for re-ranking taste queries and writing explanations; unset means no model calls. */
  ANTHROPIC_API_KEY: z.string().min(1).optional(),
  /** Cloudflare AI Gateway, or a local fake Messages API in tests. */
  ANTHROPIC_BASE_URL: z.string().url().optional(),
  ANTHROPIC_MODEL: z.string().default("claude-sonnet-5-5"),
  /** The most a search waits for a re-rank before it keeps the fused order. */
  RERANK_BUDGET_MS: z.coerce.number().int().min(50).max(10_000).default(1_200),
  /** Re-rank calls to Claude per clock hour, all clients together. */
  RERANK_HOURLY_BUDGET: z.coerce.number().int().min(0).max(1_000_000).default(500),
  /** Cloudflare's rate limiting binding: re-ranks a client may start (wrangler.toml, [[ratelimits]]). */
  RERANK_LIMITER: z
    .custom<RateLimit>(
      (value) => typeof (value as RateLimit | undefined)?.limit === "function",
      "RERANK_LIMITER must be a rate limiting binding",
    )
    .optional(),
  /** HS256 secret that signs user tokens (`npm run token` mints them locally). */
  JWT_SECRET: z.string().min(16, "JWT_SECRET must be at least 16 characters").optional(),
  /** Bearer token for /api/admin routes; unset disables them. */
  ADMIN_TOKEN: z.string().min(16, "ADMIN_TOKEN must be at least 16 characters").optional(),
  /** Per Messages API request for an explanation (the SDK retries 429 / 5xx on top). */
  EXPLAIN_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(20_000),
  /** Claude calls a user's explanations may make per clock hour (reserved before, settled after). */
  EXPLAIN_RATE_LIMIT: z.coerce.number().int().min(1).max(10_000).default(30),
  /** How long a cached explanation is served, in days. */
  EXPLAIN_TTL_DAYS: z.coerce.number().min(0).max(365).default(7),
  /** Explanations generated in the background for the top recommendations (0 turns it off). */
  EXPLAIN_PREFETCH: z.coerce.number().int().min(0).max(10).default(3),
  /** "on" lets /api/demo/session mint a token for any user: local stacks and demos only. */
  DEMO_SIGNIN: z.enum(["on", "off"]).default("off"),
  /** Local only: host:port of the proxy standing in for Neon's WebSocket and HTTP endpoints (scripts/lib/neon-proxy.ts). */
  NEON_PROXY: z.string().optional(),
});
export type WorkerEnv = z.infer<typeof WorkerEnv>;

/** Each environment object the runtime hands the Worker, parsed once (it is the same for every request of an isolate). */
const parsed = new WeakMap<object, WorkerEnv>();

/** Parses the environment, naming every missing or bad setting. */
export function parseEnv(raw: unknown): WorkerEnv {
  const known = parsed.get(raw as object);
  if (known) return known;
  // An empty var (`--var KEY:` or `KEY=` in .dev.vars) means unset.
  const present = Object.fromEntries(
    Object.entries(raw as Record<string, unknown>).filter(([, v]) => v !== ""),
  );
  const result = WorkerEnv.safeParse(present);
  if (!result.success) throw result.error;
  parsed.set(raw as object, result.data);
  return result.data;
}
