import type { Collection } from "chromadb";
import { asc } from "drizzle-orm";
import { buildEmbeddingText } from "../../../core/catalog-text.ts";
import { movies } from "../../../core/db/schema.ts";
import { MovieMetadata, movieMetadata } from "../../../core/vector/movies-collection.ts";
import type { Database } from "../db/connect.ts";
import type { OnnxEmbedder } from "./embedder.ts";

export interface EmbedPlan {
  total: number;
  toEmbed: { id: number; text: string; hash: string; movie: typeof movies.$inferSelect }[];
  toDelete: string[];
}

export interface EmbedProgress {
  done: number;
  total: number;
}

export interface EmbedReport {
  embedded: number;
  deleted: number;
  unchanged: number;
  seconds: number;
}

/** Texts per Chroma upsert: each finished batch is durable, so a crash loses at most one. */
export const UPSERT_BATCH = 256;
const PAGE = 1_000;

/** A failure of one side, named so the person running the job knows which service to look at. */
export class UpstreamError extends Error {
  override readonly name = "UpstreamError";
}

/**
 * Works out what to do: Chroma itself records, per vector, the hash of the
 * text it was made from and the model that made it, so the plan is exactly
 * "movies whose current text or model differs from what Chroma holds" plus
 * "vectors whose movie is gone". That makes an interrupted run resumable
 * without any bookkeeping elsewhere.
 */
export async function planEmbedding(
  db: Database,
  collection: Collection,
  model: string,
  full: boolean,
): Promise<EmbedPlan> {
  let rows: (typeof movies.$inferSelect)[];
  try {
    rows = await db.select().from(movies).orderBy(asc(movies.id));
  } catch (cause) {
    throw new UpstreamError("cannot read the catalog from Postgres", { cause });
  }
  const stored = new Map<string, { hash: string; model: string }>();
  try {
    for (let offset = 0; ; offset += PAGE) {
      const page = await collection.get({ include: ["metadatas"], limit: PAGE, offset });
      page.ids.forEach((id, i) => {
        const parsed = MovieMetadata.safeParse(page.metadatas[i]);
        stored.set(
          id,
          parsed.success
            ? { hash: parsed.data.content_hash, model: parsed.data.model }
            : { hash: "", model: "" },
        );
      });
      if (page.ids.length < PAGE) break;
    }
  } catch (cause) {
    throw new UpstreamError("cannot read existing vectors from Chroma", { cause });
  }
  const ids = new Set(rows.map((r) => String(r.id)));
  const toEmbed: EmbedPlan["toEmbed"] = [];
  for (const movie of rows) {
    const have = stored.get(String(movie.id));
    if (!full && have && have.hash === movie.contentHash && have.model === model) continue;
    toEmbed.push({ id: movie.id, text: buildEmbeddingText(movie), hash: movie.contentHash, movie });
  }
  const toDelete = [...stored.keys()].filter((id) => !ids.has(id));
  return { total: rows.length, toEmbed, toDelete };
}

/**
 * Embeds what the plan says in length-sorted batches and upserts each batch
 * into Chroma as soon as it is ready, then deletes vectors of removed movies.
 */
export async function runEmbedding(
  plan: EmbedPlan,
  collection: Collection,
  embedder: OnnxEmbedder,
  onProgress: (progress: EmbedProgress) => void = () => {},
): Promise<EmbedReport> {
  const started = performance.now();
  // Longest first: similar lengths share a batch, so padding stays small.
  const encoded = plan.toEmbed.map((item) => ({ item, ids: embedder.tokenizer.encode(item.text) }));
  encoded.sort((a, b) => b.ids.length - a.ids.length);
  let done = 0;
  onProgress({ done, total: encoded.length });
  for (let start = 0; start < encoded.length; start += UPSERT_BATCH) {
    const chunk = encoded.slice(start, start + UPSERT_BATCH);
    const vectors = await embedder.embedInBatches(chunk.map((c) => c.ids));
    try {
      await collection.upsert({
        ids: chunk.map((c) => String(c.item.id)),
        embeddings: vectors.map((v) => Array.from(v)),
        documents: chunk.map((c) => c.item.text),
        metadatas: chunk.map((c) => movieMetadata(c.item.movie, c.item.hash, embedder.model)),
      });
    } catch (cause) {
      throw new UpstreamError(
        `Chroma failed after ${done} of ${encoded.length} movies were embedded and saved; run \`embed\` again to resume from there`,
        { cause },
      );
    }
    done += chunk.length;
    onProgress({ done, total: encoded.length });
  }
  for (let i = 0; i < plan.toDelete.length; i += PAGE) {
    try {
      await collection.delete({ ids: plan.toDelete.slice(i, i + PAGE) });
    } catch (cause) {
      throw new UpstreamError("Chroma failed while deleting vectors of removed movies", { cause });
    }
  }
  return {
    embedded: encoded.length,
    deleted: plan.toDelete.length,
    unchanged: plan.total - encoded.length,
    seconds: (performance.now() - started) / 1000,
  };
}
