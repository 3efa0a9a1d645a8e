/**
 * Item-item collaborative filtering over explicit ratings: adjusted cosine
 * (each rating minus the user's mean), shrunk toward zero when few users
 * rated both movies. Computed offline (pipeline `neighbors`, and in memory by
 * eval:recs on its training split): the pair counts are far too heavy for a
 * request.
 */

export interface RatingTriple {
  userId: number;
  movieId: number;
  rating: number;
}

export interface ItemNeighbor {
  movieId: number;
  neighborId: number;
  score: number;
}

export interface MovieStat {
  movieId: number;
  ratingsCount: number;
  likesCount: number;
  meanRating: number;
  /** How well known and well liked the movie is, 0..1: search's prior (searchPrior). */
  searchPrior: number;
}

/** Ratings a movie's mean is shrunk with towards the catalog's: a Bayesian average's prior weight. */
export const PRIOR_RATINGS = 10;

/**
 * Search's popularity and quality prior, 0..1: how many people rated the
 * movie (log scale, 1 for the most rated) times its Bayesian mean rating
 * (the mean shrunk towards the catalog's by PRIOR_RATINGS ratings) over 5.
 * A film few have seen scores near 0 however they rated it; a film many
 * rated badly scores below one as popular and well liked. Search adds it in
 * bounded amounts only (hybrid-search.ts), to order comparably relevant films.
 */
export function searchPrior(
  ratingsCount: number,
  meanRating: number,
  catalog: { maxCount: number; meanRating: number },
): number {
  const popularity = Math.log1p(ratingsCount) / Math.log1p(Math.max(catalog.maxCount, 1));
  const bayesian =
    (ratingsCount * meanRating + PRIOR_RATINGS * catalog.meanRating) /
    (ratingsCount + PRIOR_RATINGS);
  return popularity * (bayesian / 5);
}

export interface ItemItemOptions {
  /** Movies rated by fewer users get no neighbours: their similarities are noise. */
  minRatings: number;
  /** Neighbours kept per movie. */
  neighbors: number;
  /** sim * n / (n + shrinkage), n = users who rated both. */
  shrinkage: number;
}

export const ITEM_ITEM_DEFAULTS: ItemItemOptions = { minRatings: 5, neighbors: 40, shrinkage: 10 };

/** A rating of 4 stars or more counts as a like (popularity, seeds). */
export const LIKE_THRESHOLD = 4;

export function movieStats(ratings: readonly RatingTriple[]): MovieStat[] {
  const stats = new Map<number, { count: number; likes: number; sum: number }>();
  for (const r of ratings) {
    const s = stats.get(r.movieId) ?? { count: 0, likes: 0, sum: 0 };
    s.count++;
    s.sum += r.rating;
    if (r.rating >= LIKE_THRESHOLD) s.likes++;
    stats.set(r.movieId, s);
  }
  let maxCount = 0;
  let sum = 0;
  for (const s of stats.values()) {
    maxCount = Math.max(maxCount, s.count);
    sum += s.sum;
  }
  const catalog = { maxCount, meanRating: ratings.length ? sum / ratings.length : 0 };
  return [...stats].map(([movieId, s]) => ({
    movieId,
    ratingsCount: s.count,
    likesCount: s.likes,
    meanRating: s.sum / s.count,
    searchPrior: searchPrior(s.count, s.sum / s.count, catalog),
  }));
}

/**
 * Top neighbours per movie by shrunk adjusted cosine, positive scores only.
 * Memory is quadratic in the movies with enough ratings (two dense m x m
 * arrays: ~80 MB for MovieLens small's ~3,600 such movies).
 */
export function itemNeighbors(
  ratings: readonly RatingTriple[],
  options: ItemItemOptions = ITEM_ITEM_DEFAULTS,
): ItemNeighbor[] {
  const counts = new Map<number, number>();
  for (const r of ratings) counts.set(r.movieId, (counts.get(r.movieId) ?? 0) + 1);
  const ids = [...counts].filter(([, n]) => n >= options.minRatings).map(([id]) => id);
  ids.sort((a, b) => a - b);
  const index = new Map(ids.map((id, i) => [id, i]));
  const m = ids.length;

  const byUser = new Map<number, { sum: number; items: [number, number][] }>();
  for (const r of ratings) {
    const u = byUser.get(r.userId) ?? { sum: 0, items: [] };
    u.sum += r.rating;
    const i = index.get(r.movieId);
    if (i !== undefined) u.items.push([i, r.rating]);
    byUser.set(r.userId, u);
  }
  // User means come from all their ratings, not only the eligible movies.
  const ratedCount = new Map<number, number>();
  for (const r of ratings) ratedCount.set(r.userId, (ratedCount.get(r.userId) ?? 0) + 1);

  const dot = new Float32Array(m * m);
  const together = new Uint16Array(m * m);
  const norm = new Float64Array(m);
  for (const [userId, u] of byUser) {
    const mean = u.sum / (ratedCount.get(userId) ?? 1);
    const items = u.items.map(([i, r]) => [i, r - mean] as const);
    for (const [i, x] of items) norm[i] = (norm[i] ?? 0) + x * x;
    for (let a = 0; a < items.length; a++) {
      const [i, x] = items[a] as readonly [number, number];
      for (let b = a + 1; b < items.length; b++) {
        const [j, y] = items[b] as readonly [number, number];
        const [lo, hi] = i < j ? [i, j] : [j, i];
        const cell = lo * m + hi;
        dot[cell] = (dot[cell] ?? 0) + x * y;
        together[cell] = Math.min(65_535, (together[cell] ?? 0) + 1);
      }
    }
  }

  const out: ItemNeighbor[] = [];
  const row: { j: number; score: number }[] = [];
  for (let i = 0; i < m; i++) {
    row.length = 0;
    const ni = Math.sqrt(norm[i] ?? 0);
    if (ni === 0) continue;
    for (let j = 0; j < m; j++) {
      if (j === i) continue;
      const cell = i < j ? i * m + j : j * m + i;
      const n = together[cell] ?? 0;
      if (n === 0) continue;
      const nj = Math.sqrt(norm[j] ?? 0);
      if (nj === 0) continue;
      const score = ((dot[cell] ?? 0) / (ni * nj)) * (n / (n + options.shrinkage));
      if (score > 0) row.push({ j, score });
    }
    row.sort((a, b) => b.score - a.score);
    for (const { j, score } of row.slice(0, options.neighbors))
      out.push({ movieId: ids[i] as number, neighborId: ids[j] as number, score });
  }
  return out;
}
