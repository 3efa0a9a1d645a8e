import { inArray, sql } from "drizzle-orm";
import { movies, ratingDeletions, ratings, users } from "../../../core/db/schema.ts";
import type { Database } from "../db/connect.ts";
import type { Catalog } from "./catalog.ts";

export interface WriteCounts {
  inserted: number;
  updated: number;
  unchanged: number;
  deleted: number;
}

export interface LoadResult {
  movies: WriteCounts;
  users: { inserted: number };
  /** `keptDeleted`: ratings in the files that their user has deleted through the API since. */
  ratings: WriteCounts & { keptDeleted: number };
}

// Postgres allows 65,535 bind parameters per statement.
const MOVIE_CHUNK = 1_000;
const RATING_CHUNK = 5_000;

/**
 * Writes the catalog in one transaction: either all of it lands or none.
 * Unchanged rows are not touched (the upserts only update when a value
 * differs), so a second run with the same files writes nothing. Movies no
 * longer in the catalog are deleted; ratings are only added or updated,
 * because users may have rated through the API since the last import, and a
 * rating deleted through the API stays deleted unless the files hold a newer one.
 */
export async function loadCatalog(db: Database, catalog: Catalog): Promise<LoadResult> {
  return db.transaction(async (tx) => {
    const movieCounts = { inserted: 0, updated: 0, unchanged: 0, deleted: 0 };
    for (let i = 0; i < catalog.movies.length; i += MOVIE_CHUNK) {
      const chunk = catalog.movies.slice(i, i + MOVIE_CHUNK);
      const written = await tx
        .insert(movies)
        .values(chunk)
        .onConflictDoUpdate({
          target: movies.id,
          set: {
            title: sql`excluded.title`,
            alternateTitles: sql`excluded.alternate_titles`,
            year: sql`excluded.year`,
            genres: sql`excluded.genres`,
            overview: sql`excluded.overview`,
            director: sql`excluded.director`,
            topCast: sql`excluded.top_cast`,
            tags: sql`excluded.tags`,
            tmdbId: sql`excluded.tmdb_id`,
            imdbId: sql`excluded.imdb_id`,
            popularity: sql`excluded.popularity`,
            contentHash: sql`excluded.content_hash`,
            updatedAt: sql`now()`,
          },
          setWhere: sql`(movies.title, movies.alternate_titles, movies.year, movies.genres,
            movies.overview, movies.director, movies.top_cast, movies.tags, movies.tmdb_id,
            movies.imdb_id, movies.popularity, movies.content_hash)
            is distinct from (excluded.title, excluded.alternate_titles, excluded.year,
            excluded.genres, excluded.overview, excluded.director, excluded.top_cast,
            excluded.tags, excluded.tmdb_id, excluded.imdb_id, excluded.popularity,
            excluded.content_hash)`,
        })
        // xmax = 0 only for a freshly inserted row version.
        .returning({ inserted: sql<boolean>`xmax = 0` });
      tally(movieCounts, written, chunk.length);
    }
    // One array parameter: a list of ids would be one bind parameter each,
    // and past 65,535 films Postgres refuses the statement (bench:scale, 10x).
    const keep = catalog.movies.map((m) => m.id);
    const gone = await tx
      .delete(movies)
      .where(sql`${movies.id} <> all(${sql.param(keep)}::int[])`)
      .returning({ id: movies.id });
    movieCounts.deleted = gone.length;

    let usersInserted = 0;
    for (let i = 0; i < catalog.userIds.length; i += RATING_CHUNK) {
      const chunk = catalog.userIds.slice(i, i + RATING_CHUNK).map((id) => ({ id }));
      const written = await tx
        .insert(users)
        .values(chunk)
        .onConflictDoNothing()
        .returning({ id: users.id });
      usersInserted += written.length;
    }

    // Few rows (one per deletion through the API): read once, checked in memory.
    const deletions = new Map(
      (await tx.select().from(ratingDeletions)).map((d) => [
        `${d.userId}:${d.movieId}`,
        d.deletedAt.getTime(),
      ]),
    );
    const fileRatings = catalog.ratings.filter(
      (r) => r.ratedAt.getTime() > (deletions.get(`${r.userId}:${r.movieId}`) ?? -Infinity),
    );
    const ratingCounts = {
      inserted: 0,
      updated: 0,
      unchanged: 0,
      deleted: 0,
      keptDeleted: catalog.ratings.length - fileRatings.length,
    };
    const changedUsers = new Set<number>();
    for (let i = 0; i < fileRatings.length; i += RATING_CHUNK) {
      const chunk = fileRatings.slice(i, i + RATING_CHUNK);
      const written = await tx
        .insert(ratings)
        .values(chunk)
        .onConflictDoUpdate({
          target: [ratings.userId, ratings.movieId],
          set: { rating: sql`excluded.rating`, ratedAt: sql`excluded.rated_at` },
          // Only a newer rating in the files wins: a rating changed through the
          // API since is newer than the export and must survive a re-ingest.
          setWhere: sql`excluded.rated_at > ratings.rated_at`,
        })
        .returning({ userId: ratings.userId, inserted: sql<boolean>`xmax = 0` });
      tally(ratingCounts, written, chunk.length);
      for (const row of written) changedUsers.add(row.userId);
    }
    // A changed rating makes that user's cached explanations stale.
    const changed = [...changedUsers];
    for (let i = 0; i < changed.length; i += RATING_CHUNK) {
      await tx
        .update(users)
        .set({ ratingsVersion: sql`${users.ratingsVersion} + 1` })
        .where(inArray(users.id, changed.slice(i, i + RATING_CHUNK)));
    }

    return { movies: movieCounts, users: { inserted: usersInserted }, ratings: ratingCounts };
  });
}

function tally(counts: WriteCounts, written: { inserted: boolean }[], attempted: number): void {
  const inserted = written.filter((w) => w.inserted).length;
  counts.inserted += inserted;
  counts.updated += written.length - inserted;
  counts.unchanged += attempted - written.length;
}
