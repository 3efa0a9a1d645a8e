/**
 * `npm run eval:search`: judged queries built from the data itself, run
 * through dense only (the seed design: MiniLM over title + overview + genres +
 * director, no filters), lexical only, and the Worker's hybrid search (same
 * fusion code, hybridSearch()), printing hit@10 and MRR@10 per category.
 *
 * Needs the catalog in DATABASE_URL and its vectors in CHROMA_URL (`npm start`
 * with DATABASE_URL set, or the pipeline). Builds a second collection,
 * `movies_seed_design`, with the seed design's text on first use.
 */
import type { Collection } from "chromadb";
import pg from "pg";
import { MODEL_FILES } from "../core/embedding/model.ts";
import {
  chromaClient,
  moviesCollection,
  queryMovies,
  vectorMovieDetails,
} from "../core/vector/movies-collection.ts";
import { loadConfig } from "../embed-pipeline/src/config.ts";
import { OnnxEmbedder } from "../embed-pipeline/src/embed/embedder.ts";
import { CANDIDATES, hybridSearch, type Retrievers } from "../workers/services/hybrid-search.ts";
import { allMoviesMatching, searchPage } from "../workers/services/search-page.ts";

const K = 10;
const SEED_COLLECTION = "movies_seed_design";

interface Judged {
  category: "description" | "tag" | "typo" | "genre+decade";
  query: string;
  relevant: (movie: { movieId: number; genres: string[]; year: number | null }) => boolean;
}

interface MovieRecord {
  id: number;
  title: string;
  year: number | null;
  genres: string[];
  overview: string | null;
  director: string | null;
  top_cast: string[];
  tags: string[];
  ratings: number;
}

