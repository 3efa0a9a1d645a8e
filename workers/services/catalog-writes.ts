/**
 * Adding, changing and removing a film through the API: Postgres in one
 * short transaction (the row and its embed job), then the job on the queue,
 * after the commit, so no transaction waits on the queue.
 */
import { eq, sql } from "drizzle-orm";
import { buildEmbeddingText, contentHash } from "../../core/catalog-text.ts";
import { movies } from "../../core/db/schema.ts";
import type { Genre } from "../../core/genres.ts";
import { ApiError } from "../errors.ts";
import type { Db } from "./database.ts";
import { type EmbedJob, markQueued } from "./embed-jobs.ts";

/** A film's fields as the pipeline stores them (the content hash is derived). */
export interface MovieFields {
  title: string;
  alternateTitles: string[];
  year: number | null;
  genres: Genre[];
  overview: string | null;
  director: string | null;
  topCast: string[];
  tags: string[];
  tmdbId: number | null;
  imdbId: string | null;
  popularity: number | null;
}

/** Writes a film (insert or replace) and records its embed job; says whether it is new. */
export async function writeMovie(
  db: Db,
  movieId: number,
  fields: MovieFields,
): Promise<{ created: boolean; contentHash: string }> {
  // Tags are stored lower-cased and without repeats, as the pipeline stores them.
  const tags = [...new Set(fields.tags.map((t) => t.trim().toLowerCase()).filter(Boolean))];
  const row = { ...fields, tags };
  const hash = await contentHash(buildEmbeddingText(row));
  const values = { ...row, contentHash: hash, updatedAt: sql`now()` };
  const created = await db.transaction(async (tx) => {
    const [written] = await tx
      .insert(movies)
      .values({ id: movieId, ...values })
      .onConflictDoUpdate({ target: movies.id, set: values })
      // xmax is 0 on a row this statement inserted, not on one it updated.
      .returning({ created: sql<boolean>`(xmax = 0)` });
    await markQueued(tx, [{ movieId, op: "upsert" }]);
    return written?.created ?? false;
  });
  return { created, contentHash: hash };
}

/** Removes a film (its ratings, neighbours and explanations go with it) and records the job. */
export async function deleteMovie(db: Db, movieId: number): Promise<void> {
  await db.transaction(async (tx) => {
    const gone = await tx.delete(movies).where(eq(movies.id, movieId)).returning({ id: movies.id });
    if (gone.length === 0) throw new ApiError("NOT_FOUND", `movie ${movieId} does not exist`);
    await markQueued(tx, [{ movieId, op: "delete" }]);
  });
}

/**
 * Puts a job on the queue. The write is already committed: when the queue
 * cannot take the job the caller answers 503, the client may repeat the
 * (idempotent) request, and the nightly sweep finds the film regardless.
 */
export async function enqueue(queue: Queue<EmbedJob>, job: EmbedJob): Promise<void> {
  try {
    await queue.send(job, { contentType: "json" });
  } catch (cause) {
    throw new ApiError(
      "UNAVAILABLE",
      `movie ${job.movieId} is saved, but its embed job could not be queued; repeat the request, or the nightly sweep will queue it`,
      { cause },
    );
  }
}
