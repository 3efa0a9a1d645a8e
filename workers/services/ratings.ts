import { and, desc, eq, sql } from "drizzle-orm";
import { movies, ratingDeletions, ratings, users } from "../../core/db/schema.ts";
import { ApiError } from "../errors.ts";
import type { Db } from "./database.ts";

/** The user's ratings, newest first, with the total and the current ratings version. */
export async function listRatings(db: Db, userId: number, limit: number, offset: number) {
  const [rows, total, [user]] = await Promise.all([
    db
      .select({
        movieId: ratings.movieId,
        title: movies.title,
        year: movies.year,
        genres: movies.genres,
        rating: ratings.rating,
        ratedAt: ratings.ratedAt,
      })
      .from(ratings)
      .innerJoin(movies, eq(movies.id, ratings.movieId))
      .where(eq(ratings.userId, userId))
      .orderBy(desc(ratings.ratedAt), ratings.movieId)
      .limit(limit)
      .offset(offset),
    db.$count(ratings, eq(ratings.userId, userId)),
    db.select({ ratingsVersion: users.ratingsVersion }).from(users).where(eq(users.id, userId)),
  ]);
  return {
    ratings: rows.map((r) => ({ ...r, ratedAt: r.ratedAt.toISOString() })),
    total,
    ratingsVersion: user?.ratingsVersion ?? 0,
  };
}

/** One rating, or null when the user has not rated the movie. */
export async function getRating(db: Db, userId: number, movieId: number) {
  const [row] = await db
    .select({ rating: ratings.rating, ratedAt: ratings.ratedAt })
    .from(ratings)
    .where(and(eq(ratings.userId, userId), eq(ratings.movieId, movieId)));
  return row ? { movieId, rating: row.rating, ratedAt: row.ratedAt.toISOString() } : null;
}

/** Bumps the user's ratings version: every cached explanation of theirs becomes a miss. */
async function bumpVersion(tx: Pick<Db, "update">, userId: number): Promise<number> {
  const [row] = await tx
    .update(users)
    .set({ ratingsVersion: sql`${users.ratingsVersion} + 1` })
    .where(eq(users.id, userId))
    .returning({ ratingsVersion: users.ratingsVersion });
  return row?.ratingsVersion ?? 0;
}

/**
 * Creates or changes a rating in one transaction that commits before the
 * response: the movie must exist (404), the user row is created on a first
 * rating, and a changed rating bumps the ratings version.
 */
export async function putRating(db: Db, userId: number, movieId: number, rating: number) {
  return db.transaction(async (tx) => {
    const [movie] = await tx.select({ id: movies.id }).from(movies).where(eq(movies.id, movieId));
    if (!movie) throw new ApiError("NOT_FOUND", `movie ${movieId} does not exist`);
    await tx.insert(users).values({ id: userId }).onConflictDoNothing();
    const now = new Date();
    const [changed] = await tx
      .insert(ratings)
      .values({ userId, movieId, rating, ratedAt: now })
      .onConflictDoUpdate({
        target: [ratings.userId, ratings.movieId],
        set: { rating, ratedAt: now },
        setWhere: sql`${ratings.rating} is distinct from excluded.rating`,
      })
      .returning({ ratedAt: ratings.ratedAt });
    if (changed) {
      const ratingsVersion = await bumpVersion(tx, userId);
      return { movieId, rating, ratedAt: changed.ratedAt.toISOString(), ratingsVersion };
    }
    // The same rating again: nothing changes, explanations stay cached.
    const [kept] = await tx
      .select({ ratedAt: ratings.ratedAt, ratingsVersion: users.ratingsVersion })
      .from(ratings)
      .innerJoin(users, eq(users.id, ratings.userId))
      .where(and(eq(ratings.userId, userId), eq(ratings.movieId, movieId)));
    return {
      movieId,
      rating,
      ratedAt: (kept?.ratedAt ?? now).toISOString(),
      ratingsVersion: kept?.ratingsVersion ?? 0,
    };
  });
}

/**
 * Deletes a rating (404 when there is none), remembers the deletion so that a
 * re-ingest of the ratings files does not bring it back, and bumps the
 * ratings version.
 */
export async function deleteRating(db: Db, userId: number, movieId: number): Promise<number> {
  return db.transaction(async (tx) => {
    const gone = await tx
      .delete(ratings)
      .where(and(eq(ratings.userId, userId), eq(ratings.movieId, movieId)))
      .returning({ movieId: ratings.movieId });
    if (gone.length === 0) throw new ApiError("NOT_FOUND", `you have not rated movie ${movieId}`);
    const deletedAt = new Date();
    await tx
      .insert(ratingDeletions)
      .values({ userId, movieId, deletedAt })
      .onConflictDoUpdate({
        target: [ratingDeletions.userId, ratingDeletions.movieId],
        set: { deletedAt },
      });
    return bumpVersion(tx, userId);
  });
}