/** A deterministic generator (mulberry32) so the query set is the same every run. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** "A paraphrase" a person might type: the overview's first sentence without names or the title. */
function describe(movie: MovieRecord): string {
  const titleWords = new Set(movie.title.toLowerCase().split(/\W+/));
  const sentence = (movie.overview ?? "").split(/(?<=[.!?])\s/)[0] ?? "";
  const words = sentence
    .split(/\s+/)
    .filter(
      (w, i) => !(i > 0 && /^[A-Z]/.test(w)) && !titleWords.has(w.toLowerCase().replace(/\W/g, "")),
    )
    .map((w) => w.toLowerCase().replace(/[^\p{L}\p{N}'-]/gu, ""))
    .filter(Boolean);
  return words.slice(0, 14).join(" ");
}

/** One realistic typo: two neighbouring letters swapped inside the longest word. */
function misspell(title: string, rand: () => number): string {
  const words = title.split(" ");
  const longest = words.reduce((a, b) => (b.length > a.length ? b : a), "");
  if (longest.length < 4) return title.toLowerCase();
  const i = 1 + Math.floor(rand() * (longest.length - 2));
  const swapped = longest.slice(0, i - 1) + longest[i] + longest[i - 1] + longest.slice(i + 1);
  return words
    .map((w) => (w === longest ? swapped : w))
    .join(" ")
    .toLowerCase();
}

function buildQueries(movies: MovieRecord[]): Judged[] {
  const rand = random(20261126);
  const pick = <T>(items: T[], n: number) => [...items].sort(() => rand() - 0.5).slice(0, n);
  const popular = movies.filter((m) => m.ratings >= 40);
  const queries: Judged[] = [];
  for (const m of pick(
    popular.filter((p) => (p.overview ?? "").length > 80),
    40,
  )) {
    queries.push({
      category: "description",
      query: describe(m),
      relevant: (r) => r.movieId === m.id,
    });
  }
  for (const m of pick(popular, 40)) {
    queries.push({
      category: "typo",
      query: misspell(m.title, rand),
      relevant: (r) => r.movieId === m.id,
    });
  }
  const tagged = new Map<string, Set<number>>();
  for (const m of movies)
    for (const t of m.tags) tagged.set(t, (tagged.get(t) ?? new Set()).add(m.id));
  const usefulTags = [...tagged].filter(
    ([tag, ids]) => ids.size >= 4 && ids.size <= 40 && tag.length > 3,
  );
  for (const [tag, ids] of pick(usefulTags, 30)) {
    queries.push({ category: "tag", query: tag, relevant: (r) => ids.has(r.movieId) });
  }
  const decades: [string, number][] = [
    ["80s", 1980],
    ["90s", 1990],
    ["2000s", 2000],
  ];
  const genres: [string, string][] = [
    ["comedies", "Comedy"],
    ["horror movies", "Horror"],
    ["animated movies", "Animation"],
    ["westerns", "Western"],
  ];
  for (const [label, start] of decades) {
    for (const [word, genre] of genres) {
      queries.push({
        category: "genre+decade",
        query: `${label} ${word}`,
        relevant: (r) =>
          r.genres.includes(genre) && r.year !== null && r.year >= start && r.year <= start + 9,
      });
    }
  }
  return queries;
}

/** The seed design's text: title, overview, genres, director. */
function seedText(m: MovieRecord): string {
  return [
    m.title,
    m.overview ?? "",
    `Genres: ${m.genres.join(", ")}`,
    `Director: ${m.director ?? ""}`,
  ]
    .filter(Boolean)
    .join(" ");
}

async function seedCollection(
  movies: MovieRecord[],
  embedder: OnnxEmbedder,
  chromaUrl: string,
): Promise<Collection> {
  const collection = await chromaClient(chromaUrl).getOrCreateCollection({
    name: SEED_COLLECTION,
    configuration: { hnsw: { space: "cosine" } },
    embeddingFunction: null,
  });
  if ((await collection.count()) === movies.length) return collection;
  console.log(`building ${SEED_COLLECTION} (${movies.length} texts, once)`);
  for (let i = 0; i < movies.length; i += 256) {
    const chunk = movies.slice(i, i + 256);
    const vectors = await embedder.embed(chunk.map(seedText));
    await collection.upsert({
      ids: chunk.map((m) => String(m.id)),
      embeddings: vectors.map((v) => Array.from(v)),
      metadatas: chunk.map((m) => ({
        title: m.title,
        genres: m.genres.join("|"),
        content_hash: "",
        model: embedder.model,
        ...(m.year ? { year: m.year } : {}),
      })),
    });
  }
  return collection;
}

const config = loadConfig();
if (!config.DATABASE_URL) throw new Error("set DATABASE_URL to the database the pipeline loaded");
const pool = new pg.Pool({ connectionString: config.DATABASE_URL });
const { rows: movies } = await pool.query<MovieRecord>(
  `select m.id, m.title, m.year, m.genres, m.overview, m.director, m.top_cast, m.tags,
          (select count(*) from ratings r where r.movie_id = m.id)::int as ratings
     from movies m order by m.id`,
);
const embedder = await OnnxEmbedder.create({
  modelsDir: config.MODELS_DIR,
  variant: "int8",
  device: "cpu",
});
const byId = new Map(movies.map((m) => [m.id, m]));
const seed = await seedCollection(movies, embedder, config.CHROMA_URL);
const main = await moviesCollection(chromaClient(config.CHROMA_URL, config.CHROMA_TOKEN));
const queries = buildQueries(movies);
console.log(
  `${queries.length} judged queries over ${movies.length} movies (model file for queries: ${MODEL_FILES.int8})`,
);

type Mode = "dense (seed design)" | "dense (Marquee text)" | "lexical" | "hybrid";
const modes: Mode[] = ["dense (seed design)", "dense (Marquee text)", "lexical", "hybrid"];
const scores = new Map<string, { hits: number; rr: number; precision: number; n: number }>();

for (const judged of queries) {
  const [vector] = await embedder.embed([judged.query]);
  const query = vector as Float32Array;
  for (const mode of modes) {
    let ids: number[];
    if (mode === "dense (seed design)" || mode === "dense (Marquee text)") {
      const collection = mode === "dense (seed design)" ? seed : main;
      ids = (await queryMovies(collection, query, CANDIDATES)).slice(0, K).map((h) => h.movieId);
    } else {
      const retrievers: Retrievers = {
        // Lexical only: the same search with no vector hits to fuse.
        nearest: async (_q, limit, scope) =>
          mode === "hybrid" ? queryMovies(main, query, limit, scope) : [],
        page: (request) => searchPage(pool, request),
        allMatching: (wanted, max) => allMoviesMatching(pool, wanted, max),
        vectorDetails: (missing) => vectorMovieDetails(main, missing),
      };
      const output = await hybridSearch(
        { q: judged.query, limit: K, offset: 0, genres: [] },
        retrievers,
      );
      ids = output.results.map((r) => r.movieId);
    }
    const relevant = ids.map((id) => {
      const m = byId.get(id);
      return m ? judged.relevant({ movieId: id, genres: m.genres, year: m.year }) : false;
    });
    const first = relevant.indexOf(true);
    const key = `${judged.category}\u0000${mode}`;
    const s = scores.get(key) ?? { hits: 0, rr: 0, precision: 0, n: 0 };
    s.n++;
    if (first >= 0) {
      s.hits++;
      s.rr += 1 / (first + 1);
    }
    s.precision += relevant.filter(Boolean).length / K;
    scores.set(key, s);
  }
}

console.log(`\n| category | queries | ${modes.map((m) => `${m} hit@10 / MRR@10`).join(" | ")} |`);
console.log(`|---|---:|${modes.map(() => "---:").join("|")}|`);
for (const category of ["description", "tag", "typo", "genre+decade"] as const) {
  const cells = modes.map((mode) => {
    const s = scores.get(`${category}\u0000${mode}`);
    if (!s) return "-";
    if (category === "genre+decade") return `precision@10 ${(s.precision / s.n).toFixed(2)}`;
    return `${(s.hits / s.n).toFixed(2)} / ${(s.rr / s.n).toFixed(2)}`;
  });
  const n = scores.get(`${category}\u0000hybrid`)?.n ?? 0;
  console.log(`| ${category} | ${n} | ${cells.join(" | ")} |`);
}
await embedder.release();
await pool.end();
