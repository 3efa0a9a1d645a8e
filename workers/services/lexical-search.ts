import type { Pool } from "@neondatabase/serverless";
import { z } from "zod";
import type { SearchFilters } from "./query-filters.ts";

export const MovieRow = z.object({
  movieId: z.coerce.number(),
  title: z.string(),
  year: z.number().nullable(),
  genres: z.array(z.string()),
  overview: z.string().nullable(),
  rank: z.coerce.number(),
  titleSimilarity: z.coerce.number(),
  highlight: z.string().nullable(),
});
export type MovieRow = z.infer<typeof MovieRow>;

const DOCUMENT =
  "marquee_movie_document(title, alternate_titles, director, top_cast, tags, overview)";

/**
 * Full-text search over titles, people, tags and overviews (websearch syntax,
 * English stemming) plus trigram similarity on titles, so "godfahter" still
 * reaches The Godfather. One round trip; both indexes are used.
 */
export async function lexicalSearch(
  pool: Pool,
  query: string,
  filters: SearchFilters,
  limit: number,
): Promise<MovieRow[]> {
  const { rows } = await pool.query(
    `with q as (select websearch_to_tsquery('english', $1) as tsq, lower($1) as lq)
     select m.id as "movieId", m.title, m.year, m.genres, m.overview,
            ts_rank_cd(${DOCUMENT}, q.tsq) as rank,
            similarity(lower(m.title), q.lq) as "titleSimilarity",
            case when ${DOCUMENT} @@ q.tsq and m.overview is not null
                 then ts_headline('english', m.overview, q.tsq, 'MaxFragments=1,MaxWords=18,MinWords=8')
            end as highlight
       from movies m, q
      where (${DOCUMENT} @@ q.tsq or lower(m.title) % q.lq)
        and ($2::text[] is null or m.genres @> $2::text[])
        and ($3::int is null or m.year >= $3::int)
        and ($4::int is null or m.year <= $4::int)
      order by greatest(ts_rank_cd(${DOCUMENT}, q.tsq), similarity(lower(m.title), q.lq)) desc, m.id
      limit $5`,
    [
      query,
      filters.genres.length ? filters.genres : null,
      filters.yearFrom ?? null,
      filters.yearTo ?? null,
      limit,
    ],
  );
  return rows.map((row) => MovieRow.parse(row));
}

/** Display fields for movies found only by vector search. */
export async function moviesByIds(
  pool: Pool,
  ids: number[],
): Promise<Map<number, { overview: string | null }>> {
  if (ids.length === 0) return new Map();
  const { rows } = await pool.query(`select id, overview from movies where id = any($1::int[])`, [
    ids,
  ]);
  return new Map(
    rows.map((r: { id: number; overview: string | null }) => [r.id, { overview: r.overview }]),
  );
}
