import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Collection } from "chromadb";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { movies } from "../../core/db/schema.ts";
import { cosine } from "../../core/embedding/pooling.ts";
import {
  chromaClient,
  genreKey,
  MOVIES_COLLECTION,
  MovieMetadata,
  moviesCollection,
} from "../../core/vector/movies-collection.ts";
import { type Connection, connect } from "../../embed-pipeline/src/db/connect.ts";
import { migrate } from "../../embed-pipeline/src/db/migrate.ts";
import { OnnxEmbedder } from "../../embed-pipeline/src/embed/embedder.ts";
import {
  planEmbedding,
  runEmbedding,
  UPSERT_BATCH,
  UpstreamError,
} from "../../embed-pipeline/src/embed/run-embed.ts";
import { runIngest } from "../../embed-pipeline/src/ingest/run-ingest.ts";
import { startChroma } from "../../scripts/lib/chroma-server.ts";
import { freePort } from "../../scripts/lib/free-port.ts";
import { subsetDataDir } from "../helpers/data-dir.ts";
import { createScratchDatabase } from "../helpers/databases.ts";

const MOVIES = 600;

describe("embed into the real Chroma", () => {
  let scratch: Awaited<ReturnType<typeof createScratchDatabase>>;
  let connection: Connection;
  let embedder: OnnxEmbedder;
  let collection: Collection;
  let dataDir: string;

  beforeAll(async () => {
    scratch = await createScratchDatabase(inject("postgresUrl"));
    connection = await connect({ databaseUrl: scratch.url, pgliteDir: "" });
    await migrate(connection);
    dataDir = subsetDataDir(inject("dataDir"), MOVIES);
    await runIngest(connection.db, dataDir);
    embedder = await OnnxEmbedder.create({
      modelsDir: inject("modelsDir"),
      variant: "int8",
      device: "cpu",
    });
    const client = chromaClient(inject("chromaUrl"));
    await client.deleteCollection({ name: MOVIES_COLLECTION }).catch(() => {});
    collection = await moviesCollection(client);
  });
  afterAll(async () => {
    await embedder?.release();
    await connection?.close();
    await scratch?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("embeds every movie, with filterable metadata, and finds them by meaning", async () => {
    const plan = await planEmbedding(connection.db, collection, embedder.model, false);
    expect(plan.toEmbed).toHaveLength(MOVIES);
    const progress: number[] = [];
    const report = await runEmbedding(plan, collection, embedder, ({ done }) =>
      progress.push(done),
    );
    expect(report).toMatchObject({ embedded: MOVIES, deleted: 0, unchanged: 0 });
    expect(progress.at(-1)).toBe(MOVIES);
    expect(await collection.count()).toBe(MOVIES);

    const toyStory = await collection.get({ ids: ["1"], include: ["metadatas", "documents"] });
    const metadata = MovieMetadata.parse(toyStory.metadatas[0]);
    expect(metadata).toMatchObject({
      title: "Toy Story",
      year: 1995,
      model: "all-MiniLM-L6-v2/int8",
    });
    expect(metadata[genreKey("Animation")]).toBe(true);
    expect(toyStory.documents[0]).toMatch(/^Toy Story \(1995\)\. Led by Woody/);

    const [query] = await embedder.embed(["the one where toys come alive"]);
    const hits = await collection.query({
      queryEmbeddings: [Array.from(query ?? [])],
      nResults: 5,
      where: { [genreKey("Animation")]: true },
    });
    expect(hits.ids[0]).toContain("1");
  });

  it("embeds nothing on a second run", async () => {
    const plan = await planEmbedding(connection.db, collection, embedder.model, false);
    expect(plan.toEmbed).toHaveLength(0);
    expect(plan.toDelete).toHaveLength(0);
  });

  it("re-embeds a movie whose text changed and deletes vectors of removed movies", async () => {
    await connection.db
      .update(movies)
      .set({ overview: "A cowboy doll is profoundly threatened.", contentHash: "changed" })
      .where(eq(movies.id, 1));
    await connection.db.delete(movies).where(eq(movies.id, 2));
    const plan = await planEmbedding(connection.db, collection, embedder.model, false);
    expect(plan.toEmbed.map((m) => m.id)).toEqual([1]);
    expect(plan.toDelete).toEqual(["2"]);
    const before = await collection.get({ ids: ["1"], include: ["embeddings"] });
    await runEmbedding(plan, collection, embedder);
    const after = await collection.get({ ids: ["1", "2"], include: ["embeddings", "metadatas"] });
    expect(after.ids).toEqual(["1"]);
    expect(MovieMetadata.parse(after.metadatas[0]).content_hash).toBe("changed");
    expect(cosine(before.embeddings[0] ?? [], after.embeddings[0] ?? [])).toBeLessThan(0.9999);
  });

  it("re-embeds everything when the model changes", async () => {
    const plan = await planEmbedding(connection.db, collection, "all-MiniLM-L6-v2/fp32", false);
    expect(plan.toEmbed).toHaveLength(MOVIES - 1);
  });
});

describe("Chroma going away mid-run", () => {
  it("stops with a clear error, and the next run resumes without redoing finished batches", async () => {
    const scratch = await createScratchDatabase(inject("postgresUrl"));
    const connection = await connect({ databaseUrl: scratch.url, pgliteDir: "" });
    await migrate(connection);
    const dataDir = subsetDataDir(inject("dataDir"), MOVIES);
    await runIngest(connection.db, dataDir);
    const embedder = await OnnxEmbedder.create({
      modelsDir: inject("modelsDir"),
      variant: "int8",
      device: "cpu",
    });
    const chromaDir = mkdtempSync(path.join(os.tmpdir(), "marquee-chroma-victim-"));
    const root = path.resolve(import.meta.dirname, "../..");
    const port = await freePort();
    let chroma = await startChroma({ root, dataDir: chromaDir, port });
    let collection = await moviesCollection(chromaClient(chroma.url));

    const plan = await planEmbedding(connection.db, collection, embedder.model, false);
    const run = runEmbedding(plan, collection, embedder, ({ done }) => {
      if (done === UPSERT_BATCH) void chroma.stop();
    });
    await expect(run).rejects.toThrow(UpstreamError);
    await expect(run).rejects.toThrow(`Chroma failed after ${UPSERT_BATCH} of ${MOVIES} movies`);

    chroma = await startChroma({ root, dataDir: chromaDir, port });
    collection = await moviesCollection(chromaClient(chroma.url));
    const resumed = await planEmbedding(connection.db, collection, embedder.model, false);
    expect(resumed.toEmbed).toHaveLength(MOVIES - UPSERT_BATCH);
    await runEmbedding(resumed, collection, embedder);
    expect(await collection.count()).toBe(MOVIES);

    await chroma.stop();
    await embedder.release();
    await connection.close();
    await scratch.drop();
    rmSync(chromaDir, { recursive: true, force: true });
    rmSync(dataDir, { recursive: true, force: true });
  });
});
