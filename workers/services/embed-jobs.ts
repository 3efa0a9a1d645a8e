/**
 * Films added, changed or removed through the API reach the vectors through
 * a Cloudflare Queue (EMBED_QUEUE, wrangler.toml): the write commits to
 * Postgres, then a job names the film; the queue's consumer (this Worker,
 * film-vectors.ts) writes or removes its vectors. Each film's latest job is
 * a row of `embed_jobs`, for the admin stats.
 */
import { desc, eq, sql } from "drizzle-orm";
import { z } from "zod";
import { embedJobs } from "../../core/db/schema.ts";
import type { WorkerEnv } from "../env.ts";
import { ApiError } from "../errors.ts";
import type { Db } from "./database.ts";

export const EmbedJob = z.object({
  movieId: z.number().int().positive(),
  op: z.enum(["upsert", "delete"]),
});
export type EmbedJob = z.infer<typeof EmbedJob>;

/** The embed queue's producer binding, or a 500 naming what wrangler.toml lacks. */
export function embedQueue(env: WorkerEnv): Queue<EmbedJob> {
  if (!env.EMBED_QUEUE)
    throw new ApiError(
      "BAD_ENVIRONMENT",
      "the EMBED_QUEUE binding is missing (wrangler.toml [[queues.producers]])",
    );
  return env.EMBED_QUEUE;
}

/** Seconds before the nth retry of a job: 10, 20, 40, ... capped at 5 minutes. */
export function retryDelaySeconds(attempts: number): number {
  return Math.min(300, 10 * 2 ** Math.max(0, attempts - 1));
}

type Writer = Pick<Db, "insert">;

/** Records films' new jobs as queued (one row per film: its latest job). */
export async function markQueued(db: Writer, jobs: EmbedJob[]): Promise<void> {
  for (let i = 0; i < jobs.length; i += MARK_ROWS)
    await markQueuedChunk(db, jobs.slice(i, i + MARK_ROWS));
}

/** Jobs per statement: four bind parameters a row, under Postgres' 65,535 (a sweep may queue 100,000). */
const MARK_ROWS = 5_000;

async function markQueuedChunk(db: Writer, jobs: EmbedJob[]): Promise<void> {
  await db
    .insert(embedJobs)
    .values(jobs.map((job) => ({ ...job, status: "queued", attempts: 0 })))
    .onConflictDoUpdate({
      target: embedJobs.movieId,
      set: {
        op: sql`excluded.op`,
        status: "queued",
        attempts: 0,
        lastError: null,
        queuedAt: sql`now()`,
        updatedAt: sql`now()`,
      },
    });
}

/** Records a delivery of a job: done, or failed and to be retried (with the error). */
export async function markDelivery(
  db: Writer,
  job: EmbedJob,
  outcome: { done: true; attempts: number } | { done: false; attempts: number; error: string },
): Promise<void> {
  const values = {
    status: outcome.done ? "done" : "queued",
    attempts: outcome.attempts,
    lastError: outcome.done ? null : outcome.error,
    updatedAt: sql`now()`,
  };
  await db
    .insert(embedJobs)
    .values({ ...job, ...values })
    .onConflictDoUpdate({ target: embedJobs.movieId, set: { op: job.op, ...values } });
}

/** Records a job that ran out of retries (it reached the dead-letter queue); its last error stays. */
export async function markDead(db: Writer, job: EmbedJob): Promise<void> {
  await db
    .insert(embedJobs)
    .values({ ...job, status: "dead", lastError: "no delivery recorded" })
    .onConflictDoUpdate({
      target: embedJobs.movieId,
      set: { op: job.op, status: "dead", updatedAt: sql`now()` },
    });
}

/** Jobs per status, and the latest dead ones with their errors. */
export async function embedJobStats(db: Pick<Db, "select">) {
  const counts = await db
    .select({ status: embedJobs.status, jobs: sql<number>`count(*)::int` })
    .from(embedJobs)
    .groupBy(embedJobs.status);
  const dead = await db
    .select({
      movieId: embedJobs.movieId,
      op: embedJobs.op,
      attempts: embedJobs.attempts,
      error: embedJobs.lastError,
      updatedAt: embedJobs.updatedAt,
    })
    .from(embedJobs)
    .where(eq(embedJobs.status, "dead"))
    .orderBy(desc(embedJobs.updatedAt))
    .limit(20);
  const count = (status: string) => counts.find((c) => c.status === status)?.jobs ?? 0;
  return {
    queued: count("queued"),
    done: count("done"),
    dead: count("dead"),
    recentDead: dead.map((d) => ({ ...d, updatedAt: d.updatedAt.toISOString() })),
  };
}
