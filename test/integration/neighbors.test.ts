import { rmSync } from "node:fs";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { movieNeighbors, movieStats } from "../../core/db/schema.ts";
import { itemNeighbors } from "../../core/recs/item-item.ts";
import { type Connection, connect, queryRows } from "../../embed-pipeline/src/db/connect.ts";
import { migrate } from "../../embed-pipeline/src/db/migrate.ts";
import { stageTableRows } from "../../embed-pipeline/src/db/stage-table.ts";
import { runIngest } from "../../embed-pipeline/src/ingest/run-ingest.ts";
import { buildNeighbors } from "../../embed-pipeline/src/recs/build-neighbors.ts";
import { subsetDataDir } from "../helpers/data-dir.ts";
import { createScratchDatabase } from "../helpers/databases.ts";

const TABLES = ["movie_neighbors", "movie_stats"];

/**
 * `first`, then a pause until `resume()`, then `rest`: rows for a COPY that a
 * test looks around in midway (`midway` resolves once `first` is taken).
 */
function pausedAfterFirst<T>(first: T, ...rest: T[]) {
  let reached: () => void = () => {};
  const midway = new Promise<void>((resolve) => {
    reached = resolve;
  });
  let resume: () => void = () => {};
  const resumed = new Promise<void>((resolve) => {
    resume = resolve;
  });
  async function* rows() {
    yield first;
    reached();
    await resumed;
    yield* rest;
  }
  return { rows: rows(), midway, resume };
}

