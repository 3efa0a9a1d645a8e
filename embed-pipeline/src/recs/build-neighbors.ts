import { sql } from "drizzle-orm";
import { movieNeighbors, movieStats } from "../../../core/db/schema.ts";
import {
  movieStats as computeMovieStats,
  eachNeighbor,
  ITEM_ITEM_DEFAULTS,
  type RatingColumns,
} from "../../../core/recs/item-item.ts";
import { type Database, queryRows } from "../db/connect.ts";

const CHUNK = 5_000;
/** Ratings read per query: the whole table is never one result set of objects in memory. */
const PAGE = 200_000;
/** Neighbour pairs per insert statement. */
const INSERT_ROWS = 100_000;

/**
 * Growing typed columns of (id, id, value) triples: the ratings read (user,
 * movie, rating) and the pairs computed (movie, neighbour, score), 12 bytes
 * each where row objects took gigabytes at 100x.
 */
class Triples {
  a = new Int32Array(1 << 16);
  b = new Int32Array(1 << 16);
  value = new Float32Array(1 << 16);
  size = 0;
  push(a: number, b: number, value: number): void {
    if (this.size === this.a.length) {
      const grow = <T extends Int32Array | Float32Array>(old: T, make: (n: number) => T) => {
        const bigger = make(old.length * 2);
        bigger.set(old);
        return bigger;
      };
      this.a = grow(this.a, (n) => new Int32Array(n));
      this.b = grow(this.b, (n) => new Int32Array(n));
      this.value = grow(this.value, (n) => new Float32Array(n));
    }
    this.a[this.size] = a;
    this.b[this.size] = b;
    this.value[this.size] = value;
    this.size++;
  }
}

export interface NeighborsReport {
  ratings: number;
  neighbors: number;
  movies: number;
  seconds: number;
}

/**
 * Recomputes the item-item neighbours and per-movie rating counts from all
 * ratings in Postgres and replaces both tables in one transaction, so the
 * Worker never sees half of them.
 */
export async function buildNeighbors(db: Database): Promise<NeighborsReport> {
  const started = performance.now();
  const ratings = await readRatings(db);
  const neighbors = new Triples();
  eachNeighbor(ratings, ITEM_ITEM_DEFAULTS, (movieId, neighborId, score) =>
    neighbors.push(movieId, neighborId, score),
  );
  const stats = computeMovieStats(ratings);
  await db.transaction(async (tx) => {
    await tx.delete(movieNeighbors);
    await tx.delete(movieStats);
    // Three array parameters a statement, not three parameters a row.
    for (let i = 0; i < neighbors.size; i += INSERT_ROWS) {
      const end = Math.min(i + INSERT_ROWS, neighbors.size);
      await tx.execute(sql`insert into movie_neighbors (movie_id, neighbor_id, score)
        select * from unnest(${sql.param(Array.from(neighbors.a.subarray(i, end)))}::int[],
                             ${sql.param(Array.from(neighbors.b.subarray(i, end)))}::int[],
                             ${sql.param(Array.from(neighbors.value.subarray(i, end)))}::real[])`);
    }
    for (let i = 0; i < stats.length; i += CHUNK)
      await tx.insert(movieStats).values(stats.slice(i, i + CHUNK));
  });
  await db.execute(sql`analyze movie_neighbors, movie_stats`);
  return {
    ratings: ratings.ratings.length,
    neighbors: neighbors.size,
    movies: stats.length,
    seconds: (performance.now() - started) / 1000,
  };
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
  return `neighbours: ${r.neighbors.toLocaleString("en")} item-item pairs for ${r.movies.toLocaleString("en")} rated movies from ${r.ratings.toLocaleString("en")} ratings in ${r.seconds.toFixed(1)} s`;
}
