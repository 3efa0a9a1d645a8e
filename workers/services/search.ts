import { modelLabel } from "../../core/embedding/model.ts";
import { denseSearch, movieVector, vectorDetails } from "./dense-search.ts";
import { cachedEmbedding } from "./embedding-cache.ts";
import {
  hybridSearch,
  type Retrievers,
  type SearchInput,
  type SearchOutput,
} from "./hybrid-search.ts";
import { likeVector } from "./like-query.ts";
import { queryEmbedder } from "./query-embedder.ts";
import type { Services } from "./request-services.ts";
import { isTasteQuery } from "./rerank.ts";
import { guardedRerank } from "./rerank-guard.ts";
import { allMoviesMatching, resolveTitle, searchPage } from "./search-page.ts";
import { timed } from "./timed.ts";

/** Past this, a slow dependency is treated as down for this request. */
const VECTOR_BUDGET_MS = 1_500;

interface Runtime {
  services: Services;
  timings: Record<string, number>;
  /** Who is asking, for per-client limits: the client's address at Cloudflare's edge. */
  client: string;
  waitUntil(promise: Promise<unknown>): void;
}

/** Rejects when `promise` takes longer than `ms`; the timer never outlives the race. */
async function withBudget<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took over ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, expired]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The Worker's search: retrievers backed by Chroma, Postgres (one-shot
 * queries over Neon's HTTP endpoint) and the in-Worker embedder.
 */
export async function searchMovies(input: SearchInput, rt: Runtime): Promise<SearchOutput> {
  const { env, sql: postgres } = rt.services;
  // Embedded once per request, even when a narrow filter makes the search ask
  // Chroma twice: a search embeds one text, its query or a like query's other words.
  let embedding: Promise<Float32Array> | undefined;
  const embed = (query: string) => {
    embedding ??= timed(rt.timings, "embed", async () => {
      const { vector } = await cachedEmbedding(
        modelLabel("int8"),
        query,
        () => queryEmbedder(env.MODELS, env.MODEL_PREFIX),
        rt.waitUntil,
      );
      return vector;
    });
    return embedding;
  };
  const retrievers: Retrievers = {
    nearest: async (query, limit, scope) => {
      const vector = await embed(query);
      return withBudget(denseSearch(rt.services, vector, limit, scope), VECTOR_BUDGET_MS, "Chroma");
    },
    similar: async (reference, words, limit) => {
      const [whole, towards] = await Promise.all([
        withBudget(movieVector(rt.services, reference), VECTOR_BUDGET_MS, "Chroma"),
        words ? embed(words) : undefined,
      ]);
      if (!whole) throw new Error(`Chroma has no vector for movie ${reference}`);
      return withBudget(
        denseSearch(rt.services, likeVector(whole, towards), limit),
        VECTOR_BUDGET_MS,
        "Chroma",
      );
    },
    resolveTitle: (title) => resolveTitle(postgres, title),
    page: (request) => searchPage(postgres, request),
    allMatching: (filters, max) => allMoviesMatching(postgres, filters, max),
    vectorDetails: (ids) => withBudget(vectorDetails(rt.services, ids), VECTOR_BUDGET_MS, "Chroma"),
  };
  const output = await hybridSearch(input, retrievers, rt.timings);
  const { claude } = rt.services;
  if (claude && isTasteQuery(input.q) && output.results.length > 1) {
    // Only the page's own order changes, so paging stays stable.
    try {
      const outcome = await timed(rt.timings, "rerank", () =>
        guardedRerank(input.q, output.results, claude, {
          env,
          db: postgres,
          client: rt.client,
          waitUntil: rt.waitUntil,
        }),
      );
      output.results = outcome.results;
      if (outcome.by === "claude" || outcome.by === "reused") output.reranked = true;
      else {
        output.degraded.push("rerank");
        if (outcome.by !== "failed")
          console.warn(JSON.stringify({ degraded: "rerank", reason: outcome.by }));
      }
    } catch (error) {
      // The budget could not be read (Postgres) or the cache failed: keep the fused order.
      output.degraded.push("rerank");
      console.warn(JSON.stringify({ degraded: "rerank", error: String(error) }));
    }
  }
  return output;
}
