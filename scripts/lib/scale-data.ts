/**
 * A synthetic data folder `scale` times the size of a real one, in the same
 * layout (SOURCE_FILES), for bench:scale. Films: `scale` copies of each real
 * film, copy c > 0 with a distinct title ("<title> (Part c+1)"-like), its own
 * TMDB id with an overview recombined from two real films (this film's first
 * half, another's second half), and IMDb people taken from another real
 * film. Users: `scale` copies of each real user; copy c of a user rates the
 * same films with the same stars, each film taken from a copy chosen by
 * film and user copy, so every film copy gets about as many ratings as the
 * real film and the co-rating graph stays connected across copies. Tags are
 * copied with the ratings' rule. Ratings per film and per user stay as in
 * the real data; only the counts grow.
 */

import { once } from "node:events";
import { createWriteStream, mkdirSync, readFileSync, type WriteStream } from "node:fs";
import path from "node:path";
import { parse } from "csv-parse/sync";
import { SOURCE_FILES } from "../../embed-pipeline/src/ingest/sources.ts";

/** Film ids of copy c are id + c * FILM_STRIDE (MovieLens small's ids stay under 200,000). */
export const FILM_STRIDE = 200_000;
/** User ids of copy c are id + c * USER_STRIDE (MovieLens small has 610 users). */
export const USER_STRIDE = 1_000;
/** TMDB ids of copy c are id + c * TMDB_STRIDE. */
const TMDB_STRIDE = 10_000_000;

type Row = Record<string, string>;

function read(file: string): Row[] {
  return parse(readFileSync(file), { bom: true, columns: true, relax_quotes: true }) as Row[];
}

