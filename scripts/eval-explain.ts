/**
 * `npm run eval:explain [-- --pairs 300]`: runs the Worker's explainer (under
 * `wrangler dev`, against DATABASE_URL and CHROMA_URL) over (user, movie)
 * pairs, a user's top recommendations, with a fake model that invents titles,
 * ids and facts in about 60% of its answers (scripts/lib/fake-anthropic.ts,
 * mode explain-mixed). Reports how many invented references reached a
 * response (the target is zero), how often a regeneration fixed a draft, how
 * often the deterministic explainer answered, and the helpful rate per source
 * and prompt version from the stored feedback.
 *
 * `--samples N` prints the first N explanations as served, with their source,
 * to read how they sound.
 *
 * It forgets the cached explanations of the pairs it evaluates, so every pair
 * is generated afresh (a development database, not production's).
 */
import { Command } from "commander";
import pg from "pg";
import { mintUserToken } from "../core/auth/user-token.ts";
import { loadConfig } from "../embed-pipeline/src/config.ts";
import { PROMPT_VERSION } from "../workers/services/explain/prompt.ts";
import { fakeAnthropicControl } from "./lib/fake-anthropic-control.ts";
import { startLocalWorker } from "./lib/local-worker.ts";
import { percentiles } from "./lib/percentiles.ts";

const program = new Command("eval:explain")
  .option("--pairs <n>", "(user, movie) pairs", (v) => Number(v), 300)
  .option("--per-user <n>", "recommendations explained per user", (v) => Number(v), 3)
  .option("--samples <n>", "explanations to print as served", (v) => Number(v), 0)
  .action(async (options: { pairs: number; perUser: number; samples: number }) => {
    const config = loadConfig();
    const db = new pg.Client({ connectionString: config.DATABASE_URL });
    await db.connect();
    const worker = await startLocalWorker();
    const fake = fakeAnthropicControl(worker.anthropic);
    try {
      const { rows: users } = await db.query<{ id: number }>(
        `select user_id as id from ratings where rating >= 4 group by user_id
          having count(*) >= 10 order by user_id limit $1`,
        [Math.ceil(options.pairs / options.perUser)],
      );
      const tally = {
        pairs: 0,
        firstTry: 0,
        regenerated: 0,
        fallback: 0,
        inventedDrafts: 0,
        inventedReachedResponse: 0,
        evidenceOutsideLikes: 0,
        failedRequests: 0,
      };
      const leaks: string[] = [];
      const samples: string[] = [];
      const latencies: number[] = [];
      for (const { id: userId } of users) {
        const token = await mintUserToken(userId, worker.jwtSecret, 3_600);
        const headers = { authorization: `Bearer ${token}` };
        const recs = (await (
          await fetch(`${worker.base}/api/recommendations?limit=${options.perUser}`, { headers })
        ).json()) as { results: { movieId: number }[] };
        const { rows: liked } = await db.query<{ movie_id: number }>(
          "select movie_id from ratings where user_id = $1 and rating >= 4",
          [userId],
        );
        const likedIds = new Set(liked.map((r) => r.movie_id));
        for (const { movieId } of recs.results) {
          if (tally.pairs >= options.pairs) break;
          await db.query("delete from ai_explanations where user_id = $1 and movie_id = $2", [
            userId,
            movieId,
          ]);
          await fake.reset();
          await fake.setMode("explain-mixed", { seed: tally.pairs + 1 });
          const started = performance.now();
          const response = await fetch(`${worker.base}/api/recommendations/${movieId}/explain`, {
            headers,
          });
          latencies.push(performance.now() - started);
          tally.pairs++;
          if (!response.ok) {
            tally.failedRequests++;
            continue;
          }
          const body = (await response.json()) as {
            explanation: string;
            evidence: { movieId: number }[];
            source: string;
          };
          if (samples.length < options.samples)
            samples.push(`| ${userId} | ${movieId} | ${body.source} | ${body.explanation} |`);
          const records = await fake.invented();
          const inventedAttempts = records.filter((r) => r.kind !== "valid").length;
          tally.inventedDrafts += inventedAttempts;
          if (body.source === "fallback") tally.fallback++;
          else if (records.length > 1) tally.regenerated++;
          else tally.firstTry++;
          const text = JSON.stringify(body);
          for (const r of records) {
            for (const item of [...r.titles, ...r.facts, ...r.ids.map(String)]) {
              const shown =
                typeof item === "string" && /^\d+$/.test(item)
                  ? body.evidence.some((e) => String(e.movieId) === item)
                  : body.explanation.includes(item) || text.includes(`"${item}"`);
              if (shown) {
                tally.inventedReachedResponse++;
                leaks.push(`user ${userId}, movie ${movieId}: "${item}" (${r.kind})`);
              }
            }
          }
          tally.evidenceOutsideLikes += body.evidence.filter(
            (e) => !likedIds.has(e.movieId),
          ).length;
        }
        if (tally.pairs >= options.pairs) break;
      }
      const pct = (n: number) => `${((100 * n) / Math.max(1, tally.pairs)).toFixed(1)}%`;
      const [p50, p95] = percentiles(latencies, [0.5, 0.95]).map((v) => v.toFixed(0));
      console.log(
        `\n${tally.pairs} (user, movie) pairs, prompt ${PROMPT_VERSION}, fake model explain-mixed`,
      );
      console.log(`| measure | count | share of pairs |`);
      console.log(`| --- | --- | --- |`);
      console.log(
        `| drafts with an invented title, id or fact (caught by the checks) | ${tally.inventedDrafts} | |`,
      );
      console.log(
        `| invented references that reached a response | ${tally.inventedReachedResponse} | ${pct(tally.inventedReachedResponse)} |`,
      );
      console.log(
        `| evidence outside the user's 4+ ratings | ${tally.evidenceOutsideLikes} | ${pct(tally.evidenceOutsideLikes)} |`,
      );
      console.log(`| Claude, first draft accepted | ${tally.firstTry} | ${pct(tally.firstTry)} |`);
      console.log(
        `| Claude, accepted after one regeneration | ${tally.regenerated} | ${pct(tally.regenerated)} |`,
      );
      console.log(`| deterministic fallback | ${tally.fallback} | ${pct(tally.fallback)} |`);
      console.log(`| failed requests | ${tally.failedRequests} | ${pct(tally.failedRequests)} |`);
      console.log(
        `latency per uncached explanation (client, fake model instant): p50 ${p50} ms, p95 ${p95} ms`,
      );
      for (const leak of leaks.slice(0, 20)) console.log(`LEAK ${leak}`);
      if (samples.length > 0) {
        console.log("\n| user | movie | source | explanation |\n| --- | --- | --- | --- |");
        for (const sample of samples) console.log(sample);
      }

      const stats = (await (
        await fetch(`${worker.base}/api/admin/explanations/stats`, {
          headers: { authorization: `Bearer ${worker.adminToken}` },
        })
      ).json()) as { rows: Record<string, unknown>[] };
      console.log("\nhelpful rate by source and prompt version (stored feedback, all time):");
      console.log("| source | prompt | explanations | verdicts | helpful rate |");
      console.log("| --- | --- | --- | --- | --- |");
      for (const r of stats.rows)
        console.log(
          `| ${r.source} | ${r.promptVersion} | ${r.explanations} | ${r.verdicts} | ${r.helpfulRate ?? "no verdicts yet"} |`,
        );
      if (tally.inventedReachedResponse > 0) process.exitCode = 1;
    } finally {
      await worker.stop();
      await db.end();
    }
  });

await program.parseAsync();
