import type { Collection } from "chromadb";
import type pg from "pg";
import { queryMovies } from "../../core/vector/movies-collection.ts";
import { parseLike } from "../../workers/services/like-query.ts";
import { inferFilters, mergeFilters, passesFilters } from "../../workers/services/query-filters.ts";
import { mulberry32 } from "../lib/random.ts";
import { loadJudgedQueries } from "./search-queries.ts";

/** A vibe's answer counts when this many people rated it: the films people mean by "something funny". */
const VIBE_MIN_RATINGS = 20;
/** A like query's answer counts when it is among this many of the reference's nearest by vector. */
const LIKE_VECTOR_NEIGHBOURS = 50;

export interface MovieRecord {
  id: number;
  title: string;
  year: number | null;
  genres: string[];
  overview: string | null;
  director: string | null;
  topCast: string[];
  tags: string[];
  ratings: number;
}

export type Category =
  | "description"
  | "description (little-known)"
  | "tag"
  | "typo"
  | "genre+decade"
  | "paraphrase"
  | "memory"
  | "like"
  | "vibe";

export interface Judged {
  category: Category;
  query: string;
  relevant: (movie: MovieRecord) => boolean;
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

/** The queries built from the data, as before passage vectors (same seed, same queries). */
export function generatedQueries(movies: MovieRecord[]): Judged[] {
  // Seeded, so the query set is the same every run.
  const rand = mulberry32(20261126);
  const pick = <T>(items: T[], n: number) => [...items].sort(() => rand() - 0.5).slice(0, n);
  const popular = movies.filter((m) => m.ratings >= 40);
  const queries: Judged[] = [];
  const described = (m: MovieRecord) => (m.overview ?? "").length > 80;
  for (const m of pick(popular.filter(described), 40)) {
    queries.push({ category: "description", query: describe(m), relevant: (r) => r.id === m.id });
  }
  for (const m of pick(popular, 40)) {
    queries.push({
      category: "typo",
      query: misspell(m.title, rand),
      relevant: (r) => r.id === m.id,
    });
  }
  const tagged = new Map<string, Set<number>>();
  for (const m of movies)
    for (const t of m.tags) tagged.set(t, (tagged.get(t) ?? new Set()).add(m.id));
  const usefulTags = [...tagged].filter(
    ([tag, ids]) => ids.size >= 4 && ids.size <= 40 && tag.length > 3,
  );
  for (const [tag, ids] of pick(usefulTags, 30)) {
    queries.push({ category: "tag", query: tag, relevant: (r) => ids.has(r.id) });
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
  // The prior's guard: films few people rated, found by their own description.
  const rare = movies.filter((m) => m.ratings >= 3 && m.ratings <= 15 && described(m));
  for (const m of pick(rare, 40)) {
    queries.push({
      category: "description (little-known)",
      query: describe(m),
      relevant: (r) => r.id === m.id,
    });
  }
  return queries;
}

/** The judged queries of search-queries.json, with their judges. */
export async function judgedQueries(
  pool: pg.Pool,
  byId: Map<number, MovieRecord>,
  wholes: Collection,
): Promise<Judged[]> {
  const judged = loadJudgedQueries();
  const queries: Judged[] = [];
  for (const [category, list] of [
    ["paraphrase", judged.paraphrases],
    ["memory", judged.memory],
  ] as const) {
    for (const p of list)
      queries.push({ category, query: p.query, relevant: (r) => r.id === p.movieId });
  }
  for (const l of judged.like) {
    const reference = byId.get(l.reference);
    if (!reference) throw new Error(`like reference ${l.reference} is not in the catalog`);
    const { rows } = await pool.query<{ id: number }>(
      "select neighbor_id as id from movie_neighbors where movie_id = $1",
      [l.reference],
    );
    const got = await wholes.get({ ids: [String(l.reference)], include: ["embeddings"] });
    const near = await queryMovies(wholes, got.embeddings[0] ?? [], LIKE_VECTOR_NEIGHBOURS + 1);
    const neighbours = new Set([...rows.map((r) => r.id), ...near.map((h) => h.movieId)]);
    // The query's other words still filter ("90s comedies like Groundhog Day").
    const filters = mergeFilters({ genres: [] }, inferFilters(parseLike(l.query)?.rest ?? ""));
    queries.push({
      category: "like",
      query: l.query,
      relevant: (r) =>
        r.id !== l.reference &&
        neighbours.has(r.id) &&
        r.genres.some((g) => reference.genres.includes(g)) &&
        passesFilters(r, filters),
    });
  }
  for (const v of judged.vibes) {
    queries.push({
      category: "vibe",
      query: v.query,
      relevant: (r) => r.ratings >= VIBE_MIN_RATINGS && r.genres.some((g) => v.genres.includes(g)),
    });
  }
  return queries;
}

/** The catalog with each movie's rating count, as the judges read it. */
export async function loadMovies(pool: pg.Pool): Promise<MovieRecord[]> {
  const { rows } = await pool.query<MovieRecord>(
    `select m.id, m.title, m.year, m.genres, m.overview, m.director, m.top_cast as "topCast",
            m.tags, coalesce(s.ratings_count, 0)::int as ratings
       from movies m left join movie_stats s on s.movie_id = m.id order by m.id`,
  );
  return rows;
}
