/**
 * A movie's entries in the two collections, made the same way wherever they
 * are made: by the offline pipeline for the whole catalog, and by the
 * Worker's embed queue for one film at a time. Same texts, same ids, same
 * content hashes, so either can tell whether the other's vectors are current
 * and neither undoes the other's work.
 */
import type { Collection, Metadata } from "chromadb";
import { type EmbeddableMovie, movieParts } from "../catalog-text.ts";
import { normalizedMean, type PooledSum } from "../embedding/pooling.ts";
import { movieMetadata } from "./movies-collection.ts";
import { composePassageVector, passageHash, passageId, passageMetadata } from "./passages.ts";

/** The two collections a movie has entries in (core/vector/passages.ts says why two). */
export interface VectorStores {
  /** Whole-text vectors, cosine, id = movieId: recommendations and explanations read these. */
  movies: Collection;
  /** Whole-text and passage entries, inner product: what search asks. */
  passages: Collection;
}

/** A catalog row as far as its vectors go: what is embedded, and the hash of its text. */
export interface VectorSource extends EmbeddableMovie {
  id: number;
  contentHash: string;
}

/** What a movie is encoded from: its facts text and its overview passages, each passage with its hash. */
export interface MovieTexts {
  facts: string;
  passages: { text: string; hash: string }[];
}

export async function movieTexts(movie: VectorSource): Promise<MovieTexts> {
  const { facts, passages } = movieParts(movie);
  return {
    facts,
    passages: await Promise.all(
      passages.map(async (text) => ({ text, hash: await passageHash(movie.contentHash, text) })),
    ),
  };
}

/**
 * The entries a current movie has, with the content hash each must carry:
 * its whole-text vector in `movies`, and in `passages` one entry per passage
 * (or its whole text when it has no overview passages).
 */
export function expectedEntries(
  movie: VectorSource,
  texts: MovieTexts,
): { movies: Map<string, string>; passages: Map<string, string> } {
  const id = passageId(movie.id);
  const passages = new Map<string, string>();
  if (texts.passages.length === 0) passages.set(id, movie.contentHash);
  texts.passages.forEach((p, index) => {
    passages.set(passageId(movie.id, index), p.hash);
  });
  return { movies: new Map([[id, movie.contentHash]]), passages };
}

export interface VectorRow {
  id: string;
  embedding: number[];
  metadata: Metadata;
}

/**
 * A movie's rows for both collections from its encoded parts: the whole-text
 * vector pools every word piece of the facts and the passages together; each
 * passage entry is composed with it (composePassageVector).
 */
export function vectorRows(
  movie: VectorSource,
  texts: MovieTexts,
  parts: { facts: PooledSum; passages: PooledSum[] },
  model: string,
): { movies: VectorRow[]; passages: VectorRow[] } {
  const whole = Array.from(normalizedMean([parts.facts, ...parts.passages]));
  const passages: VectorRow[] =
    texts.passages.length === 0
      ? [
          {
            id: passageId(movie.id),
            embedding: whole,
            metadata: passageMetadata(movie, movie.contentHash, model),
          },
        ]
      : texts.passages.map((p, index) => ({
          id: passageId(movie.id, index),
          embedding: composePassageVector(
            normalizedMean([parts.passages[index] as PooledSum]),
            whole,
          ),
          metadata: passageMetadata(movie, p.hash, model, index),
        }));
  return {
    movies: [
      {
        id: passageId(movie.id),
        embedding: whole,
        metadata: movieMetadata(movie, movie.contentHash, model),
      },
    ],
    passages,
  };
}

/** Upserts rows into both collections (no documents: Postgres has the texts). */
export async function upsertVectorRows(
  stores: VectorStores,
  rows: { movies: VectorRow[]; passages: VectorRow[] },
): Promise<void> {
  for (const [collection, list] of [
    [stores.movies, rows.movies],
    [stores.passages, rows.passages],
  ] as const) {
    if (list.length === 0) continue;
    await collection.upsert({
      ids: list.map((r) => r.id),
      embeddings: list.map((r) => r.embedding),
      metadatas: list.map((r) => r.metadata),
    });
  }
}
