/**
 * `npm run eval:recs`: offline evaluation of the recommender. For every user
 * with enough liked movies, their latest HELD_OUT ratings of 4+ are hidden;
 * neighbours and popularity are recomputed from the remaining ratings only
 * (no leak), and the same recommend() the Worker runs ranks the rest of the
 * catalog. Prints hit rate@20 (a held-out movie in the top 20) and recall@20
 * for popularity alone (the baseline), each personal signal alone, and the
 * hybrid; overall and for users with few ratings.
 *
 * Needs the catalog and ratings in DATABASE_URL and the vectors in CHROMA_URL
 * (`npm start` with DATABASE_URL set, or the pipeline).
 */
import pg from "pg";
import { itemNeighbors, LIKE_THRESHOLD, movieStats } from "../core/recs/item-item.ts";
import {
  type NeighborEdge,
  RECOMMEND_DEFAULTS,
  type RecommendOptions,
  type RecSources,
  recommend,
  type UserRating,
} from "../core/recs/recommend.ts";
import { chromaClient, moviesCollection } from "../core/vector/movies-collection.ts";
import { loadConfig } from "../embed-pipeline/src/config.ts";

const K = 20;
const HELD_OUT = 5;
/** Users need this many likes to hold some out and keep some to learn from. */
const MIN_LIKES = 10;
const FEW_RATINGS = 50;

const config = loadConfig();
if (!config.DATABASE_URL) throw new Error("set DATABASE_URL to the database `npm start` loaded");
const db = new pg.Client({ connectionString: config.DATABASE_URL });
await db.connect();
const { rows } = await db.query<{ userId: number; movieId: number; rating: number; ratedAt: Date }>(
  `select user_id as "userId", movie_id as "movieId", rating, rated_at as "ratedAt" from ratings`,
);
await db.end();

// Split: each eligible user's latest liked movies are the test set.
const byUser = new Map<number, UserRating[]>();
for (const r of rows) {
  const list = byUser.get(r.userId) ?? [];
  list.push({ movieId: r.movieId, rating: r.rating, ratedAt: r.ratedAt.getTime() });
  byUser.set(r.userId, list);
}
const heldOut = new Map<number, Set<number>>();
const training = new Map<number, UserRating[]>();
for (const [userId, list] of byUser) {
  const likes = list
    .filter((r) => r.rating >= LIKE_THRESHOLD)
    .sort((a, b) => b.ratedAt - a.ratedAt || a.movieId - b.movieId);
  if (likes.length < MIN_LIKES) {
    training.set(userId, list);
    continue;
  }
  const hidden = new Set(likes.slice(0, HELD_OUT).map((r) => r.movieId));
  heldOut.set(userId, hidden);
  training.set(
    userId,
    list.filter((r) => !hidden.has(r.movieId)),
  );
}
const trainTriples = [...training].flatMap(([userId, list]) =>
  list.map((r) => ({ userId, movieId: r.movieId, rating: r.rating })),
);
console.log(
  `${rows.length.toLocaleString("en")} ratings; ${heldOut.size} users evaluated, ${HELD_OUT} latest likes held out each`,
);

let started = performance.now();
const neighborIndex = new Map<number, NeighborEdge[]>();
for (const edge of itemNeighbors(trainTriples)) {
  const list = neighborIndex.get(edge.movieId) ?? [];
  list.push(edge);
  neighborIndex.set(edge.movieId, list);
}
const popularity = movieStats(trainTriples)
  .sort((a, b) => b.likesCount - a.likesCount || a.movieId - b.movieId)
  .map((s) => s.movieId);
console.log(
  `neighbours from the training split in ${((performance.now() - started) / 1000).toFixed(1)} s`,
);

