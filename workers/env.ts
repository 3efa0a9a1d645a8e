import { z } from "zod";
import type { EmbedJob } from "./services/embed-jobs.ts";
import { WorkerSettings } from "./settings.ts";

/** What the Worker needs: its settings (settings.ts) and its bindings (wrangler.toml). */
export const WorkerEnv = WorkerSettings.extend({
  /** R2 bucket holding the int8 model and tokenizer files. */
  MODELS: z.custom<R2Bucket>(
    (value) => typeof (value as R2Bucket | undefined)?.get === "function",
    "R2 binding MODELS is missing",
  ),
  /** The embed queue's producer: jobs for films written through the API and the sweep (wrangler.toml, [[queues.producers]]). */
  EMBED_QUEUE: z
    .custom<Queue<EmbedJob>>(
      (value) => typeof (value as Queue | undefined)?.send === "function",
      "EMBED_QUEUE must be a queue producer binding",
    )
    .optional(),
  /** Cloudflare's rate limiting binding: re-ranks a client may start (wrangler.toml, [[ratelimits]]). */
  RERANK_LIMITER: z
    .custom<RateLimit>(
      (value) => typeof (value as RateLimit | undefined)?.limit === "function",
      "RERANK_LIMITER must be a rate limiting binding",
    )
    .optional(),
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
