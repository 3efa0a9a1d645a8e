/**
 * The recommender: a blend of three signals, each a ranked list, fused by
 * weighted reciprocal rank.
 *  - collaborative: item-item neighbours of the movies the user liked,
 *  - content: the movies nearest the user's taste vector (the weighted mean
 *    of the embeddings of what they liked),
 *  - popularity: the most liked movies, weighted up for users with few ratings.
 * The data comes through RecSources, so the Worker (Postgres + Chroma) and
 * eval:recs (in memory, on a training split) run the same ranking.
 */
import { cosine } from "../embedding/pooling.ts";
import { LIKE_THRESHOLD } from "./item-item.ts";

export interface UserRating {
  movieId: number;
  rating: number;
  /** Milliseconds since the epoch. */
  ratedAt: number;
}

export interface NeighborEdge {
  /** The liked movie. */
  movieId: number;
  neighborId: number;
  score: number;
}

export interface ContentHit {
  movieId: number;
  similarity: number;
  embedding: ArrayLike<number>;
}

export interface RecSources {
  neighbors(seedIds: number[]): Promise<NeighborEdge[]>;
  embeddings(ids: number[]): Promise<Map<number, ArrayLike<number>>>;
  /** The `n` movies nearest `vector` that are not in `exclude` (the user's rated ones), nearest first. */
  nearest(vector: Float32Array, n: number, exclude: ReadonlySet<number>): Promise<ContentHit[]>;
  /** Most liked movies first. */
  popular(n: number): Promise<number[]>;
}

export type Signal = "collaborative" | "content" | "popular";

export interface Recommendation {
  movieId: number;
  score: number;
  /** The user's liked movies that led to it, strongest first (empty for popularity alone). */
  because: number[];
  signals: Signal[];
}

export interface RecommendOptions {
  limit: number;
  /** Liked movies that drive the signals. */
  seeds: number;
  /** Candidates taken from each signal before fusion. */
  candidates: number;
  /** Ratings at which popularity weighs as much as the personal signals. */
  priorRatings: number;
  weights: Record<Signal, number>;
}

export const RECOMMEND_DEFAULTS: RecommendOptions = {
  limit: 20,
  seeds: 30,
  candidates: 200,
  priorRatings: 10,
  // Tuned with eval:recs (docs/benchmarks.md): content similarity alone finds few of
  // the movies people go on to like; it mostly breaks ties and covers unrated movies.
  weights: { collaborative: 1, content: 0.15, popular: 0.5 },
};

const RRF_K = 60;

export interface Seed {
  movieId: number;
  weight: number;
}

/**
 * The movies that define the user's taste: liked ones (4+), best and newest
 * first; for a user who liked nothing, whatever they rated above their mean.
 * Weight grows with how far above their own mean they rated it.
 */
export function tasteSeeds(ratings: readonly UserRating[], max: number): Seed[] {
  if (ratings.length === 0) return [];
  const mean = ratings.reduce((s, r) => s + r.rating, 0) / ratings.length;
  let liked = ratings.filter((r) => r.rating >= LIKE_THRESHOLD);
  if (liked.length === 0) liked = ratings.filter((r) => r.rating > mean);
  return [...liked]
    .sort((a, b) => b.rating - a.rating || b.ratedAt - a.ratedAt || a.movieId - b.movieId)
    .slice(0, max)
    .map((r) => ({ movieId: r.movieId, weight: Math.max(r.rating - mean, 0) + 0.5 }));
}

interface Scored {
  movieId: number;
  score: number;
  because: number[];
}

function collaborative(edges: NeighborEdge[], seeds: Seed[], rated: Set<number>): Scored[] {
  const weight = new Map(seeds.map((s) => [s.movieId, s.weight]));
  const scores = new Map<number, { score: number; by: Map<number, number> }>();
  for (const e of edges) {
    if (rated.has(e.neighborId)) continue;
    const w = weight.get(e.movieId);
    if (w === undefined) continue;
    const entry = scores.get(e.neighborId) ?? { score: 0, by: new Map() };
    entry.score += w * e.score;
    entry.by.set(e.movieId, (entry.by.get(e.movieId) ?? 0) + w * e.score);
    scores.set(e.neighborId, entry);
  }
  return [...scores]
    .map(([movieId, s]) => ({
      movieId,
      score: s.score,
      because: [...s.by].sort((a, b) => b[1] - a[1]).map(([id]) => id),
    }))
    .sort((a, b) => b.score - a.score || a.movieId - b.movieId);
}

