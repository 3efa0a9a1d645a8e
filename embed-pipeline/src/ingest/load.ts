import type pg from "pg";
import type { NewMovie } from "../../../core/db/schema.ts";
import { withForeignKeysAfter } from "../db/constraints.ts";
import { copyRows } from "../db/copy-rows.ts";
import type { RowProblem } from "./csv.ts";

export interface WriteCounts {
  inserted: number;
  updated: number;
  unchanged: number;
  deleted: number;
}

export interface LoadResult {
  movies: WriteCounts;
  users: { inserted: number };
  /** `keptDeleted`: ratings in the files that their user has deleted through the API since. */
  ratings: WriteCounts & { keptDeleted: number };
}

/** One line of ratings.csv, validated. */
export interface IncomingRating {
  line: number;
  userId: number;
  movieId: number;
  rating: number;
  /** Seconds since the epoch, as MovieLens writes it. */
  timestamp: number;
}

export interface CatalogInput {
  movies: AsyncIterable<NewMovie> | Iterable<NewMovie>;
  ratings: AsyncIterable<IncomingRating> | Iterable<IncomingRating>;
  /** Users known from elsewhere (they only tagged): they get a row too. */
  otherUsers: number[];
  /** How problems found in the ratings name their file. */
  ratingsFile: string;
}

const MOVIE_COLUMNS = [
  "id",
  "title",
  "alternate_titles",
  "year",
  "genres",
  "overview",
  "director",
  "top_cast",
  "tags",
  "tmdb_id",
  "imdb_id",
  "popularity",
  "content_hash",
] as const;
const CHANGEABLE = MOVIE_COLUMNS.filter((c) => c !== "id");
const list = (prefix: string) => CHANGEABLE.map((c) => `${prefix}${c}`).join(", ");

/**
 * Writes the catalog in one transaction: either all of it lands or none.
 * Films and ratings stream in with COPY into temporary tables (memory stays
 * flat however large the files), then each table is merged with one
 * statement. Unchanged rows are not touched (the upserts only update when a
 * value differs), so a second run with the same files writes nothing. Movies
 * no longer in the catalog are deleted; ratings are only added or updated,
 * because users may have rated through the API since the last import, and a
 * rating deleted through the API stays deleted unless the files hold a newer
 * one. Ratings of unknown films and second ratings of a film by the same user
 * are found in SQL too (a set of 32 million pairs in memory would not do) and
 * become problems naming their line.
 */
