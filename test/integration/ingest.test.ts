import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { eq, sql } from "drizzle-orm";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { movies, ratings, users } from "../../core/db/schema.ts";
import { type Connection, connect, queryRows } from "../../embed-pipeline/src/db/connect.ts";
import { withForeignKeysAfter } from "../../embed-pipeline/src/db/constraints.ts";
import { startEmbeddedPostgres } from "../../embed-pipeline/src/db/embedded-postgres.ts";
import { migrate } from "../../embed-pipeline/src/db/migrate.ts";
import { loadCatalog } from "../../embed-pipeline/src/ingest/load.ts";
import { formatIngestReport, runIngest } from "../../embed-pipeline/src/ingest/run-ingest.ts";
import { SOURCE_FILES } from "../../embed-pipeline/src/ingest/sources.ts";
import { subsetDataDir, writeDataFile } from "../helpers/data-dir.ts";
import { createScratchDatabase } from "../helpers/databases.ts";

/** Runs `test` against a migrated scratch database of its own, dropped after. */
async function inMigratedScratch(test: (connection: Connection) => Promise<void>): Promise<void> {
  const scratch = await createScratchDatabase(inject("postgresUrl"));
  const connection = await connect({ databaseUrl: scratch.url });
  try {
    await migrate(connection);
    await test(connection);
  } finally {
    await connection.close();
    await scratch.drop();
  }
}

