import {
  createExecutionContext,
  createMessageBatch,
  getQueueResult,
  waitOnExecutionContext,
} from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { cosine } from "../../core/embedding/pooling.ts";
import { movieTexts } from "../../core/vector/movie-vectors.ts";
import { parseEnv } from "../../workers/env.ts";
import worker from "../../workers/index.ts";
import { openDatabase } from "../../workers/services/database.ts";
import { collectionsFor } from "../../workers/services/dense-search.ts";
import { type EmbedJob, markQueued, retryDelaySeconds } from "../../workers/services/embed-jobs.ts";
import { filmRows, filmSource, WORKER_MODEL } from "../../workers/services/film-vectors.ts";
import { queryEmbedder } from "../../workers/services/query-embedder.ts";
import { DEAD_CHROMA, query, request, testEnv, uploadModel } from "./helpers.ts";

// Ids far above the test catalog's, one per test that writes a film.
const NEW_FILM = 990_001;
const SHRINKING = 990_002;
const DOOMED = 990_003;
const SWEPT = 990_004;
const LIMITED = [990_005, 990_006];

const admin = { authorization: `Bearer ${testEnv.ADMIN_TOKEN}` };

function putMovie(movieId: number, body: unknown, headers: Record<string, string> = admin) {
  return request(
    `/api/admin/movies/${movieId}`,
    {},
    {
      method: "PUT",
      headers: { ...headers, "content-type": "application/json" },
      body: JSON.stringify(body),
    },
  );
}

const lighthouse = {
  title: "The Lighthouse Keeper's Ledger",
  year: 2024,
  genres: ["Drama", "Mystery"],
  overview:
    "A retired lighthouse keeper on a windswept Hebridean island finds a ledger of ships that never existed. Each entry predicts a storm that then arrives on the day it names. She sails out alone to meet the last ship in the book before the winter closes the sea.",
  director: "Ines Calloway",
  topCast: ["Marta Ruiz", "Owen Price"],
  tags: ["island", "Storms", "island"],
};

/** Delivers jobs to the Worker's queue handler, as the queue does, and returns the ack/retry state. */
async function deliver(
  jobs: EmbedJob[],
  options: { queue?: string; attempts?: number; env?: Record<string, unknown> } = {},
) {
  const batch = createMessageBatch(
    options.queue ?? "marquee-embed",
    jobs.map((body, i) => ({
      id: `job-${i}`,
      timestamp: new Date(),
      attempts: options.attempts ?? 1,
      body,
    })),
  );
  const ctx = createExecutionContext();
  await worker.queue(batch, { ...testEnv, ...options.env }, ctx);
  const result = await getQueueResult(batch, ctx);
  await waitOnExecutionContext(ctx);
  return result;
}

/** Entry ids and content hashes of a film in both collections. */
async function entriesOf(movieId: number) {
  const stores = await collectionsFor(parseEnv(testEnv));
  const [wholes, passages] = await Promise.all([
    stores.movies.get({ ids: [String(movieId)], include: ["metadatas"] }),
    stores.passages.get({ where: { movie_id: movieId }, include: ["metadatas"] }),
  ]);
  return {
    movies: wholes.ids,
    passages: passages.ids.sort(),
    models: [...wholes.metadatas, ...passages.metadatas].map((m) => m?.model),
  };
}

/**
 * A film in Postgres that no queue message names (written as a pipeline
 * ingest would, not through the API), so the queue's own consumer, which
 * runs in these tests too, cannot race a test that delivers by hand.
 */
async function insertQuietly(movieId: number) {
  await query(
    `insert into movies (id, title, overview, content_hash) values ($1, $2, $3, $4)
     on conflict (id) do nothing`,
    [movieId, lighthouse.title, lighthouse.overview, `test-${movieId}`],
  );
}

async function jobOf(movieId: number) {
  const [row] = await query<{ op: string; status: string; attempts: number; last_error: string }>(
    "select op, status, attempts, last_error from embed_jobs where movie_id = $1",
    [movieId],
  );
  return row;
}

