import type { Collection } from "chromadb";
import {
  chromaClient,
  moviesCollection,
  type QueryScope,
  queryMovies,
  vectorMovieDetails,
} from "../../core/vector/movies-collection.ts";
import type { WorkerEnv } from "../env.ts";
import type { DenseHit, VectorDetails } from "./hybrid-search.ts";

const collections = new Map<string, Promise<Collection>>();

/** The collection handle, looked up once per isolate (it costs Chroma a round trip). */
export function collectionFor(env: WorkerEnv): Promise<Collection> {
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

/** Nearest movies to a query vector (ids and similarities), anywhere or within `scope`. */
export async function denseSearch(
  env: WorkerEnv,
  vector: Float32Array,
  limit: number,
  scope?: QueryScope,
): Promise<DenseHit[]> {
  const collection = await collectionFor(env);
  return queryMovies(collection, vector, limit, scope);
}

/** Title, year and genres from the vectors' metadata, for when Postgres is down. */
export async function vectorDetails(
  env: WorkerEnv,
  ids: number[],
): Promise<Map<number, VectorDetails>> {
  return vectorMovieDetails(await collectionFor(env), ids);
}