function field(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** Writes rows through a stream, waiting when it is full (the ratings file of 100x is ~250 MB). */
async function writeCsv(
  file: string,
  columns: string[],
  rows: (emit: (values: string[]) => Promise<void>) => Promise<void>,
): Promise<void> {
  mkdirSync(path.dirname(file), { recursive: true });
  const out: WriteStream = createWriteStream(file);
  out.write(`${columns.join(",")}\n`);
  await rows(async (values) => {
    if (!out.write(`${values.map(field).join(",")}\n`)) await once(out, "drain");
  });
  out.end();
  await once(out, "finish");
}

/** Which copy of film `movieId` copy `c` of a user rates: spread over the copies, stable. */
function filmCopy(movieId: number, userCopy: number, scale: number): number {
  return (userCopy + movieId) % scale;
}

const splitTitle = (title: string) => {
  const match = /^(.*) \((\d{4})\)\s*$/.exec(title.trim());
  return match ? { name: match[1] as string, year: match[2] as string } : { name: title, year: "" };
};

/** Distinct title of copy c: "Toy Story (1995)" -> "Toy Story: Reel 7 (1995)". */
function copyTitle(title: string, copy: number): string {
  if (copy === 0) return title;
  const { name, year } = splitTitle(title);
  return year ? `${name}: Reel ${copy + 1} (${year})` : `${name}: Reel ${copy + 1}`;
}

function halves(text: string): [string, string] {
  const middle = text.indexOf(". ", Math.floor(text.length / 2));
  return middle < 0 ? [text, ""] : [text.slice(0, middle + 1), text.slice(middle + 2)];
}

export interface ScaleCounts {
  films: number;
  users: number;
  ratings: number;
}

/** Writes the folder for `scale` (1 copies the real files' content) and returns its counts. */
export async function writeScaledData(
  source: string,
  target: string,
  scale: number,
): Promise<ScaleCounts> {
  const file = (key: keyof typeof SOURCE_FILES, dir: string) => path.join(dir, SOURCE_FILES[key]);
  const movies = read(file("movies", source));
  const links = new Map(read(file("links", source)).map((r) => [r.movieId, r]));
  const tmdb = read(file("tmdb", source));
  const tmdbById = new Map(tmdb.map((r) => [r.id, r]));
  const imdb = read(file("imdb", source));
  const ratings = read(file("ratings", source));
  const tags = read(file("tags", source));

  await writeCsv(file("movies", target), ["movieId", "title", "genres"], async (emit) => {
    for (let c = 0; c < scale; c++)
      for (const m of movies)
        await emit([
          String(Number(m.movieId) + c * FILM_STRIDE),
          copyTitle(m.title ?? "", c),
          m.genres ?? "",
        ]);
  });
  await writeCsv(file("links", target), ["movieId", "imdbId", "tmdbId"], async (emit) => {
    for (let c = 0; c < scale; c++)
      for (const m of movies) {
        const link = links.get(m.movieId ?? "");
        const tmdbId = link?.tmdbId ? String(Number(link.tmdbId) + c * TMDB_STRIDE) : "";
        // Copies have no IMDb id of their own; IMDb rows join on title and year.
        await emit([
          String(Number(m.movieId) + c * FILM_STRIDE),
          c === 0 ? (link?.imdbId ?? "") : "",
          tmdbId,
        ]);
      }
  });
  await writeCsv(file("tmdb", target), ["id", "title", "overview", "popularity"], async (emit) => {
    for (let c = 0; c < scale; c++)
      for (const [i, t] of tmdb.entries()) {
        const other = tmdb[(i + 7919 * c) % tmdb.length] ?? t;
        const overview =
          c === 0
            ? (t.overview ?? "")
            : `${halves(t.overview ?? "")[0]} ${halves(other.overview ?? "")[1]}`.trim();
        await emit([
          String(Number(t.id) + c * TMDB_STRIDE),
          t.title ?? "",
          overview,
          t.popularity ?? "",
        ]);
      }
  });
  await writeCsv(
    file("imdb", target),
    ["Series_Title", "Released_Year", "Director", "Star1", "Star2", "Star3", "Star4"],
    async (emit) => {
      // Copy c of a film gets the people of another real film (joined on its copy's title).
      const byKey = movies.map((m) => {
        const link = links.get(m.movieId ?? "");
        return { m, tmdb: link?.tmdbId ? tmdbById.get(link.tmdbId) : undefined };
      });
      for (let c = 0; c < scale; c++)
        for (const [i, person] of imdb.entries()) {
          if (c === 0) {
            await emit([
              person.Series_Title ?? "",
              person.Released_Year ?? "",
              person.Director ?? "",
              person.Star1 ?? "",
              person.Star2 ?? "",
              person.Star3 ?? "",
              person.Star4 ?? "",
            ]);
            continue;
          }
          const film = byKey[(i * 13 + c * 101) % byKey.length]?.m;
          if (!film) continue;
          const { name, year } = splitTitle(copyTitle(film.title ?? "", c));
          await emit([
            name,
            year,
            person.Director ?? "",
            person.Star1 ?? "",
            person.Star2 ?? "",
            person.Star3 ?? "",
            person.Star4 ?? "",
          ]);
        }
    },
  );
  // Copy c of a user's rating or tag: the user's copy, on the film copy filmCopy picks.
  const copied = (row: Row, c: number) => {
    const movieId = Number(row.movieId);
    return [
      String(Number(row.userId) + c * USER_STRIDE),
      String(movieId + filmCopy(movieId, c, scale) * FILM_STRIDE),
    ];
  };
  await writeCsv(
    file("ratings", target),
    ["userId", "movieId", "rating", "timestamp"],
    async (emit) => {
      for (let c = 0; c < scale; c++)
        for (const r of ratings) await emit([...copied(r, c), r.rating ?? "", r.timestamp ?? ""]);
    },
  );
  await writeCsv(file("tags", target), ["userId", "movieId", "tag", "timestamp"], async (emit) => {
    for (let c = 0; c < scale; c++)
      for (const t of tags) await emit([...copied(t, c), t.tag ?? "", t.timestamp ?? ""]);
  });
  const users = new Set(ratings.map((r) => r.userId)).size;
  return { films: movies.length * scale, users: users * scale, ratings: ratings.length * scale };
}
