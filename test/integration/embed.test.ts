import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { movieParts } from "../../core/catalog-text.ts";
import { movies } from "../../core/db/schema.ts";
import { cosine, normalizedMean, type PooledSum } from "../../core/embedding/pooling.ts";
import {
  chromaClient,
  genreKey,
  MOVIES_COLLECTION,
  MovieMetadata,
  moviesCollection,
  VECTOR_LAYOUT,
} from "../../core/vector/movies-collection.ts";
import {
  composePassageVector,
  PASSAGES_COLLECTION,
  passagesCollection,
  queryPassages,
} from "../../core/vector/passages.ts";
import { type Connection, connect } from "../../embed-pipeline/src/db/connect.ts";
import { migrate } from "../../embed-pipeline/src/db/migrate.ts";
import { OnnxEmbedder } from "../../embed-pipeline/src/embed/embedder.ts";
import {
  planEmbedding,
  runEmbedding,
  textsOf,
  UPSERT_BATCH,
  UpstreamError,
  type VectorStores,
} from "../../embed-pipeline/src/embed/run-embed.ts";
import { freePort } from "../../embed-pipeline/src/free-port.ts";
import { runIngest } from "../../embed-pipeline/src/ingest/run-ingest.ts";
import { startChroma } from "../../scripts/lib/chroma-server.ts";
import { subsetDataDir } from "../helpers/data-dir.ts";
import { createScratchDatabase } from "../helpers/databases.ts";

const MOVIES = 600;

/** The passages collection's entry ids of a movie: its whole text and each overview passage. */
async function entryIds(stores: VectorStores, movieId: number): Promise<string[]> {
  const got = await stores.passages.get({ where: { movie_id: movieId }, include: [] });
  return got.ids.sort();
}

