import { modelLabel } from "../../core/embedding/model.ts";
import type { WorkerEnv } from "../env.ts";
import { denseSearch } from "./dense-search.ts";
import { cachedEmbedding } from "./embedding-cache.ts";
import {
  hybridSearch,
  type Retrievers,
  type SearchInput,
  type SearchOutput,
  timed,
} from "./hybrid-search.ts";
import { lexicalSearch, moviesByIds } from "./lexical-search.ts";
import { openPool } from "./postgres.ts";
import { queryEmbedder } from "./query-embedder.ts";

/** Candidates taken from each retriever before fusion. */
const CANDIDATES = 50;
/** Past this, a slow dependency is treated as down for this request. */
const VECTOR_BUDGET_MS = 1_500;

interface Runtime {
  env: WorkerEnv;
  timings: Record<string, number>;
  waitUntil(promise: Promise<unknown>): void;
}

function withBudget<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([
    promise,
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`${what} took over ${ms} ms`)), ms),
    ),
  ]);
}

/**
 * The Worker's search: retrievers backed by Chroma, Postgres (through the
 * Neon driver, one pool per request) and the in-Worker embedder.
 */
export async function searchMovies(input: SearchInput, rt: Runtime): Promise<SearchOutput> {
  const pool = openPool(rt.env);
  const retrievers: Retrievers = {
    dense: async (query, filters) => {
      const { vector } = await timed(rt.timings, "embed", () =>
        cachedEmbedding(
          modelLabel("int8"),
          query,
          () => queryEmbedder(rt.env.MODELS, rt.env.MODEL_PREFIX),
          rt.waitUntil,
        ),
      );
      return withBudget(
        denseSearch(rt.env, vector, filters, CANDIDATES),
        VECTOR_BUDGET_MS,
        "Chroma",
      );
    },
    lexical: (query, filters, titleFilters) =>
      lexicalSearch(pool, query, filters, titleFilters, CANDIDATES),
    overviews: (ids) => moviesByIds(pool, ids),
  };
  try {
    return await hybridSearch(input, retrievers, rt.timings);
  } finally {
    rt.waitUntil(pool.end().catch(() => {}));
  }
}