// Every movie's vector, once; nearest() is then an exact scan in memory.
started = performance.now();
const collection = await moviesCollection(chromaClient(config.CHROMA_URL, config.CHROMA_TOKEN));
const total = await collection.count();
const ids: number[] = [];
const matrix: Float32Array[] = [];
for (let offset = 0; offset < total; offset += 1_000) {
  const page = await collection.get({ limit: 1_000, offset, include: ["embeddings"] });
  page.ids.forEach((id, i) => {
    ids.push(Number(id));
    matrix.push(Float32Array.from(page.embeddings[i] ?? []));
  });
}
const vectors = new Map(ids.map((id, i) => [id, matrix[i] as Float32Array]));
console.log(
  `${ids.length.toLocaleString("en")} vectors from Chroma in ${((performance.now() - started) / 1000).toFixed(1)} s`,
);

const sources: RecSources = {
  neighbors: async (seedIds) => seedIds.flatMap((id) => neighborIndex.get(id) ?? []),
  embeddings: async (wanted) =>
    new Map(
      wanted.flatMap((id) => (vectors.has(id) ? [[id, vectors.get(id) as Float32Array]] : [])),
    ),
  nearest: async (vector, n, exclude) => {
    let norm = 0;
    for (const x of vector) norm += x * x;
    norm = Math.sqrt(norm) || 1;
    const scored = matrix.map((v, i) => {
      let dot = 0;
      for (let d = 0; d < v.length; d++) dot += (v[d] ?? 0) * (vector[d] ?? 0);
      return { i, similarity: dot / norm };
    });
    scored.sort((a, b) => b.similarity - a.similarity);
    const unrated = scored.filter(({ i }) => !exclude.has(ids[i] as number));
    return unrated.slice(0, n).map(({ i, similarity }) => ({
      movieId: ids[i] as number,
      similarity,
      embedding: matrix[i] as Float32Array,
    }));
  },
  popular: async (n) => popularity.slice(0, n),
};

const variants: [string, Partial<RecommendOptions>][] = [
  [
    "popularity (baseline)",
    { weights: { collaborative: 0, content: 0, popular: 1 }, priorRatings: 1e9 },
  ],
  ["content only", { weights: { collaborative: 0, content: 1, popular: 0 } }],
  ["item-item only", { weights: { collaborative: 1, content: 0, popular: 0 } }],
  ["hybrid (the API)", {}],
  ...(process.env.SWEEP
    ? (JSON.parse(process.env.SWEEP) as Partial<RecommendOptions>[]).map(
        (o) => [`sweep ${JSON.stringify(o)}`, o] as [string, Partial<RecommendOptions>],
      )
    : []),
];

interface Tally {
  users: number;
  hits: number;
  recall: number;
}
const table: string[] = [
  `| recommender | hit rate@${K} | recall@${K} | hit rate@${K}, users with < ${FEW_RATINGS} ratings | recall@${K}, same |`,
  "| --- | --- | --- | --- | --- |",
];
for (const [name, options] of variants) {
  started = performance.now();
  const all: Tally = { users: 0, hits: 0, recall: 0 };
  const few: Tally = { users: 0, hits: 0, recall: 0 };
  for (const [userId, hidden] of heldOut) {
    const history = training.get(userId) ?? [];
    const { items } = await recommend(history, sources, { ...options, limit: K });
    const found = items.filter((r) => hidden.has(r.movieId)).length;
    for (const t of history.length < FEW_RATINGS ? [all, few] : [all]) {
      t.users++;
      t.hits += found > 0 ? 1 : 0;
      t.recall += found / hidden.size;
    }
  }
  const pct = (x: number, n: number) => (n ? `${((100 * x) / n).toFixed(1)}%` : "n/a");
  table.push(
    `| ${name} | ${pct(all.hits, all.users)} | ${pct(all.recall, all.users)} | ${pct(few.hits, few.users)} | ${pct(few.recall, few.users)} |`,
  );
  console.log(
    `${name}: ${((performance.now() - started) / 1000).toFixed(1)} s (${few.users} users with few ratings)`,
  );
}
console.log(
  `\nweights ${JSON.stringify(RECOMMEND_DEFAULTS.weights)}, prior ${RECOMMEND_DEFAULTS.priorRatings} ratings\n`,
);
console.log(table.join("\n"));
