import { sha256Hex } from "../../core/catalog-text.ts";
import type { WorkerEnv } from "../env.ts";
import type { Claude } from "./claude.ts";
import type { SearchResult } from "./hybrid-search.ts";
import { ANONYMOUS, reserveModelCalls } from "./model-budget.ts";
import type { Queryable } from "./queryable.ts";
import { applyRanking, rankWithClaude, rerankHead } from "./rerank.ts";

/** How long a re-rank is reused for the same query and candidates. */
const REUSE_SECONDS = 86_400;

/** Why a taste query kept the fused order, for the log; the response says `degraded: ["rerank"]`. */
export type RerankSkipped = "client-limit" | "hourly-budget" | "failed";

export interface RerankOutcome {
  results: SearchResult[];
  /** How the order was made: by Claude now, from an earlier identical re-rank, or not at all. */
  by: "claude" | "reused" | RerankSkipped;
}

/**
 * The Cache API key of a re-rank: the normalised query and the candidates
 * Claude would see, in order. The same search on the same catalog reuses it.
 */
async function reuseKey(query: string, candidates: SearchResult[]): Promise<Request> {
  const normalised = query.toLowerCase().replace(/\s+/g, " ").trim();
  const ids = rerankHead(candidates).map((c) => c.movieId);
  const hash = await sha256Hex(`${normalised}\n${ids.join(",")}`);
  return new Request(`https://rerank.marquee.internal/${hash}`);
}

/**
 * A taste query's re-rank, with the model bill bounded three ways, cheapest
 * first: an identical search (same words, same candidates) reuses the last
 * answer from the Cache API; each client may start at most what
 * RERANK_LIMITER allows (Cloudflare's rate limiting binding, keyed by the
 * client's address); and all clients together at most RERANK_HOURLY_BUDGET
 * calls a clock hour (model_call_budget). Past a limit the page keeps the
 * fused order; the search itself is never refused for it.
 */
export async function guardedRerank(
  query: string,
  results: SearchResult[],
  claude: Claude,
  deps: {
    env: WorkerEnv;
    db: Queryable;
    client: string;
    waitUntil(promise: Promise<unknown>): void;
  },
): Promise<RerankOutcome> {
  const { env } = deps;
  const cache = await caches.open("marquee-rerank");
  const key = await reuseKey(query, results);
  const reused = await cache.match(key);
  if (reused) {
    const ranking = (await reused.json()) as number[];
    return { results: applyRanking(results, ranking), by: "reused" };
  }
  if (env.RERANK_LIMITER) {
    const { success } = await env.RERANK_LIMITER.limit({ key: deps.client });
    if (!success) return { results, by: "client-limit" };
  }
  const reservation = await reserveModelCalls(
    deps.db,
    "rerank",
    ANONYMOUS,
    1,
    env.RERANK_HOURLY_BUDGET,
  );
  if (!reservation.granted) return { results, by: "hourly-budget" };
  let ranking: number[];
  try {
    ranking = await rankWithClaude(query, results, claude, env.RERANK_BUDGET_MS);
  } catch (error) {
    // The call was made (or timed out mid-way): it stays counted.
    console.warn(JSON.stringify({ degraded: "rerank", error: String(error) }));
    return { results, by: "failed" };
  }
  deps.waitUntil(
    cache
      .put(
        key,
        new Response(JSON.stringify(ranking), {
          headers: { "cache-control": `max-age=${REUSE_SECONDS}` },
        }),
      )
      .catch((error: unknown) =>
        console.warn(JSON.stringify({ degraded: "rerank-cache", error: String(error) })),
      ),
  );
  return { results: applyRanking(results, ranking), by: "claude" };
}
