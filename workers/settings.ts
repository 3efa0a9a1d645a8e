import { z } from "zod";

/**
 * The Worker's vars (wrangler.toml, `.dev.vars`) and secrets (`wrangler
 * secret put`), each with its description: the one source of
 * docs/configuration.md (`npm run docs:config`). The bindings (R2, rate
 * limiter) are added in env.ts.
 */
export const WorkerSettings = z.object({
  DATABASE_URL: z
    .string()
    .min(1, "DATABASE_URL secret is missing")
    .describe(
      "Secret. Postgres: Neon in production, the local server through a WebSocket proxy in dev and tests.",
    ),
  CHROMA_URL: z
    .string()
    .url("CHROMA_URL must be a URL")
    .describe("Chroma's base URL: loopback locally, a self-hosted HTTPS server in production."),
  CHROMA_TOKEN: z.string().min(1).optional().describe("Secret. Bearer token sent to Chroma."),
  MODEL_PREFIX: z
    .string()
    .default("all-MiniLM-L6-v2")
    .describe("Folder of the int8 model and tokenizer files in the MODELS R2 bucket."),
  ANTHROPIC_API_KEY: z
    .string()
    .min(1)
    .optional()
    .describe(
      "Secret. Claude, for re-ranking taste queries and writing explanations; unset means no model calls (the deterministic explainer answers).",
    ),
  ANTHROPIC_BASE_URL: z
    .string()
    .url()
    .optional()
    .describe("Cloudflare AI Gateway, or a local fake Messages API in tests."),
  ANTHROPIC_MODEL: z.string().default("claude-sonnet-5-5").describe("The Claude model."),
  RERANK_BUDGET_MS: z.coerce
    .number()
    .int()
    .min(50)
    .max(10_000)
    .default(1_200)
    .describe("The most a search waits for a re-rank before it keeps the fused order."),
  RERANK_HOURLY_BUDGET: z.coerce
    .number()
    .int()
    .min(0)
    .max(1_000_000)
    .default(500)
    .describe("Re-rank calls to Claude per clock hour, all clients together."),
  JWT_SECRET: z
    .string()
    .min(16, "JWT_SECRET must be at least 16 characters")
    .optional()
    .describe(
      "Secret. HS256 secret that signs user tokens (`npm run token` mints them locally); user routes answer 500 without it.",
    ),
  ADMIN_TOKEN: z
    .string()
    .min(16, "ADMIN_TOKEN must be at least 16 characters")
    .optional()
    .describe("Secret. Bearer token for /api/admin routes; unset disables them."),
  EXPLAIN_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .min(100)
    .max(120_000)
    .default(20_000)
    .describe("Per Messages API request for an explanation (the SDK retries 429 / 5xx on top)."),
  EXPLAIN_RATE_LIMIT: z.coerce
    .number()
    .int()
    .min(1)
    .max(10_000)
    .default(30)
    .describe(
      "Claude calls a user's explanations may make per clock hour (reserved before, settled after).",
    ),
  EXPLAIN_TTL_DAYS: z.coerce
    .number()
    .min(0)
    .max(365)
    .default(7)
    .describe("How long a cached explanation is served, in days."),
  EXPLAIN_PREFETCH: z.coerce
    .number()
    .int()
    .min(0)
    .max(10)
    .default(3)
    .describe(
      "Explanations generated in the background for the top recommendations (0 turns it off).",
    ),
  EMBED_SWEEP_LIMIT: z.coerce
    .number()
    .int()
    .min(1)
    .max(100_000)
    .default(1_000)
    .describe(
      "Embed jobs the nightly sweep queues at most per run (films with missing or stale vectors); the next run goes on.",
    ),
  DEMO_SIGNIN: z
    .enum(["on", "off"])
    .default("off")
    .describe(
      '"on" lets /api/demo/session mint a token for any user: local stacks and demos only.',
    ),
  NEON_PROXY: z
    .string()
    .optional()
    .describe(
      "Local only: host:port of the proxy standing in for Neon's WebSocket and HTTP endpoints (scripts/lib/neon-proxy.ts).",
    ),
});
export type WorkerSettings = z.infer<typeof WorkerSettings>;
