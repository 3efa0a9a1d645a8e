import type { Collection } from "chromadb";
import {
  chromaClient,
  MovieMetadata,
  moviesCollection,
} from "../../core/vector/movies-collection.ts";
import type { WorkerEnv } from "../env.ts";
import type { DenseHit } from "./hybrid-search.ts";
import { chromaWhere, type SearchFilters } from "./query-filters.ts";

const collections = new Map<string, Promise<Collection>>();

/** The collection handle, looked up once per isolate (it costs Chroma a round trip). */
function collectionFor(env: WorkerEnv): Promise<Collection> {
  const key = `${env.CHROMA_URL}\u0000${env.CHROMA_TOKEN ?? ""}`;
  let collection = collections.get(key);
  if (!collection) {
    collection = moviesCollection(chromaClient(env.CHROMA_URL, env.CHROMA_TOKEN)).catch(
      (error: unknown) => {
        collections.delete(key);
        throw error;
      },
    );
    collections.set(key, collection);
  }
  return collection;
}

/** Nearest movies to a query vector, rows validated with zod. */
export async function denseSearch(
  env: WorkerEnv,
  vector: Float32Array,
  filters: SearchFilters,
  limit: number,
): Promise<DenseHit[]> {
  const collection = await collectionFor(env);
  const where = chromaWhere(filters);
  const result = await collection.query({
    queryEmbeddings: [Array.from(vector)],
    nResults: limit,
    include: ["metadatas", "distances"],
    ...(where ? { where } : {}),
  });
  const ids = result.ids[0] ?? [];
  return ids.map((id, i) => {
    const metadata = MovieMetadata.parse(result.metadatas[0]?.[i]);
    return {
      movieId: Number(id),
      title: metadata.title,
      year: metadata.year ?? null,
      genres: metadata.genres ? metadata.genres.split("|") : [],
      similarity: 1 - (result.distances[0]?.[i] ?? 1),
    };
  });
}
