import { and, eq, gte, inArray, ne, sql } from "drizzle-orm";
import { movies, ratings } from "../../../core/db/schema.ts";
import { LIKE_THRESHOLD } from "../../../core/recs/item-item.ts";
import { similarityAt } from "../../../core/vector/movies-collection.ts";
import { ApiError } from "../../errors.ts";
import type { Db } from "../database.ts";

/** Reads only: the request pool or the transaction that holds the single-flight lock. */
export type Reader = Pick<Db, "select">;

import { movieVector } from "../dense-search.ts";
import type { Services } from "../request-services.ts";
import type { ExplainContext, LikedMovie, MovieFacts } from "./types.ts";

/** Liked movies passed to the model: enough to choose from, few enough to stay focused. */
export const LIKED_IN_CONTEXT = 6;
export const NEIGHBORS_IN_CONTEXT = 5;
/** Characters of a liked movie's overview in the prompt (see prompt.ts). */
const LIKED_OVERVIEW_CHARS = 200;

const factColumns = {
  movieId: movies.id,
  title: movies.title,
  year: movies.year,
  genres: movies.genres,
  director: movies.director,
  topCast: movies.topCast,
  tags: movies.tags,
  overview: movies.overview,
};

/** How close each liked movie is to the target (cosine), for the closest 50. */
async function likedSimilarity(services: Services, vector: number[], likedIds: number[]) {
  const similarity = new Map<number, number>();
  if (likedIds.length === 0) return similarity;
  const collection = (await services.vectors()).movies;
  const result = await collection.query({
    queryEmbeddings: [vector],
    ids: likedIds.map(String),
    nResults: Math.min(likedIds.length, 50),
    include: ["distances"],
  });
  (result.ids[0] ?? []).forEach((id, i) => {
    similarity.set(Number(id), similarityAt(result, i));
  });
  return similarity;
}

/** The target's nearest catalog neighbours, with their facts from Postgres. */
async function nearestFacts(db: Reader, services: Services, vector: number[], targetId: number) {
  const collection = (await services.vectors()).movies;
  const near = await collection.query({
    queryEmbeddings: [vector],
    nResults: NEIGHBORS_IN_CONTEXT + 1,
    include: [],
  });
  const ids = (near.ids[0] ?? [])
    .map(Number)
    .filter((id) => id !== targetId)
    .slice(0, NEIGHBORS_IN_CONTEXT);
  if (ids.length === 0) return [];
  const rows = await db.select(factColumns).from(movies).where(inArray(movies.id, ids));
  return rows.sort((a, b) => ids.indexOf(a.movieId) - ids.indexOf(b.movieId));
}

const lower = (xs: string[]) => new Set(xs.map((x) => x.toLowerCase()));

/** What a liked movie shares with the target, and a relevance score to order them by. */
function relate(target: MovieFacts, movie: MovieFacts, rating: number, similarity: number) {
  const cast = movie.topCast.filter((p) => target.topCast.includes(p));
  const genres = movie.genres.filter((g) => target.genres.includes(g));
  const targetTags = lower(target.tags);
  const tags = movie.tags.filter((t) => targetTags.has(t.toLowerCase())).slice(0, 5);
  const director = Boolean(movie.director && movie.director === target.director);
  const liked: LikedMovie = {
    ...movie,
    rating,
    similarity,
    shared: { director, cast, genres, tags },
  };
  const score =
    (director ? 3 : 0) +
    2 * Math.min(cast.length, 2) +
    Math.min(tags.length, 3) +
    0.5 * genres.length +
    4 * similarity +
    (rating - LIKE_THRESHOLD);
  return { liked, score };
}

/**
 * The retrieved context for (user, target): the target's facts, the user's
 * liked movies most related to it (similarity in Chroma, shared director,
 * cast, tags, genres), and the target's nearest catalog neighbours.
 */
export async function retrieveContext(
  db: Reader,
  services: Services,
  userId: number,
  targetId: number,
): Promise<ExplainContext> {
  // Without Chroma the explainer still runs, on metadata alone.
  const withoutVectors =
    <T>(fallback: T) =>
    (error: unknown) => {
      console.warn(JSON.stringify({ degraded: "vector", during: "explain", error: String(error) }));
      return fallback;
    };
  // Postgres and Chroma in parallel; the chain is as short as the data allows.
  const [rows, vector] = await Promise.all([
    // The target and the liked movies in one round trip (the target's rating is null).
    db
      .select({ ...factColumns, rating: sql<number | null>`null::real` })
      .from(movies)
      .where(eq(movies.id, targetId))
      .unionAll(
        db
          .select({
            ...factColumns,
            // Only the first words reach the prompt; a heavy rater has 1,000+ likes.
            overview: sql<string | null>`left(${movies.overview}, ${LIKED_OVERVIEW_CHARS})`,
            rating: sql<number | null>`${ratings.rating}`,
          })
          .from(ratings)
          .innerJoin(movies, eq(movies.id, ratings.movieId))
          .where(
            and(
              eq(ratings.userId, userId),
              gte(ratings.rating, LIKE_THRESHOLD),
              ne(ratings.movieId, targetId),
            ),
          ),
      ),
    movieVector(services, targetId).catch(withoutVectors(undefined)),
  ]);
  const targetRow = rows.find((r) => r.rating === null);
  if (!targetRow) throw new ApiError("NOT_FOUND", `movie ${targetId} does not exist`);
  const { rating: _, ...target } = targetRow;
  const liked = rows.flatMap(({ rating, ...movie }) =>
    rating === null ? [] : [{ ...movie, rating }],
  );
  const [similarity, neighbors] = vector
    ? await Promise.all([
        likedSimilarity(
          services,
          vector,
          liked.map((r) => r.movieId),
        ).catch(withoutVectors(new Map<number, number>())),
        nearestFacts(db, services, vector, targetId).catch(withoutVectors([] as MovieFacts[])),
      ])
    : [new Map<number, number>(), [] as MovieFacts[]];
  const ranked = liked
    .map(({ rating, ...movie }) =>
      relate(target, movie, rating, similarity.get(movie.movieId) ?? 0),
    )
    .sort(
      (a, b) =>
        b.score - a.score || b.liked.rating - a.liked.rating || a.liked.movieId - b.liked.movieId,
    )
    .slice(0, LIKED_IN_CONTEXT)
    .map((r) => r.liked);
  return { userId, target, liked: ranked, neighbors };
}
