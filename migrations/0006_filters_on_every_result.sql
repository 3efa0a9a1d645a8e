-- Every row of a search page passes the filters in force (issue 19). Until
-- now title hits were filtered by the explicit parameters only, so "90s
-- comedies" listed "Comedian (2002)". Now every list is filtered by the same
-- effective filters, with one exception decided first: when the query names
-- a film that its own inferred filters would exclude ("All Quiet on the
-- Western Front" is no request for Westerns), the words are a title, the
-- inferred filters are dropped, and the function says so (filters_dropped),
-- so the response never shows a chip it did not apply.
DROP FUNCTION IF EXISTS marquee_search_page(
  text, text[], integer, integer, text[], integer, integer, integer, integer, boolean,
  integer[], boolean, integer, real, integer, integer
);
--> statement-breakpoint
CREATE FUNCTION marquee_search_page(
  query text,
  want_genres text[], year_from integer, year_to integer,
  explicit_genres text[], explicit_year_from integer, explicit_year_to integer,
  candidates integer, title_candidates integer, with_titles boolean,
  dense integer[], dense_filtered boolean,
  rrf_k integer, near_exact_similarity real,
  page_offset integer, page_limit integer
) RETURNS TABLE (
  total integer, dense_survivors integer, filters_dropped boolean,
  movie_id integer, title text, year smallint, genres text[], overview text, score double precision,
  by_title boolean, by_text boolean, by_vector boolean, highlight text
)
LANGUAGE plpgsql STABLE AS $$
#variable_conflict use_column
DECLARE
  named_outside boolean := false;
BEGIN
  -- Only when the query's words added filters of their own .
  IF with_titles AND (want_genres IS DISTINCT FROM explicit_genres
                      OR year_from IS DISTINCT FROM explicit_year_from
                      OR year_to IS DISTINCT FROM explicit_year_to) THEN
    SELECT EXISTS (
      SELECT 1 FROM movies m
       WHERE lower(m.title) % lower(query)
         AND (similarity(lower(m.title), lower(query)) >= near_exact_similarity
              OR lower(m.title) = lower(query))
         AND marquee_passes_filter(m.genres, m.year, explicit_genres, explicit_year_from, explicit_year_to)
         AND NOT marquee_passes_filter(m.genres, m.year, want_genres, year_from, year_to)
    ) INTO named_outside;
    IF named_outside THEN
      want_genres := explicit_genres;
      year_from := explicit_year_from;
      year_to := explicit_year_to;
    END IF;
  END IF;

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
               AND marquee_passes_filter(m.genres, m.year, want_genres, year_from, year_to)
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
  SELECT c.total, c.dense_survivors, named_outside,
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
