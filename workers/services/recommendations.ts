import { desc, eq, inArray } from "drizzle-orm";
import { movieNeighbors, movieStats, movies, ratings } from "../../core/db/schema.ts";
import {
  type Recommendation,
  type RecSources,
  recommend,
  type Signal,
  type UserRating,
} from "../../core/recs/recommend.ts";
import { similarityAt } from "../../core/vector/movies-collection.ts";
import type { Db } from "./database.ts";
import { type MovieSummary, movieSummaryColumns } from "./movie-summary.ts";
import type { Services } from "./request-services.ts";

export interface RecommendationResult extends MovieSummary {
  score: number;
  signals: Signal[];
  because: { movieId: number; title: string; yourRating: number }[];
}

/** The user's ratings in the recommender's shape. */
export async function userRatings(db: Db, userId: number): Promise<UserRating[]> {
  const rows = await db
    .select({ movieId: ratings.movieId, rating: ratings.rating, ratedAt: ratings.ratedAt })
    .from(ratings)
    .where(eq(ratings.userId, userId));
  return rows.map((r) => ({ ...r, ratedAt: r.ratedAt.getTime() }));
}

/** Postgres for the collaborative and popularity signals, Chroma for the content signal. */
function workerSources(db: Db, services: Services): RecSources {
  return {
    neighbors: (seedIds) =>
      db
        .select({
          movieId: movieNeighbors.movieId,
          neighborId: movieNeighbors.neighborId,
          score: movieNeighbors.score,
        })
        .from(movieNeighbors)
        .where(inArray(movieNeighbors.movieId, seedIds)),
    embeddings: async (ids) => {
      const collection = (await services.vectors()).movies;
      const got = await collection.get({ ids: ids.map(String), include: ["embeddings"] });
      return new Map(got.ids.map((id, i) => [Number(id), got.embeddings[i] ?? []]));
    },
    nearest: async (vector, n, exclude) => {
      const collection = (await services.vectors()).movies;
      // Ids and distances only: a heavy rater's 2,700 rated films made this
      // query send 2,900 embeddings (110 ms of Chroma's time against 7 ms
      // without them, bench:scale); only the n kept need theirs. And twice n
      // first: in a large catalog few of the nearest are rated, and an HNSW
      // search for n + 2,700 costs more the larger the index; past every
      // rated film only when those fall short.
      const ask = async (k: number) => {
        const result = await collection.query({
          queryEmbeddings: [Array.from(vector)],
          nResults: k,
          include: ["distances"],
        });
        const ids = result.ids[0] ?? [];
        const unrated = ids
          .map((id, i) => ({ movieId: Number(id), similarity: similarityAt(result, i) }))
          .filter((hit) => !exclude.has(hit.movieId));
        return { unrated, exhausted: ids.length < k };
      };
      let found = await ask(2 * n);
      if (found.unrated.length < n && !found.exhausted && exclude.size > n) {
        found = await ask(n + exclude.size);
      }
      const kept = found.unrated.slice(0, n);
      if (kept.length === 0) return [];
      const got = await collection.get({
        ids: kept.map((hit) => String(hit.movieId)),
        include: ["embeddings"],
      });
      const embeddings = new Map(got.ids.map((id, i) => [Number(id), got.embeddings[i] ?? []]));
      return kept.flatMap((hit) => {
        const embedding = embeddings.get(hit.movieId);
        return embedding ? [{ ...hit, embedding }] : [];
      });
    },
    popular: async (n) =>
      (
        await db
          .select({ movieId: movieStats.movieId })
          .from(movieStats)
          .orderBy(desc(movieStats.likesCount), movieStats.movieId)
          .limit(n)
      ).map((r) => r.movieId),
  };
}

/**
 * Recommendations for a user, each naming the rated movies behind it. Chroma
 * down drops the content signal (`degraded: ["content"]`); the rest answer.
 */
export async function recommendFor(
  db: Db,
  services: Services,
  userId: number,
  limit: number,
): Promise<{ results: RecommendationResult[]; degraded: Signal[] }> {
  const history = await userRatings(db, userId);
  const { items, degraded } = await recommend(history, workerSources(db, services), { limit });
  const yourRating = new Map(history.map((r) => [r.movieId, r.rating]));
  const ids = [...new Set(items.flatMap((r: Recommendation) => [r.movieId, ...r.because]))];
  const details =
    ids.length === 0
      ? []
      : await db.select(movieSummaryColumns).from(movies).where(inArray(movies.id, ids));
  const byId = new Map(details.map((d) => [d.movieId, d]));
  const results = items.flatMap((item) => {
    const movie = byId.get(item.movieId);
    if (!movie) return [];
    return [
      {
        ...movie,
        score: Number(item.score.toFixed(6)),
        signals: item.signals,
        because: item.because.flatMap((id) => {
          const m = byId.get(id);
          const rating = yourRating.get(id);
          return m && rating !== undefined
            ? [{ movieId: id, title: m.title, yourRating: rating }]
            : [];
        }),
      },
    ];
  });
  return { results, degraded };
}
