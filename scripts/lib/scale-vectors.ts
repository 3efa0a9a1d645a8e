/**
 * Vectors for bench:scale's synthetic catalogs without embedding them: the
 * real catalog is embedded once by the pipeline (1x), and every film of a
 * larger catalog gets the vectors of the real film it was copied from (its
 * id modulo FILM_STRIDE), under its own ids, texts' content hashes and
 * metadata, exactly as the pipeline would write them (movieTexts,
 * movieMetadata, passageMetadata). Search then does at 10x and 100x what it
 * does at 1x, over as many entries as a real embedding of that catalog would
 * hold. Each copy's whole-text vector is moved by a little seeded noise
 * (cosine ~0.97 to its source's), and its passages with it: a hundred
 * identical vectors per film would be a graph no real catalog gives HNSW.
 */
import type { Collection } from "chromadb";
import pg from "pg";
import {
  movieTexts,
  upsertVectorRows,
  type VectorRow,
  type VectorSource,
  type VectorStores,
} from "../../core/vector/movie-vectors.ts";
import {
  chromaClient,
  movieMetadata,
  moviesCollection,
} from "../../core/vector/movies-collection.ts";
import {
  PASSAGE_WEIGHT,
  parsePassageId,
  passageId,
  passageMetadata,
  passagesCollection,
} from "../../core/vector/passages.ts";
import { mulberry32 } from "./random.ts";
import { FILM_STRIDE } from "./scale-data.ts";

/** Per-dimension noise: for 384 dimensions, cosine 1 / sqrt(1 + 384 * 0.0128^2) ~ 0.97. */
const NOISE = 0.0128;

/** `whole` moved by seeded Gaussian noise and normalised again; the film's own vector for copy 0. */
function copyVector(whole: number[], filmId: number): number[] {
  if (filmId < FILM_STRIDE) return whole;
  const random = mulberry32(filmId);
  const gaussian = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const moved = whole.map((x) => x + NOISE * gaussian());
  const norm = Math.hypot(...moved);
  return moved.map((x) => x / norm);
}

/** The real films' stored vectors: whole text by film, passages by film and index. */
export interface RealVectors {
  model: string;
  whole: Map<number, number[]>;
  passages: Map<number, number[][]>;
}

async function stores(url: string): Promise<VectorStores> {
  const client = chromaClient(url);
  return { movies: await moviesCollection(client), passages: await passagesCollection(client) };
}

async function* allEntries(collection: Collection) {
  const page = 5_000;
  for (let offset = 0; ; offset += page) {
    const got = await collection.get({ include: ["embeddings"], limit: page, offset });
    for (let i = 0; i < got.ids.length; i++) {
      yield { id: got.ids[i] as string, embedding: got.embeddings[i] as number[] };
    }
    if (got.ids.length < page) return;
  }
}

/** Reads every entry the pipeline wrote for the real catalog. */
export async function readRealVectors(chromaUrl: string): Promise<RealVectors> {
  const { movies, passages } = await stores(chromaUrl);
  const whole = new Map<number, number[]>();
  for await (const e of allEntries(movies)) whole.set(Number(e.id), e.embedding);
  const byFilm = new Map<number, number[][]>();
  for await (const e of allEntries(passages)) {
    const { movieId, passage } = parsePassageId(e.id);
    if (passage === undefined) continue;
    const list = byFilm.get(movieId) ?? [];
    list[passage] = e.embedding;
    byFilm.set(movieId, list);
  }
  const [first] = (await movies.get({ limit: 1, include: ["metadatas"] })).metadatas;
  return { model: String(first?.model ?? "unknown"), whole, passages: byFilm };
}

/**
 * Writes both collections' entries for every film in the database, `films`
 * a batch, from the real vectors; returns the number of entries written.
 */
export async function writeScaledVectors(
  databaseUrl: string,
  chromaUrl: string,
  real: RealVectors,
  log: (line: string) => void,
  films = 500,
): Promise<number> {
  const target = await stores(chromaUrl);
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  let written = 0;
  let after = 0;
  const started = performance.now();
  try {
    for (;;) {
      const { rows } = await db.query<VectorSource>(
        `select id, title, year, genres, overview, director, top_cast as "topCast", tags,
                content_hash as "contentHash"
         from movies where id > $1 order by id limit $2`,
        [after, films],
      );
      if (rows.length === 0) break;
      const batch: { movies: VectorRow[]; passages: VectorRow[] } = { movies: [], passages: [] };
      for (const movie of rows) {
        const source = movie.id % FILM_STRIDE;
        const original = real.whole.get(source);
        if (!original) throw new Error(`film ${source} has no vector in the real catalog`);
        const whole = copyVector(original, movie.id);
        // A passage entry is 0.5 passage + 0.5 whole (composePassageVector): the whole part moves too.
        const shift = whole.map((x, i) => (x - (original[i] ?? 0)) * (1 - PASSAGE_WEIGHT));
        const realPassages = real.passages.get(source) ?? [];
        const texts = await movieTexts(movie);
        batch.movies.push({
          id: passageId(movie.id),
          embedding: whole,
          metadata: movieMetadata(movie, movie.contentHash, real.model),
        });
        if (texts.passages.length === 0) {
          batch.passages.push({
            id: passageId(movie.id),
            embedding: whole,
            metadata: passageMetadata(movie, movie.contentHash, real.model),
          });
        }
        texts.passages.forEach((p, index) => {
          batch.passages.push({
            id: passageId(movie.id, index),
            // A recombined overview may have more passages than its source film.
            embedding: (realPassages[index % Math.max(realPassages.length, 1)] ?? original).map(
              (x, i) => x + (shift[i] ?? 0),
            ),
            metadata: passageMetadata(movie, p.hash, real.model, index),
          });
        });
      }
      await upsertVectorRows(target, batch);
      written += batch.movies.length + batch.passages.length;
      after = rows.at(-1)?.id ?? after;
      if (written % 100_000 < batch.movies.length + batch.passages.length) {
        const seconds = (performance.now() - started) / 1000;
        log(`    ${written.toLocaleString("en")} entries, ${(written / seconds).toFixed(0)}/s`);
      }
    }
  } finally {
    await db.end();
  }
  return written;
}
