import { z } from "zod";
import type { SearchFilters } from "./query-filters.ts";

const MovieSummaryRow = z.object({
  movieId: z.coerce.number(),
  title: z.string(),
  year: z.number().nullable(),
  genres: z.array(z.string()),
  overview: z.string().nullable(),
});

/**
 * A lexical hit: what fusion ranks by and the title an exact match is
 * checked against. Display fields are read later, for the page only.
 */
export const LexicalHit = z.object({
  movieId: z.coerce.number(),
  title: z.string(),
  /** Full-text rank; null when only the title matched. */
  rank: z.coerce.number().nullable(),
  /** Trigram similarity of the title; null when only the text matched. */
  titleSimilarity: z.coerce.number().nullable(),
});
export type LexicalHit = z.infer<typeof LexicalHit>;

/** A result's display fields, with the overview fragment its text matched. */
export const PageMovie = MovieSummaryRow.extend({ highlight: z.string().nullable() });
export type PageMovie = z.infer<typeof PageMovie>;

/** Anything with node-postgres' query(): the Neon driver's Pool in the Worker, pg's in Node. */
export interface Queryable {
  query(text: string, params: unknown[]): Promise<{ rows: unknown[] }>;
}

/** Queries longer than this skip the title lookup. */
const MAX_TITLE_WORDS = 8;

/** Any query word may match; more matches rank higher. Null for a query of stop words only. */
const ANY_WORD = (param: string) =>
  `nullif(replace(plainto_tsquery('english', ${param})::text, ' & ', ' | '), '')::tsquery`;

/** A filter's SQL parameters: genres (all required), first year, last year; null = unset. */
function filterParams(f: SearchFilters) {
  return [f.genres.length ? f.genres : null, f.yearFrom ?? null, f.yearTo ?? null];
}

/** SQL: movie `m` passes the filter whose filterParams are $first, $first+1, $first+2. */
function passesFilter(first: number): string {
  const [genres, from, to] = [first, first + 1, first + 2].map((n) => `$${n}`);
  return `(${genres}::text[] is null or m.genres @> ${genres}::text[])
          and (${from}::int is null or m.year >= ${from}::int)
          and (${to}::int is null or m.year <= ${to}::int)`;
}

/**
 * Both lexical retrievers in one round trip: full-text search over the stored
 * document under all filters, and trigram similarity on titles
 * ("godfahter" -> The Godfather) under the explicit filters only, so a title
 * is found even when words in it read like a filter. Returns ids, scores and
 * titles only: a search sends the page's display fields once, not every
 * candidate's overview (pageMovies).
 */
export async function lexicalSearch(
  pool: Queryable,
  query: string,
  filters: SearchFilters,
  titleFilters: SearchFilters,
  limit: number,
): Promise<LexicalHit[]> {
  const { rows } = await pool.query(
    `with q as (select ${ANY_WORD("$1")} as tsq, lower($1) as lq),
     text_hits as (
       select m.id, ts_rank_cd(m.search_document, q.tsq) as rank
         from movies m, q
        where m.search_document @@ q.tsq and ${passesFilter(2)}
        order by rank desc, m.id
        limit $8
     ),
     title_hits as (
       select m.id, similarity(lower(m.title), q.lq) as similarity
         from movies m, q
        where $9 and lower(m.title) % q.lq and ${passesFilter(5)}
        order by similarity desc, m.id
        limit 10
     )
     select m.id as "movieId", m.title, t.rank, ti.similarity as "titleSimilarity"
       from (select id from text_hits union select id from title_hits) hits
       join movies m on m.id = hits.id
       left join text_hits t on t.id = m.id
       left join title_hits ti on ti.id = m.id`,
    [
      query,
      ...filterParams(filters),
      ...filterParams(titleFilters),
      limit,
      // A long description is no title: its trigrams only cost time.
      query.trim().split(/\s+/).length <= MAX_TITLE_WORDS,
    ],
  );
  return rows.map((row) => LexicalHit.parse(row));
}

/**
 * Display fields for a page of results, with a highlighted overview fragment
 * for those the text matched (ts_headline re-parses each overview, so only
 * the page's get one).
 */
export async function pageMovies(
  pool: Queryable,
  ids: number[],
  query: string,
  textMatched: number[],
): Promise<Map<number, PageMovie>> {
  if (ids.length === 0) return new Map();
  const { rows } = await pool.query(
    `select id as "movieId", title, year, genres, overview,
            case when id = any($2::int[]) and overview is not null
                 then ts_headline('english', overview, ${ANY_WORD("$3")}, 'MaxFragments=1,MaxWords=18,MinWords=8')
            end as highlight
       from movies where id = any($1::int[])`,
    [ids, textMatched, query],
  );
  return new Map(
    rows.map((row) => {
      const movie = PageMovie.parse(row);
      return [movie.movieId, movie];
    }),
  );
}

/** Every movie that passes `filters`, or null when more than `max` do (see filtered-dense.ts). */
export async function allMoviesMatching(
  pool: Queryable,
  filters: SearchFilters,
  max: number,
): Promise<number[] | null> {
  const { rows } = await pool.query(
    `select m.id from movies m where ${passesFilter(1)} order by m.id limit $4`,
    [...filterParams(filters), max + 1],
  );
  return rows.length > max ? null : (rows as { id: number }[]).map((r) => Number(r.id));
}

/** Which of `ids` pass `filters` (the dense side's post-filter, see filtered-dense.ts). */
export async function moviesMatching(
  pool: Queryable,
  ids: number[],
  filters: SearchFilters,
): Promise<Set<number>> {
  if (ids.length === 0) return new Set();
  const { rows } = await pool.query(
    `select m.id from movies m where m.id = any($1::int[]) and ${passesFilter(2)}`,
    [ids, ...filterParams(filters)],
  );
  return new Set((rows as { id: number }[]).map((r) => Number(r.id)));
}