describe("ingest into the real Postgres", () => {
  let scratch: Awaited<ReturnType<typeof createScratchDatabase>>;
  let connection: Connection;

  beforeAll(async () => {
    scratch = await createScratchDatabase(inject("postgresUrl"));
    connection = await connect({ databaseUrl: scratch.url });
    await migrate(connection);
  });
  afterAll(async () => {
    await connection?.close();
    await scratch?.drop();
  });

  it("loads the whole of ../shared/data with the documented counts", async () => {
    const report = await runIngest(connection, inject("dataDir"));
    expect(report.totals).toEqual({
      movies: 9742,
      users: 610,
      ratings: 100836,
      withOverview: 5851, // 5,852 MovieLens movies link to a TMDB row; one has an empty overview
      withDirector: expect.any(Number),
      withTags: 1572,
    });
    expect(report.totals.withDirector).toBeGreaterThan(800);
    expect(report.written.movies).toEqual({ inserted: 9742, updated: 0, unchanged: 0, deleted: 0 });
    expect(report.problems).toEqual([]);
    const [matrix] = await connection.db.select().from(movies).where(eq(movies.id, 2571));
    expect(matrix).toMatchObject({ title: "The Matrix", year: 1999, director: "Lana Wachowski" });
  });

  it("changes nothing when run twice", async () => {
    const before = await queryRows(connection.db, sql`select max(updated_at) as t from movies`);
    const report = await runIngest(connection, inject("dataDir"));
    expect(report.written.movies).toEqual({ inserted: 0, updated: 0, unchanged: 9742, deleted: 0 });
    expect(report.written.ratings).toEqual({
      inserted: 0,
      updated: 0,
      unchanged: 100836,
      deleted: 0,
      keptDeleted: 0,
    });
    expect(report.written.users.inserted).toBe(0);
    const after = await queryRows(connection.db, sql`select max(updated_at) as t from movies`);
    expect(after).toEqual(before);
  });

  it("updates changed rows, removes gone movies and marks the rater's explanations stale", async () => {
    const dir = subsetDataDir(inject("dataDir"), 50);
    const file = path.join(dir, SOURCE_FILES.ratings);
    const lines = readFileSync(file, "utf8").trimEnd().split("\n");
    const [userId, movieId, rating] = (lines[1] ?? "").split(",");
    lines[1] = [userId, movieId, rating === "5.0" ? "1.0" : "5.0", "1700000000"].join(",");
    writeDataFile(dir, "ratings", `${lines.join("\n")}\n`);
    const [before] = await connection.db
      .select()
      .from(users)
      .where(eq(users.id, Number(userId)));

    const report = await runIngest(connection, dir);
    expect(report.written.movies.deleted).toBe(9742 - 50);
    expect(report.written.movies.unchanged).toBe(50);
    expect(report.written.ratings.updated).toBe(1);
    const [after] = await connection.db
      .select()
      .from(users)
      .where(eq(users.id, Number(userId)));
    expect(after?.ratingsVersion).toBe((before?.ratingsVersion ?? 0) + 1);
    const [{ count = 0 } = {}] = await connection.db
      .select({ count: sql<number>`count(*)::int` })
      .from(ratings)
      .where(sql`${ratings.movieId} not in (select id from movies)`);
    expect(count).toBe(0);
    rmSync(dir, { recursive: true, force: true });
  });

  it("keeps a rating deleted through the API deleted, unless the files hold a newer one", async () => {
    const dir = subsetDataDir(inject("dataDir"), 50);
    const file = path.join(dir, SOURCE_FILES.ratings);
    const lines = readFileSync(file, "utf8").trimEnd().split("\n");
    const [userId, movieId, rating] = (lines[2] ?? "").split(",").map(Number);
    const pair = sql`user_id = ${userId} and movie_id = ${movieId}`;
    // What DELETE /api/ratings/:movieId leaves behind (workers/services/ratings.ts).
    await connection.db.execute(sql`delete from ratings where ${pair}`);
    await connection.db.execute(
      sql`insert into rating_deletions (user_id, movie_id, deleted_at) values (${userId}, ${movieId}, now())`,
    );
    const stored = async () =>
      queryRows<{ rating: number }>(connection.db, sql`select rating from ratings where ${pair}`);

    const kept = await runIngest(connection, dir);
    expect(kept.written.ratings).toMatchObject({ inserted: 0, keptDeleted: 1 });
    expect(await stored()).toEqual([]);
    expect(formatIngestReport(kept)).toMatch(/1 kept deleted as their users deleted them/);

    // The same user rates it again after the deletion, in a newer export.
    const later = Math.ceil(Date.now() / 1000) + 60;
    lines[2] = [userId, movieId, rating === 5 ? "1.0" : "5.0", String(later)].join(",");
    writeDataFile(dir, "ratings", `${lines.join("\n")}\n`);
    const back = await runIngest(connection, dir);
    expect(back.written.ratings).toMatchObject({ inserted: 1, keptDeleted: 0 });
    expect(await stored()).toEqual([{ rating: rating === 5 ? 1 : 5 }]);
    rmSync(dir, { recursive: true, force: true });
  });

  it("writes nothing when a required file is missing", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "marquee-empty-"));
    writeDataFile(dir, "movies", "movieId,title,genres\n1,Only (2000),Drama\n");
    await expect(runIngest(connection, dir)).rejects.toThrow(/missing input file: .*ratings\.csv/);
    const [{ count = 0 } = {}] = await connection.db
      .select({ count: sql<number>`count(*)::int` })
      .from(movies);
    expect(count).toBe(50);
  });
});

describe("ratings the catalog cannot take", () => {
  it("skips ratings of unknown films and second ratings, naming their lines, and keeps the rest", () =>
    inMigratedScratch(async (connection) => {
      const dir = mkdtempSync(path.join(os.tmpdir(), "marquee-bad-ratings-"));
      writeDataFile(
        dir,
        "movies",
        "movieId,title,genres\n1,Toy Story (1995),Comedy\n2,Heat (1995),Crime\n",
      );
      writeDataFile(
        dir,
        "ratings",
        [
          "userId,movieId,rating,timestamp",
          "1,1,4.0,964982703",
          "1,999,3.0,1", // line 3: unknown film
          "1,1,2.0,5", // line 4: the same user's second rating of film 1
          "2,2,5.0,7",
          "2,999,1.0,1", // line 6: unknown film
        ].join("\n"),
      );
      writeDataFile(dir, "tags", "userId,movieId,tag,timestamp\n3,2,heist,1\n");
      const report = await runIngest(connection, dir);
      expect(report.problems).toEqual([
        { file: "movielens-small/ratings.csv", line: 3, message: "unknown movieId 999" },
        {
          file: "movielens-small/ratings.csv",
          line: 4,
          message: "second rating of movie 1 by user 1",
        },
        { file: "movielens-small/ratings.csv", line: 6, message: "unknown movieId 999" },
      ]);
      expect(report.written.ratings).toMatchObject({ inserted: 2, updated: 0, unchanged: 0 });
      const rows = await queryRows(
        connection.db,
        sql`select user_id, movie_id, rating from ratings order by user_id`,
      );
      // The first of two ratings of the same film is the one kept.
      expect(rows).toEqual([
        { user_id: 1, movie_id: 1, rating: 4 },
        { user_id: 2, movie_id: 2, rating: 5 },
      ]);
      // A user who only tagged gets a row too.
      const ids = await queryRows(connection.db, sql`select id from users order by id`);
      expect(ids).toEqual([{ id: 1 }, { id: 2 }, { id: 3 }]);
      rmSync(dir, { recursive: true, force: true });
    }));
});

