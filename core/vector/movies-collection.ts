import { ChromaClient, type Collection, type Metadata, type Where } from "chromadb";
import { z } from "zod";
import type { EmbeddableMovie } from "../catalog-text.ts";

/** The Chroma collection holding one vector per movie, id = MovieLens movieId. */
export const MOVIES_COLLECTION = "movies";

/** Metadata key for a genre flag; Chroma filters on scalars, so genres become booleans. */
export function genreKey(genre: string): string {
  return `genre_${genre}`;
}

/**
 * How stored vectors are computed; vectors made another way are rebuilt.
 * 2: the whole-text vector pools the movie's parts, each encoded on its own
 * (movieParts); vectors without the field were one pass over the whole text.
 */
export const VECTOR_LAYOUT = 2;

/** What each vector carries: filters (year, genre flags), display fields, and provenance. */
export const MovieMetadata = z
  .object({
    title: z.string(),
    year: z.number().int().optional(),
    genres: z.string(),
    /** sha256 of the embedded text: the embedder's record of what this vector represents. */
    content_hash: z.string(),
    /** Which model file produced the vector (see modelLabel). */
    model: z.string(),
    /** VECTOR_LAYOUT when it was made; absent before layouts were recorded. */
    layout: z.number().int().optional(),
  })
  .catchall(z.union([z.string(), z.number(), z.boolean(), z.null()]));
export type MovieMetadata = z.infer<typeof MovieMetadata>;

/** What any stored vector records of how it was made: the planner compares these. */
export const VectorVersion = z.object({
  content_hash: z.string(),
  model: z.string(),
  layout: z.number().int().optional(),
});

/**
 * What every stored vector of a movie carries, in either collection: what
 * search filters on (year, one flag per genre) and how it was made.
 */
export function vectorMetadata(
  movie: Pick<EmbeddableMovie, "year" | "genres">,
  contentHash: string,
  model: string,
): Metadata {
  const metadata: Metadata = { content_hash: contentHash, model, layout: VECTOR_LAYOUT };
  if (movie.year !== null) metadata.year = movie.year;
  for (const genre of movie.genres) metadata[genreKey(genre)] = true;
  return metadata;
}

/** A whole-text vector's metadata: the movie's title and genres besides. */
export function movieMetadata(
  movie: Pick<EmbeddableMovie, "title" | "year" | "genres">,
  contentHash: string,
  model: string,
): Metadata {
  return {
    title: movie.title,
    genres: movie.genres.join("|"),
    ...vectorMetadata(movie, contentHash, model),
  };
}

/**
 * A Chroma client for a base URL: loopback http locally, https with a bearer
 * token for a self-hosted server in production.
 */
export function chromaClient(url: string, token?: string): ChromaClient {
  const parsed = new URL(url);
  const ssl = parsed.protocol === "https:";
  return new ChromaClient({
    host: parsed.hostname,
    port: Number(parsed.port || (ssl ? 443 : 80)),
    ssl,
    ...(token ? { headers: { Authorization: `Bearer ${token}` } } : {}),
  });
}

/** The movies collection (cosine space); vectors are always supplied by Marquee itself. */
export function moviesCollection(client: ChromaClient): Promise<Collection> {
  return client.getOrCreateCollection({
    name: MOVIES_COLLECTION,
    configuration: { hnsw: { space: "cosine" } },
    embeddingFunction: null,
  });
}

/**
 * The similarity of the `i`th hit of a one-query Chroma result: 1 - its
 * distance (cosine distance in the movies collection; 1 - dot product of unit
 * vectors in the passages one, the same number). No distance counts as none.
 */
export function similarityAt(result: { distances: (number | null)[][] }, i: number): number {
  return 1 - (result.distances[0]?.[i] ?? 1);
}

/** A movie found by vector similarity: its id and 1 - cosine distance. */
export interface VectorHit {
  movieId: number;
  similarity: number;
}

/** Where a query looks: the whole collection, movies whose metadata passes `where`, or the movies `ids`. */
export interface QueryScope {
  where?: Where | undefined;
  ids?: number[] | undefined;
}

/**
 * The `limit` movies nearest to `vector`, optionally within a scope. Ids and
 * distances only: asking Chroma for the metadata too makes a query ~3x
 * slower (docs/benchmarks.md), and Postgres has the display fields anyway.
 */
export async function queryMovies(
  collection: Collection,
  vector: ArrayLike<number>,
  limit: number,
  scope: QueryScope = {},
): Promise<VectorHit[]> {
  const result = await collection.query({
    queryEmbeddings: [Array.from(vector)],
    nResults: limit,
    include: ["distances"],
    ...(scope.where ? { where: scope.where } : {}),
    ...(scope.ids ? { ids: scope.ids.map(String) } : {}),
  });
  return (result.ids[0] ?? []).map((id, i) => ({
    movieId: Number(id),
    similarity: similarityAt(result, i),
  }));
}

/** Title, year and genres of movies from their vectors' metadata (for when Postgres is down). */
export async function vectorMovieDetails(
  collection: Collection,
  ids: number[],
): Promise<Map<number, { title: string; year: number | null; genres: string[] }>> {
  if (ids.length === 0) return new Map();
  const result = await collection.get({ ids: ids.map(String), include: ["metadatas"] });
  return new Map(
    result.ids.map((id, i) => {
      const metadata = MovieMetadata.parse(result.metadatas[i]);
      return [
        Number(id),
        {
          title: metadata.title,
          year: metadata.year ?? null,
          genres: metadata.genres ? metadata.genres.split("|") : [],
        },
      ];
    }),
  );
}