async function search(q: string) {
  const response = await request(`/api/search?q=${encodeURIComponent(q)}&limit=10`);
  expect(response.status).toBe(200);
  return ((await response.json()) as { results: { movieId: number; matchedBy: string[] }[] })
    .results;
}

beforeAll(async () => {
  await uploadModel();
});

describe("adding a film through the API", () => {
  it("refuses bad input with the error body and writes nothing", async () => {
    const cases: [unknown, RegExp][] = [
      [{}, /^title: /],
      [{ title: "  " }, /title must not be empty/],
      [{ title: "X", genres: ["Space Opera"] }, /genres must be MovieLens genres/],
      [{ title: "X", year: 1492 }, /^year: /],
      [{ title: "X", imdbId: "123" }, /imdbId must look like tt0111161/],
      [{ title: "X", overview: "a\u0000b" }, /overview must not contain control characters/],
    ];
    for (const [body, message] of cases) {
      const response = await putMovie(NEW_FILM, body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      const error = ((await response.json()) as { error: { message: string } }).error;
      expect(error.message).toMatch(message);
    }
    expect((await putMovie(NEW_FILM, lighthouse, {})).status).toBe(401);
    expect(
      (await putMovie(NEW_FILM, lighthouse, { authorization: "Bearer not-the-admin-token" }))
        .status,
    ).toBe(403);
    expect(await query("select 1 from movies where id = $1", [NEW_FILM])).toEqual([]);
  });

  it("writes Postgres, queues the job, and the consumer makes it searchable by meaning and by title", async () => {
    const response = await putMovie(NEW_FILM, lighthouse);
    expect(response.status).toBe(202);
    const body = (await response.json()) as { created: boolean; contentHash: string };
    expect(body.created).toBe(true);
    const [row] = await query<{ content_hash: string; tags: string[] }>(
      "select content_hash, tags from movies where id = $1",
      [NEW_FILM],
    );
    expect(row).toEqual({ content_hash: body.contentHash, tags: ["island", "storms"] });
    expect((await jobOf(NEW_FILM))?.op).toBe("upsert");

    const result = await deliver([{ movieId: NEW_FILM, op: "upsert" }]);
    expect(result.explicitAcks).toEqual(["job-0"]);
    expect(result.retryMessages).toEqual([]);
    expect(await jobOf(NEW_FILM)).toMatchObject({ status: "done", attempts: 1, last_error: null });
    const entries = await entriesOf(NEW_FILM);
    expect(entries.movies).toEqual([String(NEW_FILM)]);
    expect(entries.passages).toEqual([`${NEW_FILM}:0`, `${NEW_FILM}:1`, `${NEW_FILM}:2`]);
    expect(new Set(entries.models)).toEqual(new Set([WORKER_MODEL]));

    // Found by meaning (a description sharing no word with its title) and by its title.
    const described = await search(
      "a woman alone on a remote island finds a record book of phantom ships that predicts storms",
    );
    const hit = described.find((r) => r.movieId === NEW_FILM);
    expect(hit?.matchedBy).toContain("vector");
    expect(described.indexOf(hit as (typeof described)[number])).toBeLessThan(3);
    const titled = await search("lighthouse keeper's ledger");
    expect(titled[0]).toMatchObject({ movieId: NEW_FILM });
    expect(titled[0]?.matchedBy).toContain("title");
  });

  it("is idempotent: the same job again leaves one set of vectors and embeds nothing", async () => {
    const before = await entriesOf(NEW_FILM);
    const result = await deliver([
      { movieId: NEW_FILM, op: "upsert" },
      { movieId: NEW_FILM, op: "upsert" },
    ]);
    expect(result.explicitAcks.sort()).toEqual(["job-0", "job-1"]);
    expect(await entriesOf(NEW_FILM)).toEqual(before);
    // The same PUT again changes nothing but the job.
    const again = (await (await putMovie(NEW_FILM, lighthouse)).json()) as { created: boolean };
    expect(again.created).toBe(false);
  });

  it("writes vectors within cosine 0.999 of the pipeline's for the same film", async () => {
    // Film 1 was embedded by the pipeline (int8) when the tests started.
    const env = parseEnv(testEnv);
    const database = openDatabase(env);
    try {
      const film = await filmSource(database.db, 1);
      if (!film) throw new Error("film 1 is not in the test catalog");
      const texts = await movieTexts(film);
      const rows = await filmRows(film, texts, await queryEmbedder(env.MODELS, env.MODEL_PREFIX));
      const stores = await collectionsFor(env);
      for (const [collection, mine] of [
        [stores.movies, rows.movies],
        [stores.passages, rows.passages],
      ] as const) {
        const stored = await collection.get({
          ids: mine.map((r) => r.id),
          include: ["embeddings", "metadatas"],
        });
        expect(stored.ids.sort()).toEqual(mine.map((r) => r.id).sort());
        for (const row of mine) {
          const i = stored.ids.indexOf(row.id);
          expect(stored.metadatas[i]?.content_hash, row.id).toBe(row.metadata.content_hash);
          expect(
            cosine(row.embedding, stored.embeddings[i] as number[]),
            row.id,
          ).toBeGreaterThanOrEqual(0.999);
        }
      }
    } finally {
      await database.close();
    }
  });

  it("deletes the entries of passages a changed overview no longer has", async () => {
    expect((await putMovie(SHRINKING, lighthouse)).status).toBe(202);
    await deliver([{ movieId: SHRINKING, op: "upsert" }]);
    expect((await entriesOf(SHRINKING)).passages).toHaveLength(3);
    const shorter = {
      ...lighthouse,
      overview: "A lighthouse keeper reads a ledger of storms to come.",
    };
    expect((await putMovie(SHRINKING, shorter)).status).toBe(202);
    await deliver([{ movieId: SHRINKING, op: "upsert" }]);
    expect((await entriesOf(SHRINKING)).passages).toEqual([`${SHRINKING}:0`]);
  });
});

describe("when the consumer fails", () => {
  it("retries with backoff while Chroma is down, recording the error", async () => {
    await insertQuietly(DOOMED);
    const first = await deliver([{ movieId: DOOMED, op: "upsert" }], {
      env: { CHROMA_URL: DEAD_CHROMA },
    });
    expect(first.explicitAcks).toEqual([]);
    expect(first.retryMessages).toEqual([{ msgId: "job-0" }]);
    const third = await deliver([{ movieId: DOOMED, op: "upsert" }], {
      attempts: 3,
      env: { CHROMA_URL: DEAD_CHROMA },
    });
    expect(third.retryMessages).toEqual([{ msgId: "job-0" }]);
    // The delay asked for (the test harness does not report it): 10 s, doubling, at most 5 minutes.
    expect([1, 2, 3, 6, 9].map(retryDelaySeconds)).toEqual([10, 20, 40, 300, 300]);
    const job = await jobOf(DOOMED);
    expect(job).toMatchObject({ status: "queued", attempts: 3 });
    expect(job?.last_error).toMatch(/Chroma|connect|fetch/i);
    expect(await entriesOf(DOOMED)).toMatchObject({ movies: [], passages: [] });
  });

  it("records a job that reached the dead-letter queue, shown in the admin stats", async () => {
    const result = await deliver([{ movieId: DOOMED, op: "upsert" }], {
      queue: "marquee-embed-dead",
    });
    expect(result.explicitAcks).toEqual(["job-0"]);
    const job = await jobOf(DOOMED);
    expect(job?.status).toBe("dead");
    expect(job?.last_error).toMatch(/Chroma|connect|fetch/i);
    const stats = (await (
      await request("/api/admin/embed/stats", {}, { headers: admin })
    ).json()) as { dead: number; recentDead: { movieId: number; error: string | null }[] };
    expect(stats.dead).toBeGreaterThanOrEqual(1);
    expect(stats.recentDead.map((d) => d.movieId)).toContain(DOOMED);
  });

  it("drops a malformed job instead of retrying it forever", async () => {
    const result = await deliver([{ movieId: -1, op: "upsert" }]);
    expect(result.explicitAcks).toEqual(["job-0"]);
  });
});

describe("removing a film", () => {
  it("removes it from Postgres, then the consumer removes its vectors", async () => {
    expect((await putMovie(DOOMED, lighthouse)).status).toBe(202);
    await deliver([{ movieId: DOOMED, op: "upsert" }]);
    expect((await entriesOf(DOOMED)).movies).toEqual([String(DOOMED)]);
    const response = await request(
      `/api/admin/movies/${DOOMED}`,
      {},
      { method: "DELETE", headers: admin },
    );
    expect(response.status).toBe(202);
    expect(await query("select 1 from movies where id = $1", [DOOMED])).toEqual([]);
    expect((await jobOf(DOOMED))?.op).toBe("delete");
    await deliver([{ movieId: DOOMED, op: "delete" }]);
    expect(await entriesOf(DOOMED)).toMatchObject({ movies: [], passages: [] });
    const again = await request(
      `/api/admin/movies/${DOOMED}`,
      {},
      { method: "DELETE", headers: admin },
    );
    expect(again.status).toBe(404);
  });
});

describe("the sweep", () => {
  it("queues films whose vectors are missing and vectors of films that are gone", async () => {
    // A film Postgres has and Chroma does not.
    await insertQuietly(SWEPT);
    // Vectors of a film Postgres does not have.
    const stores = await collectionsFor(parseEnv(testEnv));
    const orphan = "990999";
    const [vector] = (await stores.movies.get({ ids: ["1"], include: ["embeddings", "metadatas"] }))
      .embeddings;
    await stores.movies.upsert({
      ids: [orphan],
      embeddings: [vector as number[]],
      metadatas: [{ title: "Orphan", genres: "", content_hash: "x", model: WORKER_MODEL }],
    });
    const response = await request(
      "/api/admin/embed/sweep",
      {},
      { method: "POST", headers: admin },
    );
    expect(response.status).toBe(200);
    const report = (await response.json()) as {
      checked: number;
      stale: number;
      orphans: number;
      enqueued: number;
      complete: boolean;
    };
    expect(report.checked).toBeGreaterThanOrEqual(1_200);
    expect(report.stale).toBeGreaterThanOrEqual(1);
    expect(report.orphans).toBeGreaterThanOrEqual(1);
    expect(report.enqueued).toBe(report.stale + report.orphans);
    expect(report.complete).toBe(true);
    expect(await jobOf(SWEPT)).toMatchObject({ op: "upsert" });
    expect(await jobOf(Number(orphan))).toMatchObject({ op: "delete" });
    // What the queue then delivers brings both stores in line.
    await deliver([
      { movieId: SWEPT, op: "upsert" },
      { movieId: Number(orphan), op: "delete" },
    ]);
    expect((await entriesOf(SWEPT)).movies).toEqual([String(SWEPT)]);
    expect((await entriesOf(Number(orphan))).movies).toEqual([]);
  });

  it("queues at most EMBED_SWEEP_LIMIT jobs a run, and says it stopped early", async () => {
    for (const id of LIMITED) await insertQuietly(id);
    const response = await request(
      "/api/admin/embed/sweep",
      { EMBED_SWEEP_LIMIT: "1" },
      { method: "POST", headers: admin },
    );
    expect(await response.json()).toMatchObject({ stale: 2, enqueued: 1, complete: false });
  });
  it("records more jobs than one statement's bind parameters allow (a sweep may queue 100,000)", async () => {
    const jobs = Array.from({ length: 20_000 }, (_, i) => ({
      movieId: 8_000_000 + i,
      op: "upsert" as const,
    }));
    const database = openDatabase(parseEnv(testEnv));
    try {
      await markQueued(database.db, jobs);
    } finally {
      await database.close();
    }
    const [row] = await query<{ n: number }>(
      "select count(*)::int as n from embed_jobs where movie_id >= 8000000 and movie_id < 8020000 and status = 'queued'",
    );
    expect(row?.n).toBe(20_000);
    await query("delete from embed_jobs where movie_id >= 8000000 and movie_id < 8020000");
  });
});
