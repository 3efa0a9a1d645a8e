import { sql } from "drizzle-orm";
import { movieNeighbors, movieStats } from "../../../core/db/schema.ts";
import {
  movieStats as computeMovieStats,
  itemNeighbors,
  type RatingTriple,
} from "../../../core/recs/item-item.ts";
import { type Database, queryRows } from "../db/connect.ts";

const CHUNK = 5_000;

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
  const ratings = await queryRows<RatingTriple>(
    db,
    sql`select user_id as "userId", movie_id as "movieId", rating from ratings`,
  );
  const neighbors = itemNeighbors(ratings);
  const stats = computeMovieStats(ratings);
  await db.transaction(async (tx) => {
    await tx.delete(movieNeighbors);
    await tx.delete(movieStats);
    for (let i = 0; i < neighbors.length; i += CHUNK)
      await tx.insert(movieNeighbors).values(neighbors.slice(i, i + CHUNK));
    for (let i = 0; i < stats.length; i += CHUNK)
      await tx.insert(movieStats).values(stats.slice(i, i + CHUNK));
  });
  await db.execute(sql`analyze movie_neighbors, movie_stats`);
  return {
    ratings: ratings.length,
    neighbors: neighbors.length,
    movies: stats.length,
    seconds: (performance.now() - started) / 1000,
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
