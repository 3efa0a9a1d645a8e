/**
 * `npm run eval:search [-- --baseline <commit>]`: judged queries run through
 * the vector list alone, the text and title lists alone, the hybrid search
 * of a fixed earlier commit (default 1aa379f, before passage vectors) and
 * today's hybrid search, printing hit@10 and MRR@10 per category in one run.
 *
 * Categories: queries built from the data itself (description: an
 * overview's first sentence without names or title words, for well-known
 * and for little-known films; tag; typo; genre+decade), and the judged
 * queries of scripts/eval/search-queries.json written the way people
 * describe films (paraphrase, memory, like, vibe; search-queries.ts says
 * what each is and how it is judged). The paraphrases' words shared with
 * their film's title and overview are counted and printed.
 *
 * Needs the catalog in DATABASE_URL and its vectors in CHROMA_URL (`npm
 * start` with DATABASE_URL set, or the pipeline), and git for the baseline:
 * its search code is read from the commit, its Postgres function installed
 * in a schema of its own, and its one-pass whole-text vectors built once into
 * a collection of their own.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import type { Collection } from "chromadb";
import { Command } from "commander";
import pg from "pg";
import { buildEmbeddingText } from "../core/catalog-text.ts";
import { MODEL_FILES } from "../core/embedding/model.ts";
import {
  chromaClient,
  movieMetadata,
  moviesCollection,
  queryMovies,
  vectorMovieDetails,
} from "../core/vector/movies-collection.ts";
import { passagesCollection } from "../core/vector/passages.ts";
import { loadConfig } from "../embed-pipeline/src/config.ts";
import { OnnxEmbedder } from "../embed-pipeline/src/embed/embedder.ts";
import { hybridSearch } from "../workers/services/hybrid-search.ts";
import { generatedQueries, judgedQueries, loadMovies, type MovieRecord } from "./eval/judged.ts";
import { lexemeFilmCounts, sharedLexemes } from "./eval/lexemes.ts";
import { type Lists, nodeRetrievers } from "./eval/retrievers.ts";
import { loadJudgedQueries } from "./eval/search-queries.ts";

const K = 10;

/** The one-pass whole-text vectors the baseline searched, built once into their own collection. */
async function baselineVectors(
  movies: MovieRecord[],
  chromaUrl: string,
  modelsDir: string,
  commit: string,
): Promise<Collection> {
  const name = `movies_baseline_${commit}`;
  const collection = await chromaClient(chromaUrl).getOrCreateCollection({
    name,
    configuration: { hnsw: { space: "cosine" } },
    embeddingFunction: null,
  });
  if ((await collection.count()) === movies.length) return collection;
  console.log(`building ${name}: ${movies.length} whole texts, one pass each, as ${commit} did`);
  // The pipeline embedded with the fp32 file by default.
  const embedder = await OnnxEmbedder.create({ modelsDir, variant: "fp32", device: "cpu" });
  for (let i = 0; i < movies.length; i += 256) {
    const chunk = movies.slice(i, i + 256);
    const vectors = await embedder.embed(chunk.map(buildEmbeddingText));
    await collection.upsert({
      ids: chunk.map((m) => String(m.id)),
      embeddings: vectors.map((v) => Array.from(v)),
      metadatas: chunk.map((m) => movieMetadata(m, "", embedder.model)),
    });
  }
  await embedder.release();
  return collection;
}

/** The baseline's search code from `commit`, and its Postgres function in a schema of its own. */
async function baselineSearch(commit: string, databaseUrl: string) {
  const root = path.resolve(import.meta.dirname, "..");
  const dir = path.join(root, ".scratch", `baseline-${commit}`);
  if (!existsSync(path.join(dir, "workers/services/hybrid-search.ts"))) {
    mkdirSync(dir, { recursive: true });
    const archive = execFileSync("git", ["archive", commit, "workers", "core"], { cwd: root });
    execFileSync("tar", ["-x", "-C", dir], { input: archive });
  }
  const schema = `marquee_baseline_${commit}`;
  const sql = execFileSync("git", ["show", `${commit}:migrations/0005_search_functions.sql`], {
    cwd: root,
  }).toString();
  const setup = new pg.Client({ connectionString: databaseUrl });
  await setup.connect();
  await setup.query(`create schema if not exists ${schema}`);
  await setup.query(`set search_path = ${schema}, public`);
  for (const statement of sql.split("--> statement-breakpoint")) await setup.query(statement);
  await setup.end();
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    options: `-c search_path=${schema},public`,
  });
  const hybrid = (await import(path.join(dir, "workers/services/hybrid-search.ts"))) as {
    hybridSearch: (
      input: unknown,
      retrievers: unknown,
    ) => Promise<{ results: { movieId: number }[] }>;
  };
  const page = (await import(path.join(dir, "workers/services/search-page.ts"))) as {
    searchPage: (pool: pg.Pool, request: unknown) => Promise<unknown>;
    allMoviesMatching: (pool: pg.Pool, filters: unknown, max: number) => Promise<unknown>;
  };
  return { pool, hybridSearch: hybrid.hybridSearch, ...page };
}

