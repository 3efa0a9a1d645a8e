/**
 * The Worker's handlers beside fetch: the embed queue's consumer and its
 * dead-letter consumer (both queues are this Worker's, wrangler.toml), and
 * the nightly sweep's Cron Trigger.
 */

import { parseEnv, type WorkerEnv } from "./env.ts";
import { type Db, openDatabase } from "./services/database.ts";
import { collectionsFor } from "./services/dense-search.ts";
import {
  EmbedJob,
  embedQueue,
  markDead,
  markDelivery,
  retryDelaySeconds,
} from "./services/embed-jobs.ts";
import { applyEmbedJob } from "./services/film-vectors.ts";
import { queryEmbedder } from "./services/query-embedder.ts";
import { type SweepReport, sweepVectors } from "./services/vector-sweep.ts";

/** The dead-letter queue's name in wrangler.toml ([[queues.consumers]] dead_letter_queue). */
export const DEAD_LETTER_QUEUE = "marquee-embed-dead";

/** Jobs the consumer gets: a film to write or remove; retried with backoff on any failure. */
async function consume(batch: MessageBatch, env: WorkerEnv, db: Db): Promise<void> {
  const embedder = () => queryEmbedder(env.MODELS, env.MODEL_PREFIX);
  for (const message of batch.messages) {
    const parsed = EmbedJob.safeParse(message.body);
    if (!parsed.success) {
      // Retrying cannot fix a malformed job: say so and drop it.
      console.error(JSON.stringify({ embed: "malformed job", body: message.body }));
      message.ack();
      continue;
    }
    const job = parsed.data;
    const started = Date.now();
    try {
      const outcome = await applyEmbedJob(job, db, await collectionsFor(env), embedder);
      await markDelivery(db, job, { done: true, attempts: message.attempts });
      console.log(
        JSON.stringify({
          embed: outcome,
          ...job,
          attempts: message.attempts,
          ms: Date.now() - started,
        }),
      );
      message.ack();
    } catch (error) {
      const delaySeconds = retryDelaySeconds(message.attempts);
      console.warn(
        JSON.stringify({
          embed: "failed",
          ...job,
          attempts: message.attempts,
          delaySeconds,
          error: String(error),
        }),
      );
      await markDelivery(db, job, {
        done: false,
        attempts: message.attempts,
        error: String(error),
      }).catch(() => {});
      message.retry({ delaySeconds });
    }
  }
}

/** Jobs that ran out of retries: recorded as dead, for the admin stats. */
async function recordDead(batch: MessageBatch, db: Db): Promise<void> {
  for (const message of batch.messages) {
    const parsed = EmbedJob.safeParse(message.body);
    if (parsed.success) await markDead(db, parsed.data);
    console.error(JSON.stringify({ embed: "dead letter", body: message.body }));
    message.ack();
  }
}

/** A handler's settings and a database for its run, the database ended after it. */
async function run(
  rawEnv: unknown,
  ctx: ExecutionContext,
  work: (env: WorkerEnv, db: Db) => Promise<void>,
): Promise<void> {
  const env = parseEnv(rawEnv);
  const database = openDatabase(env);
  try {
    await work(env, database.db);
  } finally {
    ctx.waitUntil(database.close());
  }
}

export function queue(batch: MessageBatch, rawEnv: unknown, ctx: ExecutionContext) {
  return run(rawEnv, ctx, (env, db) =>
    batch.queue === DEAD_LETTER_QUEUE ? recordDead(batch, db) : consume(batch, env, db),
  );
}

/** Runs the sweep with the Worker's own bindings (the Cron Trigger and the admin route). */
export async function runSweep(env: WorkerEnv, db: Db): Promise<SweepReport> {
  return sweepVectors(db, await collectionsFor(env), embedQueue(env), env.EMBED_SWEEP_LIMIT);
}

export function scheduled(
  _controller: ScheduledController,
  rawEnv: unknown,
  ctx: ExecutionContext,
) {
  return run(rawEnv, ctx, async (env, db) => {
    console.log(JSON.stringify({ sweep: await runSweep(env, db) }));
  });
}
