import type { ChromaClient, Collection, Metadata, Where } from "chromadb";
import { sha256Hex } from "../catalog-text.ts";
import { similarityAt, type VectorHit, vectorMetadata } from "./movies-collection.ts";

/**
 * The collection search asks, one query per search: one entry per overview
 * passage (id "<movieId>:<n>", n from overviewPassages), and for a movie
 * without an overview its whole-text vector (id "<movieId>"). A passage's
 * stored vector is PASSAGE_WEIGHT * passage + (1 - PASSAGE_WEIGHT) * whole,
 * in inner-product space, so Chroma's similarity for it is exactly
 * PASSAGE_WEIGHT * (q . passage) + (1 - PASSAGE_WEIGHT) * (q . whole), and a
 * movie's best entry is its best passage combined with its whole text:
 * ranked by Chroma itself, and always a sentence to show as the highlight.
 * (Keeping a whole-text entry beside the passages too found fewer films from
 * descriptions: docs/benchmarks.md.) The `movies` collection (whole texts
 * only, cosine) stays what recommendations and explanations read.
 */
export const PASSAGES_COLLECTION = "movie_passages";

/** How much the best passage counts against the whole text in a movie's dense score (measured: docs/benchmarks.md). */
export const PASSAGE_WEIGHT = 0.5;

/**
 * Chroma entries asked for per movie wanted: a movie's passages can crowd
 * the nearest entries, so `n` movies take more than `n` entries. Measured on
 * the catalog over the bench's 30 queries: 100 entries held 65-100 distinct
 * movies (median 91), 800 held 531-800; each entry asked for costs Chroma
 * CPU (docs/benchmarks.md).
 */
export const ENTRIES_PER_MOVIE = 1.5;

/** The entry id of a movie's whole text (passage undefined) or of its passage `n`. */
export function passageId(movieId: number, passage?: number): string {
  return passage === undefined ? String(movieId) : `${movieId}:${passage}`;
}

/** The movie and passage an entry id names. */
export function parsePassageId(id: string): { movieId: number; passage: number | undefined } {
  const colon = id.indexOf(":");
  if (colon < 0) return { movieId: Number(id), passage: undefined };
  return { movieId: Number(id.slice(0, colon)), passage: Number(id.slice(colon + 1)) };
}

/** What a passage entry was made from: its text, its movie's whole text (by hash) and the weight. */
export function passageHash(wholeHash: string, text: string): Promise<string> {
  return sha256Hex(`${PASSAGE_WEIGHT}\n${wholeHash}\n${text}`);
}

/** The stored vector of a passage: its weighted sum with the movie's whole-text vector. */
export function composePassageVector(
  passage: ArrayLike<number>,
  whole: ArrayLike<number>,
): number[] {
  return Array.from(
    { length: passage.length },
    (_, i) => PASSAGE_WEIGHT * (passage[i] ?? 0) + (1 - PASSAGE_WEIGHT) * (whole[i] ?? 0),
  );
}

/**
 * An entry's metadata: what search filters on (year, genre flags), which
 * movie and passage (-1: the whole text) it is, and its provenance
 * (content hash, model, layout). Titles and the genre list live in the
 * `movies` collection; every byte here is written 2-3 times per movie.
 */
export function passageMetadata(
  movie: { id: number; year: number | null; genres: readonly string[] },
  contentHash: string,
  model: string,
  passage?: number,
): Metadata {
  return {
    movie_id: movie.id,
    passage: passage ?? -1,
    ...vectorMetadata(movie, contentHash, model),
  };
}

/** The passages collection, inner-product space; vectors are always supplied by Marquee itself. */
export async function passagesCollection(client: ChromaClient): Promise<Collection> {
  const collection = await client.getOrCreateCollection({
    name: PASSAGES_COLLECTION,
    configuration: { hnsw: { space: "ip" } },
    embeddingFunction: null,
  });
  const space = collection.configuration.hnsw?.space;
  if (space && space !== "ip") {
    throw new Error(
      `Chroma collection ${PASSAGES_COLLECTION} uses ${space} distances, not inner product: rebuild it with \`npm run pipeline -- embed --full\``,
    );
  }
  return collection;
}

/** A movie found by the dense side: its best entry's similarity and, when a passage matched best, which one. */
export interface PassageHit extends VectorHit {
  passage?: number | undefined;
}

/**
 * The `movies` movies nearest to `vector`: Chroma's nearest entries, each
 * movie kept once at its best entry (entries come nearest first). Ids and
 * distances only, as for the movies collection.
 */
export async function queryPassages(
  collection: Collection,
  vector: ArrayLike<number>,
  movies: number,
  where?: Where,
): Promise<PassageHit[]> {
  const result = await collection.query({
    queryEmbeddings: [Array.from(vector)],
    nResults: Math.ceil(movies * ENTRIES_PER_MOVIE),
    include: ["distances"],
    ...(where ? { where } : {}),
  });
  const hits: PassageHit[] = [];
  const seen = new Set<number>();
  (result.ids[0] ?? []).forEach((id, i) => {
    const { movieId, passage } = parsePassageId(id);
    if (seen.has(movieId) || hits.length >= movies) return;
    seen.add(movieId);
    hits.push({ movieId, passage, similarity: similarityAt(result, i) });
  });
  return hits;
}