describe("a first load's ratings keys", () => {
  const keysOf = (connection: Connection) =>
    queryRows<{ name: string; definition: string }>(
      connection.db,
      sql`select conname as name, pg_get_constraintdef(oid) as definition from pg_constraint
           where conrelid = 'ratings'::regclass order by conname`,
    );

  it("are checked once after the merge and stand as the migrations declared them", () =>
    inMigratedScratch(async (connection) => {
      const declared = await keysOf(connection);
      expect(declared.filter((k) => k.definition.startsWith("FOREIGN KEY"))).toHaveLength(2);
      const dir = subsetDataDir(inject("dataDir"), 50);
      try {
        const report = await runIngest(connection, dir);
        expect(report.written.ratings.inserted).toBeGreaterThan(1000);
        expect(await keysOf(connection)).toEqual(declared);
        // Still enforced, and still cascading.
        await expect(
          connection.pool.query(
            "insert into ratings (user_id, movie_id, rating, rated_at) values (1, 999999999, 4, now())",
          ),
        ).rejects.toThrow(/ratings_movie_id_movies_id_fk/);
        const [film] = await queryRows<{ id: number }>(
          connection.db,
          sql`select movie_id as id from ratings limit 1`,
        );
        await connection.db.execute(sql`delete from movies where id = ${film?.id}`);
        const left = await queryRows<{ n: number }>(
          connection.db,
          sql`select count(*)::int as n from ratings where movie_id = ${film?.id}`,
        );
        expect(left[0]?.n).toBe(0);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }));

  it("fail the load, naming the key, when a row breaks one", () =>
    inMigratedScratch(async (connection) => {
      const declared = await keysOf(connection);
      const client = await connection.pool.connect();
      try {
        await client.query("begin");
        await expect(
          withForeignKeysAfter(client, "ratings", async () => {
            await client.query("insert into users (id) values (1)");
            await client.query(
              "insert into ratings (user_id, movie_id, rating, rated_at) values (1, 999999999, 4, now())",
            );
          }),
        ).rejects.toThrow(/rows of ratings break ratings_movie_id_movies_id_fk/);
      } finally {
        await client.query("rollback");
        client.release();
      }
      expect(await keysOf(connection)).toEqual(declared);
    }));
});

describe("a catalog past Postgres' 65,535 bind parameters", () => {
  it("loads 70,000 films and removes the gone ones in one statement", () =>
    inMigratedScratch(async (connection) => {
      const film = (id: number) => ({ id, title: `Film ${id}`, contentHash: `h${id}` });
      const catalog = (ids: number[]) => ({
        movies: ids.map(film),
        ratings: [],
        otherUsers: [],
        ratingsFile: "ratings.csv",
      });
      const all = Array.from({ length: 70_000 }, (_, i) => i + 1);
      expect((await loadCatalog(connection.pool, catalog(all), [])).movies.inserted).toBe(70_000);
      // bench:scale found it: the delete of gone films named every kept id as its own parameter.
      const fewer = await loadCatalog(connection.pool, catalog(all.slice(0, 69_990)), []);
      expect(fewer.movies).toEqual({ inserted: 0, updated: 0, unchanged: 69_990, deleted: 10 });
    }));
});

describe("Postgres going away mid-ingest", () => {
  it("ends with an error and leaves nothing half-written", async () => {
    const scratch = await createScratchDatabase(inject("postgresUrl"));
    const url = new URL(scratch.url);
    url.searchParams.set("application_name", "marquee_ingest_victim");
    const connection = await connect({ databaseUrl: url.toString() });
    await migrate(connection);
    const ingest = runIngest(connection, inject("dataDir"));
    // Kill the ingest's backend once its transaction has written something.
    const admin = new pg.Client({ connectionString: scratch.url });
    await admin.connect();
    for (let i = 0; i < 200; i++) {
      const { rows } = await admin.query(
        "select pid from pg_stat_activity where application_name = 'marquee_ingest_victim' and state <> 'idle'",
      );
      if (rows.length > 0) {
        await admin.query(
          "select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'marquee_ingest_victim'",
        );
        break;
      }
      await new Promise((r) => setTimeout(r, 25));
    }
    await expect(ingest).rejects.toThrow();
    const { rows } = await admin.query(
      "select (select count(*) from movies)::int as movies, (select count(*) from ratings)::int as ratings",
    );
    expect(rows[0]).toEqual({ movies: 0, ratings: 0 });
    await admin.end();
    await connection.close().catch(() => {});
    await scratch.drop();
  });
});

describe("the embedded default (no DATABASE_URL)", () => {
  it("migrates and ingests into the embedded PostgreSQL with nothing installed, and keeps it", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "marquee-embedded-"));
    const data = subsetDataDir(inject("dataDir"), 200);
    const connection = await connect({ embeddedDir: path.join(dir, "postgres") });
    expect(connection.kind).toBe("embedded");
    await migrate(connection);
    const first = await runIngest(connection, data);
    expect(first.totals.movies).toBe(200);
    expect(first.totals.ratings).toBeGreaterThan(1000);
    const second = await runIngest(connection, data);
    expect(second.written.movies.unchanged).toBe(200);
    // pg_trgm is loaded in the embedded database too, for typo-tolerant titles.
    const hits = await queryRows(
      connection.db,
      sql`select title from movies where lower(title) % 'toy stroy'`,
    );
    expect(hits).toContainEqual({ title: "Toy Story" });
    await connection.close();
    // Stopped and started again: the data is still there.
    const again = await connect({ embeddedDir: path.join(dir, "postgres") });
    const [count] = await queryRows<{ n: number }>(
      again.db,
      sql`select count(*)::int as n from movies`,
    );
    expect(count?.n).toBe(200);
    await again.close();
    rmSync(dir, { recursive: true, force: true });
    rmSync(data, { recursive: true, force: true });
  });
});

describe("the embedded server", () => {
  it("starts again over a server a crashed run left running", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "marquee-embedded-"));
    const first = await startEmbeddedPostgres(path.join(dir, "postgres"));
    // No stop(): as if the process that started it had been killed.
    const second = await startEmbeddedPostgres(path.join(dir, "postgres"));
    const client = new pg.Client({ connectionString: second.url });
    await client.connect();
    expect((await client.query("select 1 as one")).rows).toEqual([{ one: 1 }]);
    await client.end();
    await second.stop();
    // The first server is gone: its port no longer answers.
    await expect(
      (async () => {
        const stale = new pg.Client({
          connectionString: first.url,
          connectionTimeoutMillis: 2_000,
        });
        await stale.connect();
      })(),
    ).rejects.toThrow();
    rmSync(dir, { recursive: true, force: true });
  });
});

describe("connection errors", () => {
  it("names the unreachable server, without the password", async () => {
    await expect(connect({ databaseUrl: "postgres://me:secret@127.0.0.1:1/none" })).rejects.toThrow(
      "cannot reach Postgres at postgres://me:***@127.0.0.1:1/none",
    );
  });
});
