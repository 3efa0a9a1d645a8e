/**
 * `npm run bench:explain [-- --seconds 20]`: the explainer's own cost under
 * `wrangler dev` against DATABASE_URL and CHROMA_URL, with a fake model that
 * answers instantly (scripts/lib/fake-anthropic.ts).
 *  - cached: a second request for an explanation, served from Postgres;
 *  - uncached: a new explanation; the overhead is the server time minus the
 *    time spent in the Messages API call (both from the Server-Timing header);
 *  - baseline, same run: GET /api/ratings/:id, an authenticated one-row read
 *    through the same Neon driver, the floor of any Postgres-backed request.
 * Targets: cached p50/p95 <= 15 ms server-side; uncached overhead <= 40 ms.
 */
import { Command } from "commander";
import pg from "pg";
import { mintUserToken } from "../core/auth/user-token.ts";
import { loadConfig } from "../embed-pipeline/src/config.ts";
import { fakeAnthropicControl } from "./lib/fake-anthropic-control.ts";
import { startLocalWorker } from "./lib/local-worker.ts";
import { percentiles } from "./lib/percentiles.ts";
import { serverTiming } from "./lib/server-timing.ts";

function stats(values: number[]) {
  const [p50 = Number.NaN, p95 = Number.NaN] = percentiles(values, [0.5, 0.95]);
  return { n: values.length, p50, p95 };
}

const fmt = (s: ReturnType<typeof stats>) =>
  `p50 ${s.p50.toFixed(1)} ms, p95 ${s.p95.toFixed(1)} ms (n=${s.n})`;

const program = new Command("bench:explain")
  .option("--seconds <n>", "seconds per timed phase", (v) => Number(v), 20)
  .option("--uncached <n>", "new explanations to time", (v) => Number(v), 150)
  .option("--user <id>", "explain for this user (default: the median user by likes)", (v) =>
    Number(v),
  )
  .action(async (options: { seconds: number; uncached: number; user?: number }) => {
    const config = loadConfig();
    const db = new pg.Client({ connectionString: config.DATABASE_URL });
    await db.connect();
    const worker = await startLocalWorker();
    const fake = fakeAnthropicControl(worker.anthropic);
    try {
      await fake.setMode("explain-valid");
      // The median user by number of liked movies (or --user): retrieval reads all their likes.
      const [user] = (
        await db.query<{ id: number; likes: number }>(
          `with likes as (select user_id, count(*)::int as n from ratings where rating >= 4 group by user_id)
           select user_id as id, n as likes from likes
            where $1::int is null or user_id = $1
            order by n, user_id offset (case when $1::int is null then (select count(*) / 2 from likes) else 0 end) limit 1`,
          [options.user ?? null],
        )
      ).rows;
      if (!user) throw new Error(`user ${options.user} has no liked movies`);
      const userId = user.id;
      const { rows: targets } = await db.query<{ id: number }>(
        `select m.id from movies m join movie_stats s on s.movie_id = m.id
          where not exists (select 1 from ratings r where r.user_id = $1 and r.movie_id = m.id)
          order by s.likes_count desc, m.id limit $2`,
        [userId, options.uncached + 20],
      );
      const ids = targets.map((t) => t.id);
      await db.query(
        "delete from ai_explanations where user_id = $1 and movie_id = any($2::int[])",
        [userId, ids],
      );
      const headers = {
        authorization: `Bearer ${await mintUserToken(userId, worker.jwtSecret, 3_600)}`,
      };
      const get = (path: string) => fetch(`${worker.base}${path}`, { headers });
      const [rated] = (
        await db.query<{ movie_id: number }>(
          "select movie_id from ratings where user_id = $1 limit 1",
          [userId],
        )
      ).rows;

      // Warm-up: isolate, Chroma collection handle, Postgres.
      for (const id of ids.slice(0, 20))
        await (await get(`/api/recommendations/${id}/explain`)).text();

      const uncachedTotal: number[] = [];
      const overhead: number[] = [];
      const model: number[] = [];
      for (const id of ids.slice(20)) {
        const response = await get(`/api/recommendations/${id}/explain`);
        const body = (await response.json()) as { source: string };
        if (body.source !== "claude")
          throw new Error(`expected a new explanation, got ${body.source}`);
        const t = serverTiming(response);
        uncachedTotal.push(t.total ?? Number.NaN);
        model.push(t.model ?? 0);
        overhead.push((t.total ?? Number.NaN) - (t.model ?? 0));
      }

      const timed = async (path: string, key: string) => {
        const server: number[] = [];
        const client: number[] = [];
        const deadline = performance.now() + options.seconds * 1000;
        let i = 0;
        while (performance.now() < deadline) {
          const started = performance.now();
          const response = await get(path.replace("{id}", String(ids[i++ % ids.length])));
          await response.text();
          client.push(performance.now() - started);
          server.push(serverTiming(response)[key] ?? Number.NaN);
        }
        return { server: stats(server), client: stats(client) };
      };
      const cached = await timed("/api/recommendations/{id}/explain", "total");
      const baseline = await timed(`/api/ratings/${rated?.movie_id ?? 1}`, "total");

      console.log(
        `user ${userId} (${user.likes} movies rated 4+); fake model answering instantly; one request at a time; Postgres: ${worker.postgresRoute}`,
      );
      console.log(
        `cached explanation, server-side:   ${fmt(cached.server)}; client ${fmt(cached.client)}`,
      );
      console.log(
        `baseline GET /api/ratings/:id:     server ${fmt(baseline.server)}; client ${fmt(baseline.client)}`,
      );
      console.log(
        `  cached / baseline (p50): ${(cached.server.p50 / baseline.server.p50).toFixed(2)}x`,
      );
      console.log(`uncached explanation, server-side: ${fmt(stats(uncachedTotal))}`);
      console.log(`  of which the Messages API call:  ${fmt(stats(model))}`);
      console.log(`  overhead on top of the model:    ${fmt(stats(overhead))}`);
    } finally {
      await worker.stop();
      await db.end();
    }
  });

await program.parseAsync();
