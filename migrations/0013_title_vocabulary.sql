-- Typo-tolerant title lookup that does not grow with the catalog (issue 18).
-- pg_trgm's `%` over every title merged the posting lists of every trigram
-- of the query, and " th", "the", "of " are in a third of all titles: at 100x
-- (bench:scale) the title list alone took 10 ms to 1.5 s a search. Now a
-- typed word is corrected against the vocabulary of title words (thousands of
-- words, not a million titles), films are found through a GIN index over
-- their title words, and only those are compared with the query by trigram
-- similarity, as before (docs/scaling.md). marquee_search_page is restated
-- at the end: its title list reads these candidates and its text list
-- migration 0010's index filter.
CREATE EXTENSION IF NOT EXISTS fuzzystrmatch;
--> statement-breakpoint
-- A film's title words, as to_tsvector('simple') splits them (no stemming, no stop words).
-- array_to_string is only STABLE in general; for text[] it cannot change, so the wrapper is IMMUTABLE.
CREATE OR REPLACE FUNCTION marquee_title_vector(title text, alternate_titles text[]) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT to_tsvector('simple'::regconfig, coalesce(title, '') || ' ' || array_to_string(alternate_titles, ' '))
$$;
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS movies_title_words_idx ON movies USING gin (marquee_title_vector(title, alternate_titles));
--> statement-breakpoint
-- Whatever writes films (the pipeline's merge, the admin API) adds their
-- words to the vocabulary, once per statement.
CREATE OR REPLACE FUNCTION marquee_remember_title_words() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO title_words (word)
  SELECT DISTINCT w.word
    FROM written, unnest(tsvector_to_array(marquee_title_vector(written.title, written.alternate_titles))) AS w(word)
  ON CONFLICT DO NOTHING;
  RETURN NULL;
END
$$;
--> statement-breakpoint
DROP TRIGGER IF EXISTS movies_title_words_insert ON movies;
--> statement-breakpoint
CREATE TRIGGER movies_title_words_insert AFTER INSERT ON movies
  REFERENCING NEW TABLE AS written FOR EACH STATEMENT EXECUTE FUNCTION marquee_remember_title_words();
--> statement-breakpoint
DROP TRIGGER IF EXISTS movies_title_words_update ON movies;
--> statement-breakpoint
CREATE TRIGGER movies_title_words_update AFTER UPDATE ON movies
  REFERENCING NEW TABLE AS written FOR EACH STATEMENT EXECUTE FUNCTION marquee_remember_title_words();
--> statement-breakpoint
INSERT INTO title_words (word)
SELECT DISTINCT w.word
  FROM movies m, unnest(tsvector_to_array(marquee_title_vector(m.title, m.alternate_titles))) AS w(word)
ON CONFLICT DO NOTHING;
--> statement-breakpoint
-- No pending list: the planner prices a GIN index's pending list as read in
-- full, and a freshly loaded vocabulary would sit in it until a vacuum.
CREATE INDEX IF NOT EXISTS title_words_trgm_idx ON title_words USING gin (word gin_trgm_ops) WITH (fastupdate = off);
--> statement-breakpoint
-- An exact title is always a candidate, however common its words.
CREATE INDEX IF NOT EXISTS movies_title_lower_idx ON movies (lower(title));
--> statement-breakpoint
-- A filter's year bounds as marquee_passes_filter inlines them (year::integer):
-- with this index a narrow filter ("animated movies from 2010") is a bitmap
-- AND with the genres index instead of reading every film of the genre
-- (122 ms at 100x before, 13 ms after).
CREATE INDEX IF NOT EXISTS movies_year_filter_idx ON movies ((year::integer));
--> statement-breakpoint
-- The trigram indexes over whole titles are no longer read.
DROP INDEX IF EXISTS movies_title_trgm_idx;
--> statement-breakpoint
DROP INDEX IF EXISTS movies_alternate_titles_trgm_idx;
--> statement-breakpoint
-- The films whose title (or an alternate title) may be `min_share` alike to
-- `query` by trigram similarity, found without reading every title:
--
-- 1. Each typed word is a clause: itself; the vocabulary's words that extend
--    it by up to 3 letters when it has 4 or more ("travel" -> traveler,
--    travelling) or that it extends by 1 or 2 ("rings" -> ring); and when
--    the vocabulary does not know it (a typo), its words within 1 edit (4
--    letters) or 2 edits (5 or more) of it ("godfahter" -> godfather,
--    "matirx" -> matrix), found through the vocabulary's trigram index.
-- 2. Titles holding every clause: when there are LEAST_HITS of them, they are
--    the answer ("toy story" at 100x: hundreds of Toy Storys).
-- 3. Otherwise titles holding clauses worth `min_share` of the query's
--    trigrams (a word of n letters has n + 1): similarity s / (q + t - s) >=
--    share needs s >= share * q shared trigrams, as t >= s. Each smallest set
--    of words that reaches it, heaviest first, is one term of an OR; the GIN
--    index then reads only the words every term needs one of, so "the" or
--    "of" alone never selects a title. Only the TERM_WORDS heaviest words
--    make terms, of at most TERM_SIZE words each (a long query's subsets
--    would be millions; its light words are left to step 2).
--
-- Of at most SCANNED such films, the KEPT most alike to the query (the exact
-- title, lower-cased, always). A title that shares only parts of words with
-- the query (no whole word, no corrected or extended word) is no longer
-- found: the price of the bound.
CREATE OR REPLACE FUNCTION marquee_title_candidates(query text, min_share real) RETURNS integer[]
LANGUAGE plpgsql STABLE PARALLEL SAFE
-- The trigram index's own cut for vocabulary words; the edit distance decides.
SET pg_trgm.similarity_threshold = 0.2
AS $$
DECLARE
  LEAST_HITS CONSTANT integer := 50;
  SCANNED CONSTANT integer := 2000;
  KEPT CONSTANT integer := 200;
  TERM_WORDS CONSTANT integer := 8;
  TERM_SIZE CONSTANT integer := 4;
  lq text := lower(query);
  needed real := min_share * cardinality(show_trgm(query));
  clauses text[];
  weights integer[];
  terms text[];
  wanted tsquery;
  named integer[];
  hits integer[] := '{}';
  tier_hits integer[];
BEGIN
  SELECT array_agg(g.clause ORDER BY g.weight DESC, g.clause), array_agg(g.weight ORDER BY g.weight DESC, g.clause)
    INTO clauses, weights
    FROM (SELECT length(t.word) + 1 AS weight,
                 '(' || (SELECT string_agg('''' || replace(replace(v.word, '\', '\\'), '''', '''''') || '''', ' | ')
                           FROM (SELECT t.word
                                 UNION
                                 SELECT w.word FROM title_words w
                                  WHERE length(t.word) >= 4
                                    AND w.word LIKE replace(replace(replace(t.word, '\', '\\'), '%', '\%'), '_', '\_') || '%'
                                    AND length(w.word) <= length(t.word) + 3
                                 UNION
                                 SELECT w.word FROM title_words w
                                  WHERE length(t.word) >= 5
                                    AND w.word IN (left(t.word, -1), left(t.word, -2))
                                    AND length(w.word) >= 4
                                 UNION
                                 SELECT w.word FROM title_words w
                                  WHERE length(t.word) >= 4
                                    AND NOT EXISTS (SELECT 1 FROM title_words k WHERE k.word = t.word)
                                    AND w.word % t.word
                                    AND levenshtein_less_equal(w.word, t.word, 2)
                                        <= CASE WHEN length(t.word) >= 5 THEN 2 ELSE 1 END) v) || ')' AS clause
            FROM unnest(tsvector_to_array(to_tsvector('simple'::regconfig, query))) AS t(word)) g;
  SELECT coalesce(array_agg(m.id), '{}') INTO named FROM movies m WHERE lower(m.title) = lq;
  IF clauses IS NULL THEN
    RETURN named;
  END IF;
  FOR tier IN 1..2 LOOP
    IF tier = 1 THEN
      wanted := array_to_string(clauses, ' & ')::tsquery;
    ELSE
      WITH RECURSIVE picks(last, members, total) AS (
        SELECT i, ARRAY[i], weights[i] FROM generate_series(1, least(cardinality(clauses), TERM_WORDS)) AS i
        UNION ALL
        SELECT j, p.members || j, p.total + weights[j]
          FROM picks p, generate_series(p.last + 1, least(cardinality(clauses), TERM_WORDS)) AS j
         WHERE p.total < needed AND cardinality(p.members) < TERM_SIZE
      )
      SELECT array_agg('(' || array_to_string(ARRAY(SELECT clauses[m] FROM unnest(members) AS m), ' & ') || ')')
        INTO terms FROM picks WHERE total >= needed;
      wanted := array_to_string(terms, ' | ')::tsquery;
    END IF;
    SELECT coalesce(array_agg(c.id ORDER BY c.similarity DESC, c.id), '{}') INTO tier_hits
      FROM (SELECT f.id, similarity(f.name, lq) AS similarity
              FROM (SELECT m.id, lower(m.title) AS name FROM movies m
                     WHERE marquee_title_vector(m.title, m.alternate_titles) @@ wanted LIMIT SCANNED) f
             ORDER BY similarity DESC, f.id LIMIT KEPT) c;
    -- The first tier's titles stay, whatever of them the second's SCANNED leaves out.
    hits := hits || ARRAY(SELECT h FROM unnest(tier_hits) AS h WHERE h <> ALL (hits));
    EXIT WHEN cardinality(hits) >= LEAST_HITS;
  END LOOP;
  RETURN named || ARRAY(SELECT h FROM unnest(hits) AS h WHERE h <> ALL (named));
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
  -- What `%` meant here before (pg_trgm's default threshold): a title hit is at least this alike.
  TITLE_SIMILARITY CONSTANT real := 0.3;
  -- The films whose titles may answer the query, looked up once.
  title_ids integer[] := CASE WHEN with_titles THEN marquee_title_candidates(query, TITLE_SIMILARITY) ELSE '{}' END;
  named_outside boolean := false;
BEGIN
  -- The query names a film its own words would filter out ("All Quiet on the
  -- Western Front" is no request for Westerns): only the explicit filters hold.
  IF with_titles AND (want_genres IS DISTINCT FROM explicit_genres
                      OR year_from IS DISTINCT FROM explicit_year_from
                      OR year_to IS DISTINCT FROM explicit_year_to) THEN
    SELECT EXISTS (
      SELECT 1 FROM movies m
       WHERE m.id = ANY (title_ids)
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
    SELECT marquee_text_filter(q.lexemes, n.need) AS tsq, n.need
      FROM q, LATERAL (SELECT greatest(ceil(text_coverage * cardinality(q.lexemes))::integer, 1) AS need) n
  ),
  text_hits AS (
    -- A text hit holds at least text_coverage of the query's words: one common
    -- word of a long description ("business", "gold") is no match.
    SELECT top.id, row_number() OVER (ORDER BY top.matched DESC, top.rank DESC, top.id) AS rn
      FROM (SELECT hit.id, hit.rank, hit.matched
              FROM (SELECT m.id, ts_rank_cd(text_weights, m.search_document, q.tsq) AS rank,
                           -- Every word, when the filter asked for every word (a short query):
                           -- ts_delete copies the whole document, 8 ms over 5,000 hits at 100x.
                           CASE WHEN f.need >= cardinality(q.lexemes) THEN cardinality(q.lexemes)
                                ELSE length(m.search_document) - length(ts_delete(m.search_document, q.lexemes))
                           END AS matched,
                           cardinality(q.lexemes) AS asked
                      -- OFFSET 0: the filter is checked on the text's hits, never as a bitmap of
                      -- every film of the genres (88,400 at 100x for Comedy and Romance: 18 ms).
                      FROM (SELECT m.id, m.genres, m.year, m.search_document
                              FROM movies m, q_filter f
                             WHERE weights[2] > 0 AND m.search_document @@ f.tsq OFFSET 0) m, q, q_filter f
                     WHERE marquee_passes_filter(m.genres, m.year, want_genres, year_from, year_to)) hit
             WHERE hit.matched >= text_coverage * hit.asked
             ORDER BY hit.matched DESC, hit.rank DESC, hit.id
             LIMIT candidates) top
  ),
  title_pool AS MATERIALIZED (
    -- Found through the title words, typos corrected (marquee_title_candidates);
    -- only these are compared with the query.
    SELECT unnest(title_ids) AS id
  ),
  title_hits AS (
    SELECT top.id, row_number() OVER (ORDER BY top.similarity DESC, top.id) AS rn,
           top.similarity >= near_exact_similarity OR top.named AS near_exact
      FROM (SELECT m.id, similarity(lower(m.title), q.lq) AS similarity, lower(m.title) = q.lq AS named
              FROM title_pool c JOIN movies m ON m.id = c.id, q
             WHERE (similarity(lower(m.title), q.lq) >= TITLE_SIMILARITY OR lower(m.title) = q.lq)
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
