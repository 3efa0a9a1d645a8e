-- Full-text hits are found by the index, not by ranking every document that
-- has any one of the query's words: at 100x the catalog (bench:scale) a
-- description's common words matched 30,000-114,000 documents, each one's
-- rank and word count computed, 80-370 ms a search. A text hit must hold
-- ceil(text_coverage * words) of the words; marquee_text_filter turns that
-- into a tsquery the GIN index answers (the same hits, measured on all 30
-- sample queries: 0.4-72 ms at 100x). The OR query still ranks them.
CREATE OR REPLACE FUNCTION marquee_text_filter(lexemes text[], need integer) RETURNS tsquery
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
  n integer := coalesce(cardinality(lexemes), 0);
  -- A document with `need` of the n words misses at most n - need, so it has
  -- at least one word of any n - need + 1 of them.
  size integer := n - need + 1;
  subsets bigint := 1;
  quoted text[];
  clauses text[];
BEGIN
  IF need < 1 OR need > n THEN
    RETURN NULL;
  END IF;
  -- Longer words first: usually rarer, so the first clauses select the fewest documents.
  SELECT array_agg('''' || replace(replace(lex, '\', '\\'), '''', '''''') || ''''
                   ORDER BY length(lex) DESC, lex)
    INTO quoted FROM unnest(lexemes) AS lex;
  FOR i IN 1..size LOOP
    subsets := subsets * (n - size + i) / i;
  END LOOP;
  IF subsets <= 20 THEN
    -- Every such subset: exactly "at least `need` of the words", for the index to answer.
    WITH RECURSIVE picks(last, members) AS (
      SELECT i, ARRAY[i] FROM generate_series(1, n) AS i
      UNION ALL
      SELECT j, p.members || j FROM picks p, generate_series(p.last + 1, n) AS j
       WHERE cardinality(p.members) < size
    )
    SELECT array_agg('(' || array_to_string(ARRAY(SELECT quoted[m] FROM unnest(members) AS m), ' | ') || ')')
      INTO clauses FROM picks WHERE cardinality(members) = size;
  ELSE
    -- Too many: disjoint groups of that size, a weaker condition still true of every match.
    SELECT array_agg('(' || array_to_string(quoted[g * size + 1 : g * size + size], ' | ') || ')')
      INTO clauses FROM generate_series(0, n / size - 1) AS g;
  END IF;
  RETURN array_to_string(clauses, ' & ')::tsquery;
END
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION marquee_search_page(
  query text,
  want_genres text[], year_from integer, year_to integer,
  explicit_genres text[], explicit_year_from integer, explicit_year_to integer,
  candidates integer, title_candidates integer, with_titles boolean,
  dense integer[], dense_similarity real[], dense_filtered boolean,
  reference integer,
  weights real[], text_weights real[], text_coverage real,
  prior_similarity real, prior_boost real,
  boost_genres text[], genre_boost real,
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
  -- The query names a film its own words would filter out ("All Quiet on the
  -- Western Front" is no request for Westerns): only the explicit filters hold.
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
           tsvector_to_array(to_tsvector('english', query)) AS lexemes,
           lower(query) AS lq
  ),
  q_filter AS (
    -- What the index can check of text_coverage: found by the GIN index instead
    -- of ranking every document with any one of the words (migration 0010).
    SELECT marquee_text_filter(q.lexemes, greatest(ceil(text_coverage * cardinality(q.lexemes))::integer, 1)) AS tsq
      FROM q
  ),
  text_hits AS (
    -- A text hit holds at least text_coverage of the query's words: one common
    -- word of a long description ("business", "gold") is no match.
    SELECT top.id, row_number() OVER (ORDER BY top.matched DESC, top.rank DESC, top.id) AS rn
      FROM (SELECT hit.id, hit.rank, hit.matched
              FROM (SELECT m.id, ts_rank_cd(text_weights, m.search_document, q.tsq) AS rank,
                           length(m.search_document) - length(ts_delete(m.search_document, q.lexemes)) AS matched,
                           cardinality(q.lexemes) AS asked
                      FROM movies m, q, q_filter f
                     WHERE weights[2] > 0 AND m.search_document @@ f.tsq
                       AND marquee_passes_filter(m.genres, m.year, want_genres, year_from, year_to)) hit
             WHERE hit.matched >= text_coverage * hit.asked
             ORDER BY hit.matched DESC, hit.rank DESC, hit.id
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
    SELECT d.id, d.pos, d.similarity + prior_similarity * coalesce(s.search_prior, 0) AS adjusted
      FROM unnest(dense, dense_similarity) WITH ORDINALITY AS d(id, similarity, pos)
      JOIN movies m ON m.id = d.id
      LEFT JOIN movie_stats s ON s.movie_id = d.id
     WHERE dense_filtered OR marquee_passes_filter(m.genres, m.year, want_genres, year_from, year_to)
  ),
  dense_hits AS (
    SELECT top.id, row_number() OVER (ORDER BY top.adjusted DESC, top.pos) AS rn
      FROM (SELECT dp.id, dp.pos, dp.adjusted FROM dense_passing dp
             WHERE weights[3] > 0
             ORDER BY dp.adjusted DESC, dp.pos LIMIT candidates) top
  ),
  related_hits AS (
    -- A "like" query's reference film: the films its raters also rated highly.
    SELECT top.id, row_number() OVER (ORDER BY top.score DESC, top.id) AS rn
      FROM (SELECT n.neighbor_id AS id, n.score
              FROM movie_neighbors n JOIN movies m ON m.id = n.neighbor_id
             WHERE weights[4] > 0 AND n.movie_id = reference
               AND marquee_passes_filter(m.genres, m.year, want_genres, year_from, year_to)
             ORDER BY n.score DESC, n.neighbor_id
             LIMIT candidates) top
  ),
  fused AS (
    SELECT ids.id,
           (  coalesce(weights[1] / (rrf_k + ti.rn)::float8, 0)
            + coalesce(weights[2] / (rrf_k + t.rn)::float8, 0)
            + coalesce(weights[3] / (rrf_k + d.rn)::float8, 0)
            + coalesce(weights[4] / (rrf_k + r.rn)::float8, 0))
           * (1 + prior_boost * coalesce(s.search_prior, 0))
           * CASE WHEN m.genres && boost_genres THEN 1 + genre_boost ELSE 1 END AS score,
           ti.id IS NOT NULL AS by_title, t.id IS NOT NULL AS by_text,
           d.id IS NOT NULL OR r.id IS NOT NULL AS by_vector,
           coalesce(ti.near_exact, false) AS near_exact
      FROM (SELECT id FROM title_hits UNION SELECT id FROM text_hits
            UNION SELECT id FROM dense_hits UNION SELECT id FROM related_hits) ids
      JOIN movies m ON m.id = ids.id
      LEFT JOIN movie_stats s ON s.movie_id = ids.id
      LEFT JOIN title_hits ti ON ti.id = ids.id
      LEFT JOIN text_hits t ON t.id = ids.id
      LEFT JOIN dense_hits d ON d.id = ids.id
      LEFT JOIN related_hits r ON r.id = ids.id
     WHERE ids.id IS DISTINCT FROM reference
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
