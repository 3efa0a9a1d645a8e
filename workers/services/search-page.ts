import { z } from "zod";
import { type MatchSource, RRF_K } from "./fusion.ts";
import type { SearchFilters } from "./query-filters.ts";

/** Anything with node-postgres' query(): the Neon driver's Pool in the Worker, pg's in Node. */
export interface Queryable {
  query(text: string, params: unknown[]): Promise<{ rows: unknown[] }>;
}

/** Queries longer than this skip the title lookup. */
const MAX_TITLE_WORDS = 8;

/** Trigram similarity above which a title counts as the one asked for. */
const NEAR_EXACT_TITLE = 0.8;

/** Title hits taken into fusion (full-text and vector hits: `candidates`). */
const TITLE_CANDIDATES = 10;

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

export interface PageRequest {
  query: string;
  /** Filters on full-text and vector hits: explicit ones and those read from the query. */
  filters: SearchFilters;
  /** Filters on title hits: the explicit ones only ("Animal House" is no filter on Animation). */
  titleFilters: SearchFilters;
  /** Vector hits, nearest first (Chroma's ids); empty when the vector side failed. */
  dense: number[];
  /** True when `dense` holds only movies that pass `filters` (an unfiltered query, or Chroma searched within them). */
  denseFiltered: boolean;
  /** Hits taken from each of full-text and vector retrieval before fusion. */
  candidates: number;
  offset: number;
  limit: number;
}

export const PageRow = z.object({
  movieId: z.number(),
  title: z.string(),
  year: z.number().nullable(),
  genres: z.array(z.string()),
  overview: z.string().nullable(),
  score: z.number(),
  byTitle: z.boolean(),
  byText: z.boolean(),
  byVector: z.boolean(),
  highlight: z.string().nullable(),
});

export interface SearchPage {
  /** The page, best first: each movie with its fused score and how it was found. */
  movies: (Omit<z.infer<typeof PageRow>, "byTitle" | "byText" | "byVector"> & {
    matchedBy: MatchSource[];
  })[];
  /** Movies in the fused list: more pages exist when it is past offset + limit. */
  total: number;
  /** Vector hits that passed `filters` (all of them when `denseFiltered`). */
  denseSurvivors: number;
}

const Counts = z.object({ total: z.number(), denseSurvivors: z.number() });

/**
 * A search's Postgres side in one round trip: full-text hits over the stored
 * document under all filters; trigram title hits ("godfahter" -> The
 * Godfather) under the explicit filters only; the vector hits, kept where
 * they pass the filters; reciprocal-rank fusion of the three lists (ties by
 * movie id, so paging is stable), a near-exact title first; and the page's
 * display fields, with a highlighted overview fragment where the text matched
 * (ts_headline re-parses an overview, so only the page's get one).
 *
 * One query rather than retrieval, then fusion here, then the page's details:
 * each round trip costs the Worker, Neon's proxy and Postgres more CPU than
 * the fusion does (docs/benchmarks.md).
 */
export async function searchPage(pool: Queryable, request: PageRequest): Promise<SearchPage> {
  const { query, filters, titleFilters, dense, denseFiltered, candidates } = request;
  const { rows } = await pool.query(
    `with q as (select ${ANY_WORD("$1")} as tsq, lower($1) as lq),
     text_hits as (
       select id, row_number() over (order by rank desc, id) as rn
         from (select m.id, ts_rank_cd(m.search_document, q.tsq) as rank
                 from movies m, q
                where m.search_document @@ q.tsq and ${passesFilter(2)}
                order by rank desc, m.id
                limit $8) top
     ),
     title_hits as (
       select id, row_number() over (order by similarity desc, id) as rn,
              similarity >= $13::real or named as near_exact
         from (select m.id, similarity(lower(m.title), q.lq) as similarity, lower(m.title) = q.lq as named
                 from movies m, q
                where $9 and lower(m.title) % q.lq and ${passesFilter(5)}
                order by similarity desc, m.id
                limit ${TITLE_CANDIDATES}) top
     ),
     dense_passing as (
       select d.id, d.pos
         from unnest($10::int[]) with ordinality as d(id, pos)
         join movies m on m.id = d.id
        where $11 or (${passesFilter(2)})
     ),
     dense_hits as (
       select id, row_number() over (order by pos) as rn
         from (select id, pos from dense_passing order by pos limit $8) top
     ),
     fused as (
       select ids.id,
              -- Summed title, text, vector, in doubles: what 1 / (k + rank) gives in TypeScript too.
              coalesce(1::float8 / ($12 + ti.rn), 0) + coalesce(1::float8 / ($12 + t.rn), 0)
                + coalesce(1::float8 / ($12 + d.rn), 0) as score,
              ti.id is not null as by_title, t.id is not null as by_text, d.id is not null as by_vector,
              coalesce(ti.near_exact, false) as near_exact
         from (select id from title_hits union select id from text_hits union select id from dense_hits) ids
         left join title_hits ti on ti.id = ids.id
         left join text_hits t on t.id = ids.id
         left join dense_hits d on d.id = ids.id
     ),
     page as (
       -- The movie the query names comes first, whatever the fusion says.
       select * from fused order by near_exact desc, score desc, id offset $14 limit $15
     ),
     counts as (
       select (select count(*) from fused)::int as total,
              (select count(*) from dense_passing)::int as dense_survivors
     )
     select c.total, c.dense_survivors as "denseSurvivors",
            m.id as "movieId", m.title, m.year, m.genres, m.overview, p.score,
            p.by_title as "byTitle", p.by_text as "byText", p.by_vector as "byVector",
            case when p.by_text and m.overview is not null
                 then ts_headline('english', m.overview, q.tsq, 'MaxFragments=1,MaxWords=18,MinWords=8')
            end as highlight
       from counts c
       cross join q
       left join (page p join movies m on m.id = p.id) on true
      order by p.near_exact desc, p.score desc, p.id`,
    [
      query,
      ...filterParams(filters),
      ...filterParams(titleFilters),
      candidates,
      // A long description is no title: its trigrams only cost time.
      query.trim().split(/\s+/).length <= MAX_TITLE_WORDS,
      dense,
      denseFiltered,
      RRF_K,
      NEAR_EXACT_TITLE,
      request.offset,
      request.limit,
    ],
  );
  const counts = Counts.parse(rows[0]);
  return {
    total: counts.total,
    denseSurvivors: counts.denseSurvivors,
    movies: rows
      .filter((row) => (row as { movieId: unknown }).movieId !== null)
      .map((row) => {
        const { byTitle, byText, byVector, ...movie } = PageRow.parse(row);
        const matchedBy: MatchSource[] = [];
        if (byTitle) matchedBy.push("title");
        if (byText) matchedBy.push("text");
        if (byVector) matchedBy.push("vector");
        return { ...movie, matchedBy };
      }),
  };
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