describe("embed into the real Chroma", () => {
  let scratch: Awaited<ReturnType<typeof createScratchDatabase>>;
  let connection: Connection;
  let embedder: OnnxEmbedder;
  let stores: VectorStores;
  let dataDir: string;

  beforeAll(async () => {
    scratch = await createScratchDatabase(inject("postgresUrl"));
    connection = await connect({ databaseUrl: scratch.url });
    await migrate(connection);
    dataDir = subsetDataDir(inject("dataDir"), MOVIES);
    await runIngest(connection, dataDir);
    embedder = await OnnxEmbedder.create({
      modelsDir: inject("modelsDir"),
      variant: "int8",
      device: "cpu",
    });
    const client = chromaClient(inject("chromaUrl"));
    for (const name of [MOVIES_COLLECTION, PASSAGES_COLLECTION])
      await client.deleteCollection({ name }).catch(() => {});
    stores = { movies: await moviesCollection(client), passages: await passagesCollection(client) };
  });
  afterAll(async () => {
    await embedder?.release();
    await connection?.close();
    await scratch?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("embeds every movie and its overview passages, with filterable metadata, and finds them by meaning", async () => {
    const plan = await planEmbedding(connection.db, stores, embedder.model, false);
    expect(plan.toEmbed).toHaveLength(MOVIES);
    const texts = plan.toEmbed.reduce((n, w) => n + textsOf(w), 0);
    const passages = texts - MOVIES;
    expect(passages).toBeGreaterThan(MOVIES / 2);
    const progress: number[] = [];
    const report = await runEmbedding(plan, stores, embedder, ({ done }) => progress.push(done));
    expect(report).toMatchObject({ embedded: MOVIES, texts, deleted: 0, unchanged: 0 });
    expect(progress.at(-1)).toBe(texts);
    expect(await stores.movies.count()).toBe(MOVIES);
    // One entry per passage, and the whole text of each movie without an overview.
    const withoutOverview = plan.toEmbed.filter((w) => w.passages.length === 0).length;
    expect(withoutOverview).toBeGreaterThan(0);
    expect(await stores.passages.count()).toBe(passages + withoutOverview);

    const toyStory = await stores.movies.get({ ids: ["1"], include: ["metadatas", "embeddings"] });
    const metadata = MovieMetadata.parse(toyStory.metadatas[0]);
    expect(metadata).toMatchObject({
      title: "Toy Story",
      year: 1995,
      model: "all-MiniLM-L6-v2/int8",
      layout: VECTOR_LAYOUT,
    });
    expect(metadata[genreKey("Animation")]).toBe(true);

    // The whole-text vector pools every word piece of the movie's parts, each encoded apart.
    const [movie] = await connection.db.select().from(movies).where(eq(movies.id, 1));
    const parts = movieParts(movie as NonNullable<typeof movie>);
    const pooled = await embedder.poolInBatches(
      [parts.facts, ...parts.passages].map((t) => embedder.tokenizer.encode(t)),
    );
    const whole = normalizedMean(pooled);
    expect(cosine(toyStory.embeddings[0] ?? [], whole)).toBeGreaterThan(0.99999);
    // Each passage is stored as its weighted sum with the whole-text vector, unnormalised (inner product).
    expect(await entryIds(stores, 1)).toEqual(parts.passages.map((_, i) => `1:${i}`));
    const entry = await stores.passages.get({ ids: ["1:0"], include: ["embeddings", "metadatas"] });
    const expected = composePassageVector(normalizedMean([pooled[1] as PooledSum]), whole);
    const stored = entry.embeddings[0] ?? [];
    expect(Math.max(...stored.map((x, i) => Math.abs(x - (expected[i] ?? 0))))).toBeLessThan(1e-6);
    expect(entry.metadatas[0]).toMatchObject({
      movie_id: 1,
      passage: 0,
      year: 1995,
      [genreKey("Animation")]: true,
    });

    const [query] = await embedder.embed(["the one where toys come alive"]);
    const hits = await queryPassages(stores.passages, query ?? [], 5, {
      [genreKey("Animation")]: true,
    });
    expect(hits.map((h) => h.movieId)).toContain(1);
    expect(new Set(hits.map((h) => h.movieId)).size).toBe(hits.length);
  });

  it("embeds nothing on a second run", async () => {
    const plan = await planEmbedding(connection.db, stores, embedder.model, false);
    expect(plan.toEmbed).toHaveLength(0);
    expect(plan.toDelete).toEqual({ movies: [], passages: [] });
  });

  it("re-embeds a movie whose text changed and deletes the vectors of removed movies and passages", async () => {
    const before = await entryIds(stores, 1);
    expect(before.length).toBeGreaterThan(1);
    await connection.db
      .update(movies)
      .set({
        overview: "A cowboy doll is profoundly threatened by a new toy.",
        contentHash: "changed",
      })
      .where(eq(movies.id, 1));
    const removed = await entryIds(stores, 2);
    await connection.db.delete(movies).where(eq(movies.id, 2));
    const plan = await planEmbedding(connection.db, stores, embedder.model, false);
    expect(plan.toEmbed.map((w) => w.movie.id)).toEqual([1]);
    expect(plan.toDelete.movies).toEqual(["2"]);
    expect(plan.toDelete.passages.sort()).toEqual(
      [...removed, ...before.filter((id) => id !== "1:0")].sort(),
    );
    const old = await stores.movies.get({ ids: ["1"], include: ["embeddings"] });
    await runEmbedding(plan, stores, embedder);
    const after = await stores.movies.get({
      ids: ["1", "2"],
      include: ["embeddings", "metadatas"],
    });
    expect(after.ids).toEqual(["1"]);
    expect(MovieMetadata.parse(after.metadatas[0]).content_hash).toBe("changed");
    expect(cosine(old.embeddings[0] ?? [], after.embeddings[0] ?? [])).toBeLessThan(0.9999);
    expect(await entryIds(stores, 1)).toEqual(["1:0"]);
    expect(await entryIds(stores, 2)).toEqual([]);
  });

  it("re-embeds everything when the model changes, or when a vector was made another way", async () => {
    const plan = await planEmbedding(connection.db, stores, "all-MiniLM-L6-v2/fp32", false);
    expect(plan.toEmbed).toHaveLength(MOVIES - 1);
    // A vector made the way layout 1 made them (one pass over the whole text).
    await stores.movies.update({ ids: ["3"], metadatas: [{ layout: 1 }] });
    const relayout = await planEmbedding(connection.db, stores, embedder.model, false);
    expect(relayout.toEmbed.map((w) => w.movie.id)).toEqual([3]);
  });
});

describe("Chroma going away mid-run", () => {
  it("stops with a clear error, and the next run resumes without redoing finished batches", async () => {
    const scratch = await createScratchDatabase(inject("postgresUrl"));
    const connection = await connect({ databaseUrl: scratch.url });
    await migrate(connection);
    const dataDir = subsetDataDir(inject("dataDir"), MOVIES);
    await runIngest(connection, dataDir);
    const embedder = await OnnxEmbedder.create({
      modelsDir: inject("modelsDir"),
      variant: "int8",
      device: "cpu",
    });
    const chromaDir = mkdtempSync(path.join(os.tmpdir(), "marquee-chroma-victim-"));
    const root = path.resolve(import.meta.dirname, "../..");
    const port = await freePort();
    let chroma = await startChroma({ root, dataDir: chromaDir, port });
    const storesAt = async (url: string): Promise<VectorStores> => {
      const client = chromaClient(url);
      return { movies: await moviesCollection(client), passages: await passagesCollection(client) };
    };
    let stores = await storesAt(chroma.url);

    const plan = await planEmbedding(connection.db, stores, embedder.model, false);
    // Chroma dies once the first batch of movies is saved.
    const run = runEmbedding(plan, stores, embedder, ({ done }) => {
      if (done > 0) void chroma.stop();
    });
    await expect(run).rejects.toThrow(UpstreamError);
    await expect(run).rejects.toThrow(`Chroma failed after ${UPSERT_BATCH} of ${MOVIES} movies`);

    chroma = await startChroma({ root, dataDir: chromaDir, port });
    stores = await storesAt(chroma.url);
    const resumed = await planEmbedding(connection.db, stores, embedder.model, false);
    expect(resumed.toEmbed).toHaveLength(MOVIES - UPSERT_BATCH);
    await runEmbedding(resumed, stores, embedder);
    expect(await stores.movies.count()).toBe(MOVIES);
    const again = await planEmbedding(connection.db, stores, embedder.model, false);
    expect(again.toEmbed).toHaveLength(0);

    await chroma.stop();
    await embedder.release();
    await connection.close();
    await scratch.drop();
    rmSync(chromaDir, { recursive: true, force: true });
    rmSync(dataDir, { recursive: true, force: true });
  });
});
