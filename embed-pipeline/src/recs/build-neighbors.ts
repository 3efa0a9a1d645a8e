import { sql } from "drizzle-orm";
import { movieNeighbors, movieStats } from "../../../core/db/schema.ts";
import {
  movieStats as computeMovieStats,
  ITEM_ITEM_DEFAULTS,
  type RatingColumns,
} from "../../../core/recs/item-item.ts";
import { type Connection, type Database, queryRows } from "../db/connect.ts";
import { stageTableRows } from "../db/stage-table.ts";
import { defaultNeighborThreads, neighborsInThreads } from "./neighbor-threads.ts";
import { type TripleColumns, Triples } from "./triples.ts";

/** Ratings read per query: the whole table is never one result set of objects in memory. */
const PAGE = 200_000;

export interface NeighborsReport {
  ratings: number;
  neighbors: number;
  movies: number;
  threads: number;
  seconds: number;
  /** Seconds of each phase: reading the ratings, computing the pairs, writing both tables. */
  phases: { read: number; compute: number; write: number };
}

/**
 * Recomputes the item-item neighbours and per-movie rating counts from all
 * ratings in Postgres and replaces both tables in one transaction, so the
 * Worker never sees half of them. The pairs are computed on `threads`
 * threads (neighbor-threads.ts) and written by COPY into fresh tables that
 * take the old ones' place (stageTableRows): at 100x, 14.6 million pairs.
 */
export async function buildNeighbors(
  { db, pool }: Pick<Connection, "db" | "pool">,
  threads = defaultNeighborThreads(),
): Promise<NeighborsReport> {
  const started = performance.now();
  const ratings = await readRatings(db);
  const read = performance.now();
  const shares = await neighborsInThreads(ratings, ITEM_ITEM_DEFAULTS, threads);
  const stats = computeMovieStats(ratings);
  const computed = performance.now();
  const client = await pool.connect();
  try {
    await client.query("begin");
    const staged = [
      await stageTableRows(client, movieNeighbors, pairRows(shares)),
      await stageTableRows(client, movieStats, stats),
    ];
    // Readers wait from the first swap to the commit: a few renames.
    for (const table of staged) await table.swap();
    await client.query("commit");
    client.release();
  } catch (error) {
    await client.query("rollback").catch(() => {});
    // A client whose transaction failed may have lost its server: not back into the pool.
    client.release(error instanceof Error ? error : true);
    throw error;
  }
  const done = performance.now();
  return {
    ratings: ratings.ratings.length,
    neighbors: shares.reduce((sum, pairs) => sum + pairs.a.length, 0),
    movies: stats.length,
    threads: Math.max(1, threads),
    seconds: (done - started) / 1000,
    phases: {
      read: (read - started) / 1000,
      compute: (computed - read) / 1000,
      write: (done - computed) / 1000,
    },
  };
}

function* pairRows(shares: readonly TripleColumns[]) {
  for (const { a, b, value } of shares)
    for (let k = 0; k < a.length; k++)
      yield { movieId: a[k] as number, neighborId: b[k] as number, score: value[k] as number };
}

/**
 * Every rating as typed columns (12 bytes a rating), read a page at a time
 * in key order: at 100x MovieLens small (10 million ratings) one result set
 * of row objects alone would take gigabytes.
 */
async function readRatings(db: Database): Promise<RatingColumns> {
  const read = new Triples();
  let after = { userId: -1, movieId: -1 };
  for (;;) {
    const page = await queryRows<{ userId: number; movieId: number; rating: number }>(
      db,
      sql`select user_id as "userId", movie_id as "movieId", rating from ratings
           where (user_id, movie_id) > (${after.userId}, ${after.movieId})
           order by user_id, movie_id limit ${PAGE}`,
    );
    for (const r of page) read.push(r.userId, r.movieId, r.rating);
    const last = page[page.length - 1];
    if (!last || page.length < PAGE) break;
    after = last;
  }
  return {
    userIds: read.a.subarray(0, read.size),
    movieIds: read.b.subarray(0, read.size),
    ratings: read.value.subarray(0, read.size),
  };
}

/** True when the neighbour tables are empty (a first run, or ratings were never processed). */
export async function neighborsMissing(db: Database): Promise<boolean> {
  const [row] = await queryRows<{ empty: boolean }>(
    db,
    sql`select not exists (select 1 from movie_stats) as empty`,
  );
  return row?.empty ?? true;
}

export function formatNeighborsReport(r: NeighborsReport): string {
  const s = (seconds: number) => `${seconds.toFixed(1)} s`;
  return `neighbours: ${r.neighbors.toLocaleString("en")} item-item pairs for ${r.movies.toLocaleString("en")} rated movies from ${r.ratings.toLocaleString("en")} ratings in ${s(r.seconds)} (read ${s(r.phases.read)}, computed on ${r.threads} thread${r.threads === 1 ? "" : "s"} ${s(r.phases.compute)}, written ${s(r.phases.write)})`;
}
