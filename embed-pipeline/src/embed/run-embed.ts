import type { Collection } from "chromadb";
import { asc } from "drizzle-orm";
import { movies } from "../../../core/db/schema.ts";
import type { PooledSum } from "../../../core/embedding/pooling.ts";
import {
  expectedEntries,
  type MovieTexts,
  movieTexts,
  upsertVectorRows,
  type VectorRow,
  type VectorStores,
  vectorRows,
} from "../../../core/vector/movie-vectors.ts";
import { VECTOR_LAYOUT, VectorVersion } from "../../../core/vector/movies-collection.ts";
import type { Database } from "../db/connect.ts";
import type { OnnxEmbedder } from "./embedder.ts";

export type { VectorStores } from "../../../core/vector/movie-vectors.ts";

type MovieRow = typeof movies.$inferSelect;

/** A movie to (re)write: the texts it is encoded from (core/vector/movie-vectors.ts). */
export interface MovieWork extends MovieTexts {
  movie: MovieRow;
}

export interface EmbedPlan {
  /** Movies in the catalog. */
  total: number;
  /** Movies whose vectors are missing or stale, in id order. */
  toEmbed: MovieWork[];
  /** Entries of movies and passages that are gone, per collection. */
  toDelete: { movies: string[]; passages: string[] };
}

export interface EmbedProgress {
  /** Texts (facts and passages) embedded and saved so far. */
  done: number;
  total: number;
}

export interface EmbedReport {
  /** Movies written. */
  embedded: number;
  /** Texts encoded for them: one facts text and its passages each. */
  texts: number;
  deleted: number;
  unchanged: number;
  seconds: number;
}

/** Movies per Chroma upsert: each finished batch is durable, so a crash loses at most one. */
export const UPSERT_BATCH = 256;
const PAGE = 1_000;

/** A failure of one side, named so the person running the job knows which service to look at. */
export class UpstreamError extends Error {
  override readonly name = "UpstreamError";
}

/** The texts a piece of work encodes. */
export const textsOf = (work: MovieWork) => 1 + work.passages.length;

/** What each stored vector was made from, by entry id: "hash model layout". */
async function storedVersions(collection: Collection): Promise<Map<string, string>> {
  const stored = new Map<string, string>();
  for (let offset = 0; ; offset += PAGE) {
    const page = await collection.get({ include: ["metadatas"], limit: PAGE, offset });
    page.ids.forEach((id, i) => {
      const parsed = VectorVersion.safeParse(page.metadatas[i]);
      stored.set(
        id,
        parsed.success
          ? `${parsed.data.content_hash} ${parsed.data.model} ${parsed.data.layout ?? 1}`
          : "",
      );
    });
    if (page.ids.length < PAGE) break;
  }
  return stored;
}

/**
 * Works out what to do: Chroma itself records, per vector, the hash of the
 * text it was made from, the model that made it and how (VECTOR_LAYOUT), so
 * the plan is exactly "movies with any vector whose text, model or layout
 * differs from what Chroma holds, or that is missing" plus "entries whose
 * movie or passage is gone". A passage's hash covers its movie's whole text
 * (its stored vector includes the whole-text vector). That makes an
 * interrupted run resumable without any bookkeeping elsewhere.
 */
export async function planEmbedding(
  db: Database,
  stores: VectorStores,
  model: string,
  full: boolean,
): Promise<EmbedPlan> {
  let rows: MovieRow[];
  try {
    rows = await db.select().from(movies).orderBy(asc(movies.id));
  } catch (cause) {
    throw new UpstreamError("cannot read the catalog from Postgres", { cause });
  }
  let wholes: Map<string, string>;
  let entries: Map<string, string>;
  try {
    wholes = full ? new Map() : await storedVersions(stores.movies);
    entries = full ? new Map() : await storedVersions(stores.passages);
  } catch (cause) {
    throw new UpstreamError("cannot read existing vectors from Chroma", { cause });
  }
  const version = (hash: string) => `${hash} ${model} ${VECTOR_LAYOUT}`;
  const plan: EmbedPlan = {
    total: rows.length,
    toEmbed: [],
    toDelete: { movies: [], passages: [] },
  };
  const expected = new Set<string>();
  const current = (stored: Map<string, string>, wanted: Map<string, string>) =>
    [...wanted].every(([id, hash]) => stored.get(id) === version(hash));
  for (const movie of rows) {
    const texts = await movieTexts(movie);
    const wanted = expectedEntries(movie, texts);
    for (const id of wanted.passages.keys()) expected.add(id);
    if (!current(wholes, wanted.movies) || !current(entries, wanted.passages))
      plan.toEmbed.push({ movie, ...texts });
  }
  const ids = new Set(rows.map((r) => String(r.id)));
  plan.toDelete.movies = [...wholes.keys()].filter((id) => !ids.has(id));
  plan.toDelete.passages = [...entries.keys()].filter((id) => !expected.has(id));
  return plan;
}

