-- A search's Postgres side as functions, hand-written because drizzle-kit cannot
-- express them. In a function the statement's plan is kept per connection;
-- sent as text, as Neon's HTTP endpoint sends every query, it is planned on
-- every search (0.6-0.9 ms of Postgres' CPU, docs/benchmarks.md).
--
-- Whether movie (genres, year) passes a search filter; a null filter part is unset.
-- Plain SQL, so the planner inlines it.
CREATE OR REPLACE FUNCTION marquee_passes_filter(
  genres text[], year integer, want_genres text[], year_from integer, year_to integer
) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT (want_genres IS NULL OR genres @> want_genres)
     AND (year_from IS NULL OR year >= year_from)
     AND (year_to IS NULL OR year <= year_to)
$$;
--> statement-breakpoint
-- One page of a hybrid search (workers/services/search-page.ts says what each part does).
CREATE OR REPLACE FUNCTION marquee_search_page(
  query text,
  want_genres text[], year_from integer, year_to integer,
  title_genres text[], title_year_from integer, title_year_to integer,
  candidates integer, title_candidates integer, with_titles boolean,
  dense integer[], dense_filtered boolean,
  rrf_k integer, near_exact_similarity real,
  page_offset integer, page_limit integer
) RETURNS TABLE (
  total integer, dense_survivors integer,
  movie_id integer, title text, year smallint, genres text[], overview text, score double precision,
  by_title boolean, by_text boolean, by_vector boolean, highlight text
)
LANGUAGE plpgsql STABLE AS $$
#variable_conflict use_column
BEGIN
  RETURN QUERY
  WITH q AS (
    -- Any query word may match; more matches rank higher. Null for a query of stop words only.
    SELECT nullif(replace(plainto_tsquery('english', query)::text, ' & ', ' | '), '')::tsquery AS tsq,
           lower(query) AS lq
  ),
  text_hits AS (
    SELECT top.id, row_number() OVER (ORDER BY top.rank DESC, top.id) AS rn
      FROM (SELECT m.id, ts_rank_cd(m.search_document, q.tsq) AS rank
              FROM movies m, q
             WHERE m.search_document @@ q.tsq
               AND marquee_passes_filter(m.genres, m.year, want_genres, year_from, year_to)
             ORDER BY rank DESC, m.id
             LIMIT candidates) top
  ),
  title_hits AS (
    SELECT top.id, row_number() OVER (ORDER BY top.similarity DESC, top.id) AS rn,
           top.similarity >= near_exact_similarity OR top.named AS near_exact
      FROM (SELECT m.id, similarity(lower(m.title), q.lq) AS similarity, lower(m.title) = q.lq AS named
              FROM movies m, q
             WHERE with_titles AND lower(m.title) % q.lq
               AND marquee_passes_filter(m.genres, m.year, title_genres, title_year_from, title_year_to)
             ORDER BY similarity DESC, m.id
             LIMIT title_candidates) top
  ),
  dense_passing AS (
    SELECT d.id, d.pos
      FROM unnest(dense) WITH ORDINALITY AS d(id, pos)
      JOIN movies m ON m.id = d.id
     WHERE dense_filtered OR marquee_passes_filter(m.genres, m.year, want_genres, year_from, year_to)
  ),
  dense_hits AS (
    SELECT top.id, row_number() OVER (ORDER BY top.pos) AS rn
      FROM (SELECT dp.id, dp.pos FROM dense_passing dp ORDER BY dp.pos LIMIT candidates) top
  ),
  fused AS (
    SELECT ids.id,
           -- Summed title, text, vector, in doubles: what 1 / (k + rank) gives in TypeScript too.
           coalesce(1::float8 / (rrf_k + ti.rn), 0) + coalesce(1::float8 / (rrf_k + t.rn), 0)
             + coalesce(1::float8 / (rrf_k + d.rn), 0) AS score,
           ti.id IS NOT NULL AS by_title, t.id IS NOT NULL AS by_text, d.id IS NOT NULL AS by_vector,
           coalesce(ti.near_exact, false) AS near_exact
      FROM (SELECT id FROM title_hits UNION SELECT id FROM text_hits UNION SELECT id FROM dense_hits) ids
      LEFT JOIN title_hits ti ON ti.id = ids.id
      LEFT JOIN text_hits t ON t.id = ids.id
      LEFT JOIN dense_hits d ON d.id = ids.id
  ),
  page AS (
    -- The movie the query names comes first, whatever the fusion says.
    SELECT f.* FROM fused f ORDER BY f.near_exact DESC, f.score DESC, f.id OFFSET page_offset LIMIT page_limit
  ),
  counts AS (
    SELECT (SELECT count(*) FROM fused)::integer AS total,
           (SELECT count(*) FROM dense_passing)::integer AS dense_survivors
  )
  SELECT c.total, c.dense_survivors,
         m.id, m.title, m.year, m.genres, m.overview, p.score,
         p.by_title, p.by_text, p.by_vector,
         CASE WHEN p.by_text AND m.overview IS NOT NULL
              THEN ts_headline('english', m.overview, q.tsq, 'MaxFragments=1,MaxWords=18,MinWords=8')
         END
    FROM counts c
    CROSS JOIN q
    LEFT JOIN (page p JOIN movies m ON m.id = p.id) ON true
   ORDER BY p.near_exact DESC, p.score DESC, p.id;
END
$$;
