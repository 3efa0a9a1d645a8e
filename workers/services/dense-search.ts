import type { Collection, Where } from "chromadb";
import {
  chromaClient,
  genreKey,
  MovieMetadata,
  moviesCollection,
} from "../../core/vector/movies-collection.ts";
import type { WorkerEnv } from "../env.ts";
import type { SearchFilters } from "./query-filters.ts";

export interface DenseHit {
  movieId: number;
  title: string;
  year: number | null;
  genres: string[];
  /** 1 - cosine distance. */
  similarity: number;
}

/** Year and genre filters pushed into Chroma's `where`. */
export function chromaWhere(filters: SearchFilters): Where | undefined {
  const clauses: Where[] = [];
  for (const genre of filters.genres) clauses.push({ [genreKey(genre)]: true });
  if (filters.yearFrom !== undefined) clauses.push({ year: { $gte: filters.yearFrom } });
  if (filters.yearTo !== undefined) clauses.push({ year: { $lte: filters.yearTo } });
  if (clauses.length === 0) return undefined;
  return clauses.length === 1 ? clauses[0] : { $and: clauses };
}

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
