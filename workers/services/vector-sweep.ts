/**
 * The nightly sweep (a Cron Trigger, wrangler.toml): finds films whose
 * vectors are missing or stale (their content hashes differ from what
 * Postgres' texts hash to) and vectors of films Postgres no longer has, and
 * queues a job for each, at most `limit` per run. The same ids and hashes as
 * the pipeline's, compared without regard to which model made a vector, so
 * the sweep never re-queues what the pipeline wrote, nor the reverse.
 */
import type { VectorStores } from "../../core/vector/movie-vectors.ts";
import type { Db } from "./database.ts";
import { type EmbedJob, markQueued } from "./embed-jobs.ts";
import { catalogPage, existingFilms, staleFilms } from "./film-vectors.ts";

/** Films compared per round trip to each store. */
const PAGE = 500;
/** Messages per Queue sendBatch call (Cloudflare's limit is 100). */
const SEND_BATCH = 100;

export interface SweepReport {
  /** Films compared. */
  checked: number;
  /** Films whose vectors were missing or stale. */
  stale: number;
  /** Films with vectors but no row in Postgres. */
  orphans: number;
  /** Jobs queued (at most the limit). */
  enqueued: number;
  /** False when the limit stopped the sweep early: the next run goes on. */
  complete: boolean;
}

export async function sweepVectors(
  db: Db,
  stores: VectorStores,
  queue: Queue<EmbedJob>,
  limit: number,
): Promise<SweepReport> {
  const jobs: EmbedJob[] = [];
  let checked = 0;
  let complete = true;
  for (let after = 0; ; ) {
    const page = await catalogPage(db, after, PAGE);
    if (page.length === 0) break;
    checked += page.length;
    for (const movieId of await staleFilms(stores, page)) jobs.push({ movieId, op: "upsert" });
    after = page[page.length - 1]?.id ?? after;
    if (jobs.length >= limit) {
      // The limit is reached: the next run goes on (orphans included).
      complete = false;
      break;
    }
  }
  const stale = jobs.length;
  for (let offset = 0; complete && jobs.length < limit; offset += PAGE) {
    const page = await stores.movies.get({ include: [], limit: PAGE, offset });
    const ids = page.ids.map(Number);
    const present = await existingFilms(db, ids);
    for (const id of ids) if (!present.has(id)) jobs.push({ movieId: id, op: "delete" });
    if (ids.length < PAGE) break;
  }
  const queued = jobs.slice(0, limit);
  if (queued.length < jobs.length) complete = false;
  await markQueued(db, queued);
  for (let i = 0; i < queued.length; i += SEND_BATCH) {
    await queue.sendBatch(
      queued.slice(i, i + SEND_BATCH).map((job) => ({ body: job, contentType: "json" as const })),
    );
  }
  return { checked, stale, orphans: jobs.length - stale, enqueued: queued.length, complete };
}
