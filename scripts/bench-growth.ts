/**
 * `npm run bench:growth [-- --films 5]`: how soon a film added through the
 * API is searchable, end to end under `wrangler dev` (its local Queues run
 * the embed queue and its consumer as Cloudflare does), against
 * DATABASE_URL (or the embedded database) and the local Chroma.
 *
 * For each of N new films (ids above the catalog's, fields recombined from
 * real films: one film's overview, another's people, a made-up title), it
 * times from the PUT's response to the first search that finds the film by
 * its title (lexical) and to the first that finds it by a description of
 * its plot (the overview's second half, matched by the vector side), and
 * from the DELETE to when neither finds it. Target: searchable within 60 s.
 * The films are deleted at the end.
 */
import { Command } from "commander";
import pg from "pg";
import { loadConfig } from "../embed-pipeline/src/config.ts";
import { startLocalWorker } from "./lib/local-worker.ts";
import { percentiles } from "./lib/percentiles.ts";

const POLL_MS = 250;
const GIVE_UP_MS = 120_000;
const FIRST_ID = 9_000_001;

interface Film {
  id: number;
  title: string;
  description: string;
  body: Record<string, unknown>;
}

const program = new Command("bench:growth")
  .option("--films <n>", "films to add, one at a time", (v) => Number(v), 5)
  .action(async (options: { films: number }) => {
    const config = loadConfig();
    const db = new pg.Client({ connectionString: config.DATABASE_URL });
    await db.connect();
    const worker = await startLocalWorker();
    const admin = { authorization: `Bearer ${worker.adminToken}` };
    const films: Film[] = [];
    try {
      const { rows } = await db.query<{
        overview: string;
        genres: string[];
        director: string | null;
        top_cast: string[];
      }>(
        `select overview, genres, director, top_cast from movies
          where length(overview) between 300 and 600 order by id limit $1`,
        [options.films * 2],
      );
      for (let i = 0; i < options.films; i++) {
        const plot = rows[2 * i];
        const people = rows[2 * i + 1];
        if (!plot || !people) throw new Error("the catalog has too few overviews");
        const title = `Marquee Growth Test ${i + 1} ${crypto.randomUUID().slice(0, 8)}`;
        const half = plot.overview.slice(Math.floor(plot.overview.length / 2));
        films.push({
          id: FIRST_ID + i,
          title,
          description: half.slice(half.indexOf(" ") + 1, half.indexOf(" ") + 160),
          body: {
            title,
            year: 2026,
            genres: plot.genres,
            overview: plot.overview,
            director: people.director,
            topCast: people.top_cast,
          },
        });
      }

      const found = async (q: string, id: number, by: "title" | "vector") => {
        const response = await fetch(
          `${worker.base}/api/search?q=${encodeURIComponent(q)}&limit=20`,
        );
        const body = (await response.json()) as {
          results: { movieId: number; matchedBy: string[] }[];
        };
        return body.results.some((r) => r.movieId === id && r.matchedBy.includes(by));
      };
      const until = async (condition: () => Promise<boolean>, since: number) => {
        while (!(await condition())) {
          if (performance.now() - since > GIVE_UP_MS) return Number.NaN;
          await new Promise((resolve) => setTimeout(resolve, POLL_MS));
        }
        return (performance.now() - since) / 1000;
      };

      const lexical: number[] = [];
      const dense: number[] = [];
      const removed: number[] = [];
      console.log("| film | PUT ms | by title (s) | by description (s) | gone after DELETE (s) |");
      console.log("| --- | --- | --- | --- | --- |");
      for (const film of films) {
        const put = performance.now();
        const response = await fetch(`${worker.base}/api/admin/movies/${film.id}`, {
          method: "PUT",
          headers: { ...admin, "content-type": "application/json" },
          body: JSON.stringify(film.body),
        });
        if (response.status !== 202)
          throw new Error(`PUT ${film.id}: ${response.status} ${await response.text()}`);
        const putMs = performance.now() - put;
        const since = performance.now();
        const [byTitle, byDescription] = await Promise.all([
          until(() => found(film.title, film.id, "title"), since),
          until(() => found(film.description, film.id, "vector"), since),
        ]);
        lexical.push(byTitle);
        dense.push(byDescription);
        const deleted = performance.now();
        const gone = await fetch(`${worker.base}/api/admin/movies/${film.id}`, {
          method: "DELETE",
          headers: admin,
        });
        if (gone.status !== 202) throw new Error(`DELETE ${film.id}: ${gone.status}`);
        const after = await until(
          async () =>
            !(await found(film.title, film.id, "title")) &&
            !(await found(film.description, film.id, "vector")),
          deleted,
        );
        removed.push(after);
        console.log(
          `| ${film.id} | ${putMs.toFixed(0)} | ${byTitle.toFixed(2)} | ${byDescription.toFixed(2)} | ${after.toFixed(2)} |`,
        );
      }
      const median = (values: number[]) => (percentiles(values, [0.5])[0] ?? Number.NaN).toFixed(2);
      const worst = (values: number[]) => Math.max(...values).toFixed(2);
      console.log(
        `\nsearchable by title: median ${median(lexical)} s, worst ${worst(lexical)} s; by description: median ${median(dense)} s, worst ${worst(dense)} s (target <= 60 s); gone after DELETE: median ${median(removed)} s`,
      );
      const stats = await (
        await fetch(`${worker.base}/api/admin/embed/stats`, { headers: admin })
      ).json();
      console.log(`embed jobs: ${JSON.stringify(stats)}`);
      if (dense.some((s) => !(s <= 60)) || lexical.some((s) => !(s <= 60))) process.exitCode = 1;
    } finally {
      for (const film of films)
        await db.query("delete from movies where id = $1", [film.id]).catch(() => {});
      await db.query("delete from embed_jobs where movie_id >= $1", [FIRST_ID]).catch(() => {});
      await worker.stop();
      await db.end();
    }
  });

await program.parseAsync();
