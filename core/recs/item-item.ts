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

/** Where the neighbour build's arrays live: plain, or shared between threads (the pipeline). */
export interface Allocate {
  int32(length: number): Int32Array;
  float64(length: number): Float64Array;
}

const IN_THIS_THREAD: Allocate = {
  int32: (length) => new Int32Array(length),
  float64: (length) => new Float64Array(length),
};

/** Entries grouped by a key in 0..groups-1 (CSR): group g's entries are order[start[g]..start[g+1]). */
interface Groups {
  start: Int32Array;
  order: Int32Array;
}

function groupBy(keys: Int32Array, groups: number, allocate: Allocate): Groups {
  const start = allocate.int32(groups + 1);
  for (const k of keys) if (k >= 0) start[k + 1] = (start[k + 1] ?? 0) + 1;
  for (let g = 0; g < groups; g++) start[g + 1] = (start[g + 1] ?? 0) + (start[g] ?? 0);
  const next = start.slice(0, groups);
  const order = allocate.int32(start[groups] ?? 0);
  keys.forEach((k, entry) => {
    if (k < 0) return;
    order[next[k] ?? 0] = entry;
    next[k] = (next[k] ?? 0) + 1;
  });
  return { start, order };
}

/**
 * The ratings laid out for the neighbour rows, typed arrays only: the
 * eligible movies' ids (dense index -> id, ascending), each rating's dense
 * user and movie (-1: a movie with too few ratings), each rating minus its
 * user's mean, each movie's norm, and CSR groupings by user and by movie.
 * Every row reads all of it and writes none of it, so threads can share one
 * copy (SharedArrayBuffer, the pipeline's neighbour threads).
 */
export interface CoRatings {
  ids: Int32Array;
  userOf: Int32Array;
  itemOf: Int32Array;
  centered: Float64Array;
  norm: Float64Array;
  byUser: Groups;
  byItem: Groups;
}

export function coRatings(
  input: readonly RatingTriple[] | RatingColumns,
  options: ItemItemOptions,
  allocate: Allocate = IN_THIS_THREAD,
): CoRatings {
  const { userIds, movieIds, ratings } = asColumns(input);
  const n = ratings.length;
  // Dense indexes for users and eligible movies.
  const userIndex = new Map<number, number>();
  const counts = new Map<number, number>();
  for (let e = 0; e < n; e++) {
    if (!userIndex.has(userIds[e] as number)) userIndex.set(userIds[e] as number, userIndex.size);
    counts.set(movieIds[e] as number, (counts.get(movieIds[e] as number) ?? 0) + 1);
  }
  const eligible = [...counts].filter(([, c]) => c >= options.minRatings).map(([id]) => id);
  eligible.sort((a, b) => a - b);
  const ids = allocate.int32(eligible.length);
  ids.set(eligible);
  const movieIndex = new Map(eligible.map((id, i) => [id, i]));
  const m = ids.length;
  const users = userIndex.size;
  const userOf = allocate.int32(n);
  const itemOf = allocate.int32(n);
  for (let e = 0; e < n; e++) {
    userOf[e] = userIndex.get(userIds[e] as number) as number;
    itemOf[e] = movieIndex.get(movieIds[e] as number) ?? -1;
  }
  // User means come from all their ratings, not only the eligible movies.
  const sum = new Float64Array(users);
  const rated = new Int32Array(users);
  for (let e = 0; e < n; e++) {
    const u = userOf[e] as number;
    sum[u] = (sum[u] ?? 0) + (ratings[e] as number);
    rated[u] = (rated[u] ?? 0) + 1;
  }
  const centered = allocate.float64(n);
  for (let e = 0; e < n; e++) {
    const u = userOf[e] as number;
    centered[e] = (ratings[e] as number) - (sum[u] as number) / (rated[u] as number);
  }
  const eligibleUser = new Int32Array(n);
  for (let e = 0; e < n; e++)
    eligibleUser[e] = (itemOf[e] as number) < 0 ? -1 : (userOf[e] as number);
  const byUser = groupBy(eligibleUser, users, allocate);
  const byItem = groupBy(itemOf, m, allocate);
  const norm = allocate.float64(m);
  for (let e = 0; e < n; e++) {
    const i = itemOf[e] as number;
    if (i >= 0) norm[i] = (norm[i] ?? 0) + (centered[e] as number) ** 2;
  }
  return { ids, userOf, itemOf, centered, norm, byUser, byItem };
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

/** One thread's share of the rows: movies index, index + count, index + 2 count, ... */
export interface RowShare {
  index: number;
  count: number;
}

const EVERY_ROW: RowShare = { index: 0, count: 1 };

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
  neighborRows(coRatings(input, options), options, EVERY_ROW, emit);
}

/**
 * The neighbours of the movies in `share`, from `co`, which it only reads.
 * Rows are independent, so threads taking interleaved shares (which spreads
 * the heavy, much-rated movies evenly) compute the same pairs as one.
 */
export function neighborRows(
  co: CoRatings,
  options: ItemItemOptions,
  share: RowShare,
  emit: (movieId: number, neighborId: number, score: number) => void,
): void {
  const { ids, userOf, itemOf, centered, norm, byUser, byItem } = co;
  const m = ids.length;
  const dot = new Float64Array(m);
  const together = new Int32Array(m);
  const touched = new Int32Array(m);
  const row: { j: number; score: number }[] = [];
  for (let i = share.index; i < m; i += share.count) {
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