export async function loadCatalog(
  pool: pg.Pool,
  input: CatalogInput,
  problems: RowProblem[],
): Promise<LoadResult> {
  const client = await pool.connect();
  const count = async (query: string, values: unknown[] = []) =>
    Number((await client.query<{ n: number }>(query, values)).rows[0]?.n ?? 0);
  try {
    await client.query("begin");
    // A first load (no films, no ratings) checks the ratings' two keys once,
    // after the merge, instead of for every rating: half of the merge's time
    // at 10x (17-21 s -> 10 s). Dropping the keys locks ratings, movies and
    // users until commit, which blocks no one while they hold nothing; a
    // later ingest keeps them, as searches and recommendations would wait.
    const firstLoad =
      (await count(
        "select (not exists (select from movies) and not exists (select from ratings))::int as n",
      )) === 1;
    await client.query(`create temp table incoming_movies (
        id int primary key, title text not null, alternate_titles text[] not null,
        year smallint, genres text[] not null, overview text, director text,
        top_cast text[] not null, tags text[] not null, tmdb_id int, imdb_id text,
        popularity real, content_hash text not null
      ) on commit drop`);
    await client.query(`create temp table incoming_ratings (
        line int not null, user_id int not null, movie_id int not null,
        rating real not null, ts bigint not null
      ) on commit drop`);

    const movieCount = await copyRows(
      client,
      "incoming_movies",
      MOVIE_COLUMNS,
      movieValues(input.movies),
    );
    await copyRows(
      client,
      "incoming_ratings",
      ["line", "user_id", "movie_id", "rating", "ts"],
      ratingValues(input.ratings),
    );
    await client.query("analyze incoming_movies, incoming_ratings");

    const { rows: movieRows } = await client.query<{ inserted: number; written: number }>(`
      with written as (
        insert into movies (${MOVIE_COLUMNS.join(", ")})
        select ${MOVIE_COLUMNS.join(", ")} from incoming_movies
        on conflict (id) do update set
          ${CHANGEABLE.map((c) => `${c} = excluded.${c}`).join(", ")}, updated_at = now()
        where (${list("movies.")}) is distinct from (${list("excluded.")})
        -- xmax = 0 only for a freshly inserted row version.
        returning xmax = 0 as inserted)
      select count(*) filter (where inserted)::int as inserted, count(*)::int as written
      from written`);
    const movieWrites = movieRows[0] ?? { inserted: 0, written: 0 };
    const deletedMovies = await count(`
      with gone as (
        delete from movies m where not exists (select from incoming_movies i where i.id = m.id)
        returning 1)
      select count(*)::int as n from gone`);

    const unknown = await client.query<{ line: number; movie_id: number }>(`
      delete from incoming_ratings r
      where not exists (select from incoming_movies m where m.id = r.movie_id)
      returning line, movie_id`);
    for (const r of unknown.rows) {
      problems.push({
        file: input.ratingsFile,
        line: r.line,
        message: `unknown movieId ${r.movie_id}`,
      });
    }
    const second = await client.query<{ line: number; user_id: number; movie_id: number }>(`
      delete from incoming_ratings r
      using (
        select line from (
          select line, row_number() over (partition by user_id, movie_id order by line) as n
          from incoming_ratings) numbered
        where n > 1) later
      where r.line = later.line
      returning r.line, r.user_id, r.movie_id`);
    for (const r of second.rows) {
      problems.push({
        file: input.ratingsFile,
        line: r.line,
        message: `second rating of movie ${r.movie_id} by user ${r.user_id}`,
      });
    }

    const usersInserted = await count(
      `with added as (
        insert into users (id)
        select user_id from incoming_ratings union select unnest($1::int[])
        on conflict do nothing
        returning 1)
      select count(*)::int as n from added`,
      [input.otherUsers],
    );

    const keptDeleted = await count(`
      with kept as (
        delete from incoming_ratings r using rating_deletions d
        where d.user_id = r.user_id and d.movie_id = r.movie_id
          and to_timestamp(r.ts) <= d.deleted_at
        returning 1)
      select count(*)::int as n from kept`);
    const attempted = await count("select count(*)::int as n from incoming_ratings");
    const mergeRatings = () =>
      client.query<{ inserted: number; written: number }>(`
      with written as (
        insert into ratings (user_id, movie_id, rating, rated_at)
        select user_id, movie_id, rating, to_timestamp(ts) from incoming_ratings
        on conflict (user_id, movie_id) do update
          set rating = excluded.rating, rated_at = excluded.rated_at
          -- Only a newer rating in the files wins: a rating changed through the
          -- API since is newer than the export and must survive a re-ingest.
          where excluded.rated_at > ratings.rated_at
        returning user_id, xmax = 0 as inserted),
      -- A changed rating makes that user's cached explanations stale.
      bumped as (
        update users set ratings_version = ratings_version + 1
        where id in (select user_id from written))
      select count(*) filter (where inserted)::int as inserted, count(*)::int as written
      from written`);
    const { rows: ratingRows } = firstLoad
      ? await withForeignKeysAfter(client, "ratings", mergeRatings)
      : await mergeRatings();
    const ratingWrites = ratingRows[0] ?? { inserted: 0, written: 0 };
    await client.query("commit");
    client.release();
    return {
      movies: {
        inserted: movieWrites.inserted,
        updated: movieWrites.written - movieWrites.inserted,
        unchanged: movieCount - movieWrites.written,
        deleted: deletedMovies,
      },
      users: { inserted: usersInserted },
      ratings: {
        inserted: ratingWrites.inserted,
        updated: ratingWrites.written - ratingWrites.inserted,
        unchanged: attempted - ratingWrites.written,
        deleted: 0,
        keptDeleted,
      },
    };
  } catch (error) {
    await client.query("rollback").catch(() => {});
    // A client whose transaction failed may have lost its server: not back into the pool.
    client.release(error instanceof Error ? error : true);
    throw error;
  }
}

async function* movieValues(movies: CatalogInput["movies"]) {
  for await (const m of movies) {
    yield [
      m.id,
      m.title,
      m.alternateTitles ?? [],
      m.year ?? null,
      m.genres ?? [],
      m.overview ?? null,
      m.director ?? null,
      m.topCast ?? [],
      m.tags ?? [],
      m.tmdbId ?? null,
      m.imdbId ?? null,
      m.popularity ?? null,
      m.contentHash,
    ];
  }
}

async function* ratingValues(ratings: CatalogInput["ratings"]) {
  for await (const r of ratings) yield [r.line, r.userId, r.movieId, r.rating, r.timestamp];
}
