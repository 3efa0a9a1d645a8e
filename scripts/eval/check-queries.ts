/**
 * `npx tsx scripts/eval/check-queries.ts`: checks scripts/eval/search-queries.json
 * against the catalog in DATABASE_URL: every id exists, and every paraphrase's
 * words shared with its film's title and overview (distinctive ones must be none).
 */
import pg from "pg";
import { lexemeFilmCounts, sharedLexemes } from "./lexemes.ts";
import { loadJudgedQueries } from "./search-queries.ts";

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });
const judged = loadJudgedQueries();
const frequency = await lexemeFilmCounts(pool);
const title = async (id: number) =>
  ((await pool.query("select title, year from movies where id = $1", [id])).rows[0] as
    | { title: string; year: number }
    | undefined) ?? null;
let problems = 0;
let distinctive = 0;
let common = 0;
for (const p of [...judged.paraphrases, ...judged.memory]) {
  const movie = await title(p.movieId);
  if (!movie) {
    console.log(`MISSING movie ${p.movieId} for "${p.query}"`);
    problems++;
    continue;
  }
  const shared = await sharedLexemes(pool, p.query, p.movieId, frequency);
  distinctive += shared.distinctive.length;
  common += shared.common.length;
  const flag = shared.distinctive.length ? "DISTINCTIVE" : "ok";
  console.log(
    `${flag.padEnd(11)} ${movie.title} (${movie.year}) <- "${p.query}"  shared: [${shared.distinctive.join(", ")}] common: [${shared.common.join(", ")}]`,
  );
  if (shared.distinctive.length) problems++;
}
for (const l of judged.like) {
  const movie = await title(l.reference);
  if (!movie) {
    console.log(`MISSING reference ${l.reference} for "${l.query}"`);
    problems++;
  } else console.log(`like        ${movie.title} (${movie.year}) <- "${l.query}"`);
}
for (const v of judged.vibes) console.log(`vibe        [${v.genres.join("|")}] <- "${v.query}"`);
console.log(
  `\n${judged.paraphrases.length} paraphrases and ${judged.memory.length} recalled (${distinctive} distinctive and ${common} common words shared in all), ${judged.like.length} like, ${judged.vibes.length} vibes; ${problems} problems`,
);
await pool.end();
process.exitCode = problems ? 1 : 0;