describe("the neighbour build against the real Postgres", () => {
  let scratch: Awaited<ReturnType<typeof createScratchDatabase>>;
  let connection: Connection;
  let dataDir: string;

  /** Every constraint and index of the two tables, by name, as Postgres restates them. */
  const shape = () =>
    queryRows<{ name: string; definition: string }>(
      connection.db,
      sql`select conname as name, pg_get_constraintdef(oid) as definition from pg_constraint
           where conrelid::regclass::text = any(${sql.param(TABLES)}::text[])
          union all
          select indexname, indexdef from pg_indexes where tablename = any(${sql.param(TABLES)}::text[])
          order by name, definition`,
    );
  const count = async (table: string) =>
    Number(
      (
        await queryRows<{ n: number }>(connection.db, sql.raw(`select count(*) as n from ${table}`))
      )[0]?.n,
    );

  beforeAll(async () => {
    scratch = await createScratchDatabase(inject("postgresUrl"));
    connection = await connect({ databaseUrl: scratch.url });
    await migrate(connection);
    dataDir = subsetDataDir(inject("dataDir"), 600);
    await runIngest(connection, dataDir);
  });
  afterAll(async () => {
    await connection?.close();
    await scratch?.drop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it("writes the pairs computed from the ratings, and keeps the tables' constraints and indexes", async () => {
    const before = await shape();
    const report = await buildNeighbors(connection, 2);
    const ratings = await queryRows<{ userId: number; movieId: number; rating: number }>(
      connection.db,
      sql`select user_id as "userId", movie_id as "movieId", rating from ratings`,
    );
    const expected = itemNeighbors(ratings);
    expect(report.neighbors).toBe(expected.length);
    expect(report.neighbors).toBeGreaterThan(10_000);
    const written = await queryRows<{ movieId: number; neighborId: number; score: number }>(
      connection.db,
      sql`select movie_id as "movieId", neighbor_id as "neighborId", score from movie_neighbors`,
    );
    const key = (e: { movieId: number; neighborId: number }) => `${e.movieId}>${e.neighborId}`;
    const scores = new Map(written.map((e) => [key(e), e.score]));
    expect(scores.size).toBe(expected.length);
    // Postgres prints a real in its shortest form; as float32 the values are the same.
    for (const e of expected)
      expect(Math.fround(scores.get(key(e)) ?? -1)).toBe(Math.fround(e.score));
    expect(await count("movie_stats")).toBe(report.movies);
    expect(await shape()).toEqual(before);
    // A second build replaces the first, leaving no copy behind.
    await buildNeighbors(connection, 1);
    expect(await count("movie_neighbors")).toBe(expected.length);
    expect(await shape()).toEqual(before);
    const leftovers = await queryRows(
      connection.db,
      sql`select relname from pg_class where relname like '%\\_next%'`,
    );
    expect(leftovers).toEqual([]);
  });

  it("still cascades a film's deletion to its neighbours and counts", async () => {
    await buildNeighbors(connection);
    const [film] = await queryRows<{ id: number }>(
      connection.db,
      sql`select movie_id as id from movie_neighbors group by movie_id order by count(*) desc limit 1`,
    );
    await connection.db.execute(sql`delete from movies where id = ${film?.id}`);
    const left = await queryRows<{ n: number }>(
      connection.db,
      sql`select (select count(*) from movie_neighbors where ${film?.id} in (movie_id, neighbor_id))
               + (select count(*) from movie_stats where movie_id = ${film?.id}) as n`,
    );
    expect(Number(left[0]?.n)).toBe(0);
  });

  it("lets readers see the old rows while the new ones stream in", async () => {
    await buildNeighbors(connection);
    const old = await count("movie_stats");
    const client = await connection.pool.connect();
    const stats = pausedAfterFirst(
      { movieId: 1, ratingsCount: 1, likesCount: 1, meanRating: 5, searchPrior: 0 },
      { movieId: 2, ratingsCount: 1, likesCount: 0, meanRating: 3, searchPrior: 0 },
    );
    try {
      await client.query("begin");
      const staging = stageTableRows(client, movieStats, stats.rows);
      await stats.midway;
      // Another connection, mid-COPY: the old rows, at once.
      expect(await count("movie_stats")).toBe(old);
      stats.resume();
      const staged = await staging;
      expect(staged.rows).toBe(2);
      // Staged, not yet swapped: still the old rows, at once.
      expect(await count("movie_stats")).toBe(old);
      await staged.swap();
      await client.query("commit");
    } finally {
      client.release();
    }
    expect(await count("movie_stats")).toBe(2);
  });

  it("rolls back to the old rows, names intact, when a row breaks a constraint", async () => {
    await buildNeighbors(connection);
    const before = { pairs: await count("movie_neighbors"), shape: await shape() };
    const client = await connection.pool.connect();
    try {
      await client.query("begin");
      await expect(
        stageTableRows(client, movieStats, [
          { movieId: 1, ratingsCount: 1, likesCount: 1, meanRating: 5, searchPrior: 0 },
          { movieId: 999_999_999, ratingsCount: 1, likesCount: 1, meanRating: 5, searchPrior: 0 },
        ]),
      ).rejects.toThrow(/new rows of movie_stats break movie_stats_movie_id_movies_id_fk/);
    } finally {
      await client.query("rollback");
      client.release();
    }
    expect(await count("movie_neighbors")).toBe(before.pairs);
    expect(await count("movie_stats")).toBeGreaterThan(2);
    expect(await shape()).toEqual(before.shape);
  });

  it("keeps the old rows when the server ends the build's connection mid-COPY", async () => {
    await buildNeighbors(connection);
    const before = { pairs: await count("movie_neighbors"), shape: await shape() };
    const client = await connection.pool.connect();
    const { rows } = await client.query<{ pid: number }>("select pg_backend_pid() as pid");
    const pairs = pausedAfterFirst(
      { movieId: 1, neighborId: 2, score: 0.5 },
      { movieId: 2, neighborId: 1, score: 0.5 },
    );
    try {
      await client.query("begin");
      const staging = stageTableRows(client, movieNeighbors, pairs.rows);
      await pairs.midway;
      await connection.pool.query("select pg_terminate_backend($1)", [rows[0]?.pid]);
      pairs.resume();
      await expect(staging).rejects.toThrow();
    } finally {
      // Its server is gone: not back into the pool.
      client.release(true);
    }
    expect(await count("movie_neighbors")).toBe(before.pairs);
    expect(await shape()).toEqual(before.shape);
    expect(
      await queryRows(
        connection.db,
        sql`select relname from pg_class where relname like '%\\_next%'`,
      ),
    ).toEqual([]);
  });

  it("runs two builds at once one after the other", async () => {
    const [a, b] = await Promise.all([buildNeighbors(connection), buildNeighbors(connection)]);
    expect(a.neighbors).toBe(b.neighbors);
    expect(await count("movie_neighbors")).toBe(a.neighbors);
  });
});