/**
 * Encodes UPSERT_BATCH movies at a time (their facts and passages, longest
 * first so that similar lengths share an ONNX batch and padding stays
 * small), pools each movie's whole-text vector from its parts, and upserts
 * the movie into both collections as soon as its batch is ready; then
 * deletes entries of removed movies and passages.
 */
export async function runEmbedding(
  plan: EmbedPlan,
  stores: VectorStores,
  embedder: OnnxEmbedder,
  onProgress: (progress: EmbedProgress) => void = () => {},
): Promise<EmbedReport> {
  const started = performance.now();
  const total = plan.toEmbed.reduce((n, work) => n + textsOf(work), 0);
  let done = 0;
  let moviesDone = 0;
  onProgress({ done, total });
  let writing: Promise<void> = Promise.resolve();
  const chroma = async (write: () => Promise<unknown>) => {
    try {
      await write();
    } catch (cause) {
      throw new UpstreamError(
        `Chroma failed after ${moviesDone} of ${plan.toEmbed.length} movies were embedded and saved; run \`embed\` again to resume from there`,
        { cause },
      );
    }
  };
  for (let start = 0; start < plan.toEmbed.length; start += UPSERT_BATCH) {
    const batch = plan.toEmbed.slice(start, start + UPSERT_BATCH);
    const texts = batch.flatMap((work, w) => [
      { w, passage: -1, ids: embedder.tokenizer.encode(work.facts) },
      ...work.passages.map((p, passage) => ({
        w,
        passage,
        ids: embedder.tokenizer.encode(p.text),
      })),
    ]);
    texts.sort((a, b) => b.ids.length - a.ids.length);
    const pooled = await embedder.poolInBatches(texts.map((t) => t.ids));
    const parts = batch.map(() => ({
      facts: undefined as PooledSum | undefined,
      passages: [] as PooledSum[],
    }));
    texts.forEach((t, i) => {
      const part = parts[t.w];
      if (!part) return;
      if (t.passage < 0) part.facts = pooled[i];
      else part.passages[t.passage] = pooled[i] as PooledSum;
    });
    const rows = { movies: [] as VectorRow[], passages: [] as VectorRow[] };
    batch.forEach((work, w) => {
      const part = parts[w] as { facts: PooledSum; passages: PooledSum[] };
      const movie = vectorRows(work.movie, work, part, embedder.model);
      rows.movies.push(...movie.movies);
      rows.passages.push(...movie.passages);
    });
    // Chroma stores this batch while the model encodes the next one (each uses
    // the CPU the other leaves); one write in flight, so batches land in order.
    await writing;
    writing = chroma(async () => {
      // No documents: nothing reads them back (Postgres has the texts), and
      // Chroma would index their words, a third of its time here.
      await upsertVectorRows(stores, rows);
      moviesDone += batch.length;
      done += texts.length;
      onProgress({ done, total });
    });
    // Handled here, rethrown by the `await writing` above on the next batch or after the last.
    writing.catch(() => {});
  }
  await writing;
  for (const [collection, ids] of [
    [stores.movies, plan.toDelete.movies],
    [stores.passages, plan.toDelete.passages],
  ] as const) {
    for (let i = 0; i < ids.length; i += PAGE) {
      await chroma(() => collection.delete({ ids: ids.slice(i, i + PAGE) }));
    }
  }
  return {
    embedded: plan.toEmbed.length,
    texts: total,
    deleted: plan.toDelete.movies.length + plan.toDelete.passages.length,
    unchanged: plan.total - plan.toEmbed.length,
    seconds: (performance.now() - started) / 1000,
  };
}