const program = new Command("eval:search")
  .option("--baseline <commit>", "the earlier commit to compare with", "1aa379f")
  .action(async (options: { baseline: string }) => {
    const config = loadConfig();
    if (!config.DATABASE_URL)
      throw new Error("set DATABASE_URL to the database the pipeline loaded");
    const pool = new pg.Pool({ connectionString: config.DATABASE_URL });
    const movies = await loadMovies(pool);
    const byId = new Map(movies.map((m) => [m.id, m]));
    const client = chromaClient(config.CHROMA_URL, config.CHROMA_TOKEN);
    const stores = {
      movies: await moviesCollection(client),
      passages: await passagesCollection(client),
    };
    const embedder = await OnnxEmbedder.create({
      modelsDir: config.MODELS_DIR,
      variant: "int8",
      device: "cpu",
    });
    const queries = [
      ...generatedQueries(movies),
      ...(await judgedQueries(pool, byId, stores.movies)),
    ];

    // How far the paraphrases stay from their films' own words.
    const frequency = await lexemeFilmCounts(pool);
    let distinctive = 0;
    let common = 0;
    const judged = loadJudgedQueries();
    for (const p of [...judged.paraphrases, ...judged.memory]) {
      const shared = await sharedLexemes(pool, p.query, p.movieId, frequency);
      distinctive += shared.distinctive.length;
      common += shared.common.length;
    }
    console.log(
      `${queries.length} judged queries over ${movies.length} movies (model file for queries: ${MODEL_FILES.int8}); ` +
        `the ${judged.paraphrases.length + judged.memory.length} paraphrase and memory queries share ${distinctive} distinctive and ${common} common words with their films' titles and overviews`,
    );

    const baseline = await baselineSearch(options.baseline, config.DATABASE_URL);
    const baselineWholes = await baselineVectors(
      movies,
      config.CHROMA_URL,
      config.MODELS_DIR,
      options.baseline,
    );
    const modes = ["dense", "lexical", `hybrid (${options.baseline})`, "hybrid"] as const;
    type Mode = (typeof modes)[number];
    const search = async (mode: Mode, q: string): Promise<number[]> => {
      const input = { q, limit: K, offset: 0, genres: [] };
      if (mode === `hybrid (${options.baseline})`) {
        const vector = (await embedder.embed([q]))[0] as Float32Array;
        const output = await baseline.hybridSearch(input, {
          nearest: (_q: string, limit: number, scope?: object) =>
            queryMovies(baselineWholes, vector, limit, scope),
          page: (request: unknown) => baseline.searchPage(baseline.pool, request),
          allMatching: (filters: unknown, max: number) =>
            baseline.allMoviesMatching(baseline.pool, filters, max),
          vectorDetails: (ids: number[]) => vectorMovieDetails(baselineWholes, ids),
        });
        return output.results.map((r) => r.movieId);
      }
      const lists: Lists = mode === "dense" || mode === "lexical" ? mode : "all";
      const output = await hybridSearch(input, nodeRetrievers(pool, stores, embedder, lists));
      return output.results.map((r) => r.movieId);
    };

    const scores = new Map<string, { hits: number; rr: number; precision: number; n: number }>();
    for (const query of queries) {
      for (const mode of modes) {
        const ids = await search(mode, query.query);
        const relevant = ids.map((id) => {
          const movie = byId.get(id);
          return movie ? query.relevant(movie) : false;
        });
        const first = relevant.indexOf(true);
        const key = `${query.category}\u0000${mode}`;
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

    console.log(
      `\n| category | queries | ${modes.map((m) => `${m} hit@10 / MRR@10`).join(" | ")} |`,
    );
    console.log(`|---|---:|${modes.map(() => "---:").join("|")}|`);
    const categories = [...new Set(queries.map((q) => q.category))];
    for (const category of categories) {
      const cells = modes.map((mode) => {
        const s = scores.get(`${category}\u0000${mode}`);
        if (!s) return "-";
        const precision = `precision@10 ${(s.precision / s.n).toFixed(2)}`;
        if (category === "genre+decade") return precision;
        const hits = `${(s.hits / s.n).toFixed(2)} / ${(s.rr / s.n).toFixed(2)}`;
        return category === "vibe" || category === "like" ? `${hits}, ${precision}` : hits;
      });
      const n = scores.get(`${category}\u0000hybrid`)?.n ?? 0;
      console.log(`| ${category} | ${n} | ${cells.join(" | ")} |`);
    }
    await embedder.release();
    await baseline.pool.end();
    await pool.end();
  });

await program.parseAsync();