async function content(
  sources: RecSources,
  seeds: Seed[],
  rated: Set<number>,
  n: number,
): Promise<Scored[]> {
  const vectors = await sources.embeddings(seeds.map((s) => s.movieId));
  let taste: Float32Array | undefined;
  for (const seed of seeds) {
    const v = vectors.get(seed.movieId);
    if (!v) continue;
    taste ??= new Float32Array(v.length);
    for (let i = 0; i < v.length; i++) taste[i] = (taste[i] ?? 0) + seed.weight * (v[i] ?? 0);
  }
  if (!taste) return [];
  const hits = await sources.nearest(taste, n, rated);
  return hits.map((h) => ({
    movieId: h.movieId,
    score: h.similarity,
    // The liked movie closest to this one explains it best.
    because: seeds
      .filter((s) => vectors.has(s.movieId))
      .map((s) => ({ id: s.movieId, sim: cosine(vectors.get(s.movieId) ?? [], h.embedding) }))
      .sort((a, b) => b.sim - a.sim)
      .map((s) => s.id),
  }));
}

/**
 * Ranks unrated movies for a user. A signal whose source fails is left out
 * and named in `degraded` (the others still answer); the ranking is
 * deterministic for the same inputs.
 */
export async function recommend(
  ratings: readonly UserRating[],
  sources: RecSources,
  options: Partial<RecommendOptions> = {},
): Promise<{ items: Recommendation[]; degraded: Signal[] }> {
  const o = { ...RECOMMEND_DEFAULTS, ...options };
  const rated = new Set(ratings.map((r) => r.movieId));
  const seeds = tasteSeeds(ratings, o.seeds);
  const seedIds = seeds.map((s) => s.movieId);
  const degraded: Signal[] = [];
  const guard = async (signal: Signal, run: () => Promise<Scored[]>): Promise<Scored[]> => {
    if (o.weights[signal] === 0) return [];
    if (seeds.length === 0 && signal !== "popular") return [];
    try {
      return await run();
    } catch {
      degraded.push(signal);
      return [];
    }
  };
  const [collab, near, popular] = await Promise.all([
    guard("collaborative", async () =>
      collaborative(await sources.neighbors(seedIds), seeds, rated).slice(0, o.candidates),
    ),
    guard("content", async () =>
      (await content(sources, seeds, rated, o.candidates)).slice(0, o.candidates),
    ),
    guard("popular", async () =>
      (await sources.popular(o.candidates + rated.size))
        .filter((id) => !rated.has(id))
        .slice(0, o.candidates)
        .map((movieId, i) => ({ movieId, score: -i, because: [] })),
    ),
  ]);
  // Popularity speaks for users the personal signals know little about.
  const prior = o.priorRatings / (o.priorRatings + ratings.length);
  const lists: [Signal, Scored[], number][] = [
    ["collaborative", collab, o.weights.collaborative],
    ["content", near, o.weights.content],
    ["popular", popular, o.weights.popular * prior],
  ];
  const fused = new Map<number, Recommendation & { votes: Map<number, number> }>();
  for (const [signal, list, weight] of lists) {
    list.forEach((item, rank) => {
      const entry = fused.get(item.movieId) ?? {
        movieId: item.movieId,
        score: 0,
        because: [],
        signals: [],
        votes: new Map<number, number>(),
      };
      const share = weight / (RRF_K + rank + 1);
      entry.score += share;
      entry.signals.push(signal);
      item.because.slice(0, 3).forEach((id, k) => {
        entry.votes.set(id, (entry.votes.get(id) ?? 0) + share / (k + 1));
      });
      fused.set(item.movieId, entry);
    });
  }
  const items = [...fused.values()]
    .sort((a, b) => b.score - a.score || a.movieId - b.movieId)
    .slice(0, o.limit)
    .map(({ votes, ...r }) => ({
      ...r,
      because: [...votes]
        .sort((a, b) => b[1] - a[1] || a[0] - b[0])
        .slice(0, 3)
        .map(([id]) => id),
    }));
  return { items, degraded };
}
