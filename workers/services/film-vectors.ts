/**
 * One film's vectors, written or removed inside the Worker: what the embed
 * queue's consumer does per job, and what the sweep checks. The texts, ids,
 * hashes and pooling are the pipeline's own (core/vector/movie-vectors.ts);
 * the model is the int8 file already in the isolate for queries.
 */
import { eq, gt, inArray } from "drizzle-orm";
import { movies } from "../../core/db/schema.ts";
import { modelLabel } from "../../core/embedding/model.ts";
import {
  expectedEntries,
  type MovieTexts,
  movieTexts,
  upsertVectorRows,
  type VectorSource,
  type VectorStores,
  vectorRows,
} from "../../core/vector/movie-vectors.ts";
import { VectorVersion } from "../../core/vector/movies-collection.ts";
import { parsePassageId } from "../../core/vector/passages.ts";
import type { Db } from "./database.ts";
import type { EmbedJob } from "./embed-jobs.ts";
import type { QueryEmbedder } from "./query-embedder.ts";

/** The label stored with vectors the Worker writes (the pipeline's fp32 ones say fp32). */
export const WORKER_MODEL = modelLabel("int8");

const sourceColumns = {
  id: movies.id,
  title: movies.title,
  year: movies.year,
  genres: movies.genres,
  overview: movies.overview,
  director: movies.director,
  topCast: movies.topCast,
  tags: movies.tags,
  contentHash: movies.contentHash,
};

type Reader = Pick<Db, "select">;

/** Content hash per entry id, whatever model made it: a film is current when its texts are. */
function hashes(result: { ids: string[]; metadatas: unknown[] }): Map<string, string> {
  const stored = new Map<string, string>();
  result.ids.forEach((id, i) => {
    const parsed = VectorVersion.safeParse(result.metadatas[i]);
    stored.set(id, parsed.success ? parsed.data.content_hash : "");
  });
  return stored;
}

/** One film's stored entries: content hash per entry id, in each collection. */
interface StoredEntries {
  movies: Map<string, string>;
  passages: Map<string, string>;
}

/**
 * What the collections hold for these films, per film. Both the consumer
 * (one film) and the sweep (a page of films) ask.
 */
async function storedEntries(
  stores: VectorStores,
  movieIds: number[],
): Promise<Map<number, StoredEntries>> {
  const [wholes, entries] = await Promise.all([
    stores.movies.get({ ids: movieIds.map(String), include: ["metadatas"] }),
    stores.passages.get({ where: { movie_id: { $in: movieIds } }, include: ["metadatas"] }),
  ]);
  const byFilm = new Map(
    movieIds.map((id) => [id, { movies: new Map(), passages: new Map() } as StoredEntries]),
  );
  for (const [collection, result] of [
    ["movies", wholes],
    ["passages", entries],
  ] as const) {
    for (const [id, hash] of hashes(result))
      byFilm.get(parsePassageId(id).movieId)?.[collection].set(id, hash);
  }
  return byFilm;
}

/** Entry ids a film no longer has, and whether any entry it needs is missing or stale. */
function compare(
  wanted: StoredEntries,
  stored: StoredEntries | undefined,
): { current: boolean; gone: string[] } {
  const gone = [...(stored?.passages.keys() ?? [])].filter((id) => !wanted.passages.has(id));
  const current =
    gone.length === 0 &&
    [...wanted.movies].every(([id, hash]) => stored?.movies.get(id) === hash) &&
    [...wanted.passages].every(([id, hash]) => stored?.passages.get(id) === hash);
  return { current, gone };
}

/** Films of `rows` whose vectors are missing or stale (compared by content hash), in order. */
export async function staleFilms(stores: VectorStores, rows: VectorSource[]): Promise<number[]> {
  if (rows.length === 0) return [];
  const stored = await storedEntries(
    stores,
    rows.map((r) => r.id),
  );
  const stale: number[] = [];
  for (const movie of rows) {
    const wanted = expectedEntries(movie, await movieTexts(movie));
    if (!compare(wanted, stored.get(movie.id)).current) stale.push(movie.id);
  }
  return stale;
}

/** A film's row as far as its vectors go, if it is in the catalog. */
export async function filmSource(db: Reader, movieId: number): Promise<VectorSource | undefined> {
  const [movie] = await db.select(sourceColumns).from(movies).where(eq(movies.id, movieId));
  return movie;
}

/** A page of the catalog for the sweep, by id. */
export function catalogPage(db: Reader, afterId: number, limit: number): Promise<VectorSource[]> {
  return db
    .select(sourceColumns)
    .from(movies)
    .where(gt(movies.id, afterId))
    .orderBy(movies.id)
    .limit(limit);
}

/** Which of `ids` are films in the catalog. */
export async function existingFilms(db: Reader, ids: number[]): Promise<Set<number>> {
  if (ids.length === 0) return new Set();
  const rows = await db.select({ id: movies.id }).from(movies).where(inArray(movies.id, ids));
  return new Set(rows.map((r) => r.id));
}

export type JobOutcome = "written" | "current" | "removed";

async function removeVectors(stores: VectorStores, movieId: number): Promise<JobOutcome> {
  await stores.movies.delete({ ids: [String(movieId)] });
  await stores.passages.delete({ where: { movie_id: movieId } });
  return "removed";
}

/**
 * Brings one film's vectors in line with Postgres, idempotently: a film
 * whose entries already carry its content hashes is left alone (a repeated
 * job, or one the pipeline already did); otherwise its facts and passages
 * are encoded in one model run, both collections upserted, and entries of
 * passages it no longer has deleted. A film no longer in Postgres (or a
 * delete job) loses its vectors.
 */
export async function applyEmbedJob(
  job: EmbedJob,
  db: Reader,
  stores: VectorStores,
  embedder: () => Promise<QueryEmbedder>,
): Promise<JobOutcome> {
  const movie = job.op === "delete" ? undefined : await filmSource(db, job.movieId);
  if (!movie) return removeVectors(stores, job.movieId);
  const texts = await movieTexts(movie);
  const { current, gone } = compare(
    expectedEntries(movie, texts),
    (await storedEntries(stores, [movie.id])).get(movie.id),
  );
  if (current) return "current";
  await upsertVectorRows(stores, await filmRows(movie, texts, await embedder()));
  if (gone.length > 0) await stores.passages.delete({ ids: gone });
  return "written";
}

/** A film's rows for both collections, its facts and passages encoded in one model run. */
export async function filmRows(movie: VectorSource, texts: MovieTexts, embedder: QueryEmbedder) {
  const [facts, ...passages] = await embedder.pool([
    texts.facts,
    ...texts.passages.map((p) => p.text),
  ]);
  if (!facts) throw new Error(`no vector for movie ${movie.id}'s facts`);
  return vectorRows(movie, texts, { facts, passages }, WORKER_MODEL);
}
