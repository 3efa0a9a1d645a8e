import { sql } from "drizzle-orm";
import { type Database, queryRows } from "../db/connect.ts";
import { buildCatalog } from "./catalog.ts";
import type { RowProblem } from "./csv.ts";
import { type LoadResult, loadCatalog } from "./load.ts";
import { readSources } from "./sources.ts";

export interface IngestReport {
  written: LoadResult;
  problems: RowProblem[];
  totals: {
    movies: number;
    users: number;
    ratings: number;
    withOverview: number;
    withDirector: number;
    withTags: number;
  };
}

/** Reads a data folder, joins it, and loads it into Postgres in one transaction. */
export async function runIngest(db: Database, dataDir: string): Promise<IngestReport> {
  // Everything is read and validated before the first write.
  const sources = readSources(dataDir);
  const catalog = await buildCatalog(sources);
  const written = await loadCatalog(db, catalog);
  const changed = [written.movies, written.ratings].some(
    (c) => c.inserted + c.updated + c.deleted > 0,
  );
  if (changed) {
    // Bulk upserts leave the GIN indexes' pending lists full and the planner's
    // statistics stale: searches then scan every row (measured: 25 ms -> 2 ms).
    await db.execute(sql`vacuum analyze movies, ratings, users`);
  }
  const [totals] = await queryRows<IngestReport["totals"]>(
    db,
    sql`
      select
        (select count(*) from movies)::int as "movies",
        (select count(*) from users)::int as "users",
        (select count(*) from ratings)::int as "ratings",
        (select count(*) from movies where overview is not null)::int as "withOverview",
        (select count(*) from movies where director is not null)::int as "withDirector",
        (select count(*) from movies where cardinality(tags) > 0)::int as "withTags"
    `,
  );
  if (!totals) throw new Error("count query returned no row");
  return { written, problems: catalog.problems, totals };
}

/** The end-of-run summary a person reads. */
export function formatIngestReport(report: IngestReport): string {
  const { written: w, totals: t } = report;
  const counts = (c: LoadResult["movies"]) =>
    `${c.inserted} new, ${c.updated} updated, ${c.unchanged} unchanged, ${c.deleted} deleted`;
  const lines = [
    `movies:  ${t.movies.toLocaleString("en")} (${counts(w.movies)})`,
    `users:   ${t.users.toLocaleString("en")} (${w.users.inserted} new)`,
    `ratings: ${t.ratings.toLocaleString("en")} (${counts(w.ratings)}` +
      `${w.ratings.keptDeleted > 0 ? `, ${w.ratings.keptDeleted} kept deleted as their users deleted them` : ""})`,
    `enrichment: ${t.withOverview.toLocaleString("en")} with an overview (TMDB), ` +
      `${t.withDirector.toLocaleString("en")} with a director (IMDb), ` +
      `${t.withTags.toLocaleString("en")} with user tags`,
  ];
  if (report.problems.length > 0) {
    lines.push(`skipped ${report.problems.length} bad row(s):`);
    for (const p of report.problems.slice(0, 20)) lines.push(`  ${p.file}:${p.line}: ${p.message}`);
    if (report.problems.length > 20) lines.push(`  ... and ${report.problems.length - 20} more`);
  }
  return lines.join("\n");
}
