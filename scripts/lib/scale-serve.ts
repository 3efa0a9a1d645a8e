/**
 * What a user waits for at one bench:scale catalog size: `wrangler dev`
 * against that catalog's database and Chroma server, then
 *  - search: SAMPLE_QUERIES from 4 loops at once, server-side time (tookMs),
 *    as bench:search measures it (no Claude re-rank);
 *  - recommendations: GET /api/recommendations one at a time for the user
 *    with the most ratings (the heaviest read), Server-Timing total;
 *  - a cached explanation: GET /api/recommendations/:id/explain for that
 *    user's first recommendations once (written), then read from the cache
 *    one at a time, Server-Timing total.
 */
import pg from "pg";
import { mintUserToken } from "../../core/auth/user-token.ts";
import { drive } from "./drive.ts";
import { httpGet } from "./http-get.ts";
import { startLocalWorker } from "./local-worker.ts";
import { percentiles } from "./percentiles.ts";
import { SAMPLE_QUERIES } from "./sample-queries.ts";
import { serverTiming } from "./server-timing.ts";

export interface Latency {
  p50: number;
  p95: number;
  count: number;
}

export interface ServingResult {
  search: Latency & {
    errors: number;
    /** p50 of each stage the Worker times (embed, vector, lexical, ...). */
    stages: Record<string, number>;
    /** The slowest queries by their median, slowest first. */
    slowest: { query: string; p50: number }[];
  };
  recommendations: Latency & { userId: number; ratings: number };
  explainCached: Latency;
}

const latency = (values: number[]): Latency => {
  const [p50 = Number.NaN, p95 = Number.NaN] = percentiles(values, [0.5, 0.95]);
  return { p50, p95, count: values.length };
};

export async function measureServing(
  databaseUrl: string,
  chromaUrl: string,
  options: { seconds: number; requests: number },
): Promise<ServingResult> {
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  const [heavy] = (
    await db.query<{ user_id: number; n: number }>(
      "select user_id, count(*)::int as n from ratings group by user_id order by n desc, user_id limit 1",
    )
  ).rows;
  await db.end();
  if (!heavy) throw new Error("the catalog has no ratings");

  const worker = await startLocalWorker(
    { DATABASE_URL: databaseUrl, CHROMA_URL: chromaUrl, ANTHROPIC_API_KEY: "" },
    { args: ["--log-level", "warn"], inspector: false },
  );
  try {
    let stages: Record<string, number[]> = {};
    let byQuery = new Map<string, number[]>();
    const search = async (i: number) => {
      const q = SAMPLE_QUERIES[i % SAMPLE_QUERIES.length] ?? "";
      const response = await httpGet(
        `${worker.base}/api/search?q=${encodeURIComponent(q)}&limit=10`,
      );
      if (response.status !== 200) throw new Error(String(response.status));
      const took = (JSON.parse(response.body) as { tookMs: number }).tookMs;
      for (const [stage, ms] of Object.entries(serverTiming(response))) {
        stages[stage] = [...(stages[stage] ?? []), ms];
      }
      byQuery.set(q, [...(byQuery.get(q) ?? []), took]);
      return took;
    };
    await drive(5, 4, search); // warm-up: the model loaded, every query embedded once
    [stages, byQuery] = [{}, new Map()];
    const searched = await drive(options.seconds, 4, search);
    const median = (values: number[]) => percentiles(values, [0.5])[0] ?? Number.NaN;

    const headers = {
      authorization: `Bearer ${await mintUserToken(heavy.user_id, worker.jwtSecret, 3_600)}`,
    };
    const timedGet = async (path: string) => {
      const response = await fetch(`${worker.base}${path}`, { headers });
      const body = await response.text();
      if (response.status !== 200) throw new Error(`${path}: ${response.status} ${body}`);
      return { total: serverTiming(response).total ?? Number.NaN, body };
    };
    const first = JSON.parse((await timedGet("/api/recommendations")).body) as {
      results: { movieId: number }[];
      degraded: string[];
    };
    if (first.degraded.length > 0) throw new Error(`recommendations degraded: ${first.degraded}`);
    const recs: number[] = [];
    for (let i = 0; i < options.requests; i++) {
      recs.push((await timedGet("/api/recommendations")).total);
    }
    const ids = first.results.slice(0, 10).map((r) => r.movieId);
    for (const id of ids) await timedGet(`/api/recommendations/${id}/explain`);
    const cached: number[] = [];
    for (let i = 0; i < options.requests; i++) {
      const { total, body } = await timedGet(`/api/recommendations/${ids[i % ids.length]}/explain`);
      if ((JSON.parse(body) as { source: string }).source !== "cache") {
        throw new Error("an explanation written a moment ago did not come from the cache");
      }
      cached.push(total);
    }
    return {
      search: {
        ...latency(searched.server),
        errors: searched.errors,
        stages: Object.fromEntries(Object.entries(stages).map(([k, v]) => [k, median(v)])),
        slowest: [...byQuery]
          .map(([query, values]) => ({ query, p50: median(values) }))
          .sort((a, b) => b.p50 - a.p50)
          .slice(0, 5),
      },
      recommendations: { ...latency(recs), userId: heavy.user_id, ratings: heavy.n },
      explainCached: latency(cached),
    };
  } finally {
    await worker.stop();
  }
}
