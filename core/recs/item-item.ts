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

/** Ratings as parallel columns: what the neighbour build holds for millions of them. */
export interface RatingColumns {
  userIds: Int32Array;
  movieIds: Int32Array;
  ratings: Float32Array;
}

/** Ratings as columns, converting a list of triples (eval:recs, tests). */
function asColumns(input: readonly RatingTriple[] | RatingColumns): RatingColumns {
  if (!Array.isArray(input)) return input as RatingColumns;
  const ratings = input as readonly RatingTriple[];
  return {
    userIds: Int32Array.from(ratings, (r) => r.userId),
    movieIds: Int32Array.from(ratings, (r) => r.movieId),
    ratings: Float32Array.from(ratings, (r) => r.rating),
  };
}

export function movieStats(input: readonly RatingTriple[] | RatingColumns): MovieStat[] {
  const { movieIds, ratings } = asColumns(input);
  const stats = new Map<number, { count: number; likes: number; sum: number }>();
  for (let e = 0; e < ratings.length; e++) {
    const movieId = movieIds[e] as number;
    const rating = ratings[e] as number;
    const s = stats.get(movieId) ?? { count: 0, likes: 0, sum: 0 };
    s.count++;
    s.sum += rating;
    if (rating >= LIKE_THRESHOLD) s.likes++;
    stats.set(movieId, s);
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

/** Entries grouped by a key in 0..groups-1 (CSR): group g's entries are start[g]..start[g+1]. */
function groupBy(keys: Int32Array, groups: number): { start: Int32Array; order: Int32Array } {
  const start = new Int32Array(groups + 1);
  for (const k of keys) if (k >= 0) start[k + 1] = (start[k + 1] ?? 0) + 1;
  for (let g = 0; g < groups; g++) start[g + 1] = (start[g + 1] ?? 0) + (start[g] ?? 0);
  const next = start.slice(0, groups);
  const order = new Int32Array(start[groups] ?? 0);
  keys.forEach((k, entry) => {
    if (k < 0) return;
    order[next[k] ?? 0] = entry;
    next[k] = (next[k] ?? 0) + 1;
  });
  return { start, order };
}

/**
 * Top neighbours per movie by shrunk adjusted cosine, positive scores only.
 * Memory is linear in the ratings: one movie's row of co-rating sums at a
 * time (each movie's raters, then everything those raters rated), where a
 * dense movies x movies matrix grew with the square of the catalog (4.5 GB
 * at 10x MovieLens small, bench:scale). Each pair is summed from both ends,
 * twice the arithmetic of a triangle, for rows that need no second pass.
 */
export function itemNeighbors(
  input: readonly RatingTriple[] | RatingColumns,
  options: ItemItemOptions = ITEM_ITEM_DEFAULTS,
): ItemNeighbor[] {
  const out: ItemNeighbor[] = [];
  eachNeighbor(input, options, (movieId, neighborId, score) => {
    out.push({ movieId, neighborId, score });
  });
  return out;
}

/**
 * itemNeighbors' pairs handed to `emit` one at a time, each movie's best
 * first, so a caller with millions of them can keep them in typed columns
 * instead of objects (buildNeighbors at 100x: 14.6 million pairs).
 */
export function eachNeighbor(
  input: readonly RatingTriple[] | RatingColumns,
  options: ItemItemOptions,
  emit: (movieId: number, neighborId: number, score: number) => void,
): void {
  const { userIds, movieIds, ratings } = asColumns(input);
  const n = ratings.length;
  // Dense indexes for users and eligible movies.
  const userIndex = new Map<number, number>();
  const counts = new Map<number, number>();
  for (let e = 0; e < n; e++) {
    if (!userIndex.has(userIds[e] as number)) userIndex.set(userIds[e] as number, userIndex.size);
    counts.set(movieIds[e] as number, (counts.get(movieIds[e] as number) ?? 0) + 1);
  }
  const ids = [...counts].filter(([, c]) => c >= options.minRatings).map(([id]) => id);
  ids.sort((a, b) => a - b);
  const movieIndex = new Map(ids.map((id, i) => [id, i]));
  const m = ids.length;
  const users = userIndex.size;
  // User means come from all their ratings, not only the eligible movies.
  const userOf = Int32Array.from(userIds, (u) => userIndex.get(u) as number);
  const sum = new Float64Array(users);
  const rated = new Int32Array(users);
  for (let e = 0; e < n; e++) {
    const u = userOf[e] as number;
    sum[u] = (sum[u] ?? 0) + (ratings[e] as number);
    rated[u] = (rated[u] ?? 0) + 1;
  }
  const itemOf = Int32Array.from(movieIds, (id) => movieIndex.get(id) ?? -1);
  const centered = Float64Array.from(ratings, (r, e) => {
    const u = userOf[e] as number;
    return r - (sum[u] as number) / (rated[u] as number);
  });
  const byUser = groupBy(
    Int32Array.from(itemOf, (i, e) => (i < 0 ? -1 : (userOf[e] as number))),
    users,
  );
  const byItem = groupBy(itemOf, m);
  const norm = new Float64Array(m);
  for (let e = 0; e < n; e++) {
    const i = itemOf[e] as number;
    if (i >= 0) norm[i] = (norm[i] ?? 0) + (centered[e] as number) ** 2;
  }

  const dot = new Float64Array(m);
  const together = new Int32Array(m);
  const touched = new Int32Array(m);
  const row: { j: number; score: number }[] = [];
  for (let i = 0; i < m; i++) {
    let size = 0;
    for (let a = byItem.start[i] as number; a < (byItem.start[i + 1] as number); a++) {
      const e = byItem.order[a] as number;
      const u = userOf[e] as number;
      const x = centered[e] as number;
      for (let b = byUser.start[u] as number; b < (byUser.start[u + 1] as number); b++) {
        const f = byUser.order[b] as number;
        const j = itemOf[f] as number;
        if (j === i) continue;
        if (together[j] === 0) touched[size++] = j;
        dot[j] = (dot[j] ?? 0) + x * (centered[f] as number);
        together[j] = (together[j] ?? 0) + 1;
      }
    }
    row.length = 0;
    const ni = Math.sqrt(norm[i] ?? 0);
    for (let t = 0; t < size; t++) {
      const j = touched[t] as number;
      const nj = Math.sqrt(norm[j] ?? 0);
      const both = together[j] as number;
      if (ni > 0 && nj > 0) {
        const score = ((dot[j] as number) / (ni * nj)) * (both / (both + options.shrinkage));
        if (score > 0) row.push({ j, score });
      }
      dot[j] = 0;
      together[j] = 0;
    }
    row.sort((a, b) => b.score - a.score || a.j - b.j);
    for (const { j, score } of row.slice(0, options.neighbors))
      emit(ids[i] as number, ids[j] as number, score);
  }
}
