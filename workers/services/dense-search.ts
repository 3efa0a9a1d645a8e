import type { Collection } from "chromadb";
import {
  chromaClient,
  moviesCollection,
  type QueryScope,
  queryMovies,
  vectorMovieDetails,
} from "../../core/vector/movies-collection.ts";
import { passagesCollection, queryPassages } from "../../core/vector/passages.ts";
import type { WorkerEnv } from "../env.ts";
import type { DenseHit, VectorDetails } from "./hybrid-search.ts";
import type { Services } from "./request-services.ts";

export interface Collections {
  /** Whole-text vectors, id = movieId: recommendations, explanations, ids-scoped search. */
  movies: Collection;
  /** Whole-text and passage entries: what a search asks (core/vector/passages.ts). */
  passages: Collection;
}

const cached = new Map<string, Promise<Collections>>();

/** The collection handles, looked up once per isolate (each costs Chroma a round trip). */
export function collectionsFor(env: WorkerEnv): Promise<Collections> {
  const key = `${env.CHROMA_URL}\u0000${env.CHROMA_TOKEN ?? ""}`;
  let collections = cached.get(key);
  if (!collections) {
    const client = chromaClient(env.CHROMA_URL, env.CHROMA_TOKEN);
    collections = Promise.all([moviesCollection(client), passagesCollection(client)]).then(
      ([movies, passages]) => ({ movies, passages }),
      (error: unknown) => {
        cached.delete(key);
        throw error;
      },
    );
    cached.set(key, collections);
  }
  return collections;
}

/**
 * Nearest movies to a query vector: by their passages and whole texts, or
 * within a metadata filter; among given ids, by whole texts (an ids scope
 * names movies, and the movies collection is keyed by them).
 */
export async function denseSearch(
  services: Pick<Services, "vectors">,
  vector: ArrayLike<number>,
  limit: number,
  scope?: QueryScope,
): Promise<DenseHit[]> {
  const { movies, passages } = await services.vectors();
  if (scope?.ids) return queryMovies(movies, vector, limit, scope);
  return queryPassages(passages, vector, limit, scope?.where);
}

/** The whole-text vector of a movie, or undefined when Chroma has none. */
export async function movieVector(
  services: Pick<Services, "vectors">,
  movieId: number,
): Promise<number[] | undefined> {
  const { movies } = await services.vectors();
  const got = await movies.get({ ids: [String(movieId)], include: ["embeddings"] });
  return got.embeddings[0] ?? undefined;
}

/** Title, year and genres from the vectors' metadata, for when Postgres is down. */
export async function vectorDetails(
  services: Pick<Services, "vectors">,
  ids: number[],
): Promise<Map<number, VectorDetails>> {
  return vectorMovieDetails((await services.vectors()).movies, ids);
}
