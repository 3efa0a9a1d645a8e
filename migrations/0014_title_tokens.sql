-- The title lookup reads the titles that can be most alike first (issue 18).
-- Migration 0013 found a query's candidate titles through their words; when
-- only some words were found (its step 3), it read up to 2,000 of them in
-- the table's order and kept the 200 most alike: at 100x (bench:scale) a
-- common word ("war", "summer": thousands of titles) made that 2,000 heap
-- reads and trigram similarities (about 10 us each), 15-30 ms of a search,
-- and which 2,000 was chance.
--
-- A title of t trigrams is at most min(q, t) / max(q, t) alike to a query of
-- q (similarity s / (q + t - s), with s <= min(q, t)). So each title word is
-- also indexed with its title's length class (the trigram count on a 1.25
-- ratio scale), and step 3 reads the classes that can be most alike first,
-- only those that can reach `min_share`, and at most 500 titles. Step 2
-- (titles holding every word) reads 0013's index as before.
--
-- A title's class: floor(log_1.25(trigrams)), from the trigrams similarity() compares.
-- Index expressions run with search_path pg_catalog on PostgreSQL 17 (the
-- embedded default): this function and the next name pg_trgm's show_trgm and
-- each other, so they carry the search_path they were created with.
CREATE OR REPLACE FUNCTION marquee_title_class(title text) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path FROM CURRENT AS $$
  SELECT floor(ln(greatest(cardinality(show_trgm(coalesce(title, ''))), 1)) / ln(1.25))::integer
$$;
--> statement-breakpoint
-- How alike a title of class `class` can be to a query of `q` trigrams: a
-- title of t trigrams at most min(q, t) / max(q, t).
CREATE OR REPLACE FUNCTION marquee_title_class_bound(class integer, q real) RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN q < power(1.25::float8, class) THEN q / power(1.25::float8, class)
              WHEN q >= power(1.25::float8, class + 1) THEN power(1.25::float8, class + 1) / q
              ELSE 1 END
$$;
--> statement-breakpoint
-- A film's title words (migration 0013's marquee_title_vector), each with its
-- title's class ("war/10"); an alternate title's words with the main title's
-- class, as the main title is what the lookup compares. (The class as one
-- more token, '#10', ANDed with the words, made the GIN index read every
-- title of the class: 10 ms for no hit at 100x.)
CREATE OR REPLACE FUNCTION marquee_title_tokens(title text, alternate_titles text[]) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path FROM CURRENT AS $$
  SELECT array_to_tsvector(ARRAY(
    SELECT w.word || '/' || marquee_title_class(title)
      FROM unnest(tsvector_to_array(marquee_title_vector(title, alternate_titles))) AS w(word)))
$$;
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS movies_title_tokens_idx ON movies USING gin (marquee_title_tokens(title, alternate_titles));
--> statement-breakpoint
-- `words` (a tsquery of quoted title words) asked of the given classes only:
-- each word 'w' becomes ('w/c1' | 'w/c2' | ...). A title has one class, so
-- a title holding every word of a term holds them all in its own class.
CREATE OR REPLACE FUNCTION marquee_title_query(words text, classes integer[]) RETURNS tsquery
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT regexp_replace(words, '''((?:[^'']|'''')+)''',
                        '(' || (SELECT string_agg('''\1/' || c || '''', ' | ') FROM unnest(classes) AS c) || ')',
                        'g')::tsquery
$$;
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
-- Step 2 reads at most SCANNED of its titles, in the table's order (a
-- title holding every typed word is a candidate however long it is: "like
-- dr strangelove"). Step 3 reads only the length classes whose titles can be
-- more than `min_share` alike, those that can be most alike first (ROUNDS),
-- at most PARTIAL_SCANNED titles, and stops once KEPT titles are more alike
-- than the next round allows. The answer: the exact title, lower-cased,
-- always; then the KEPT most alike of each step's titles. A title that
-- shares only parts of words with the query (no whole word, no corrected or
-- extended word) is not found: the price of the bound.
CREATE OR REPLACE FUNCTION marquee_title_candidates(query text, min_share real) RETURNS integer[]
LANGUAGE plpgsql STABLE PARALLEL SAFE
-- The trigram index's own cut for vocabulary words; the edit distance decides.
SET pg_trgm.similarity_threshold = 0.2
AS $$
DECLARE
  LEAST_HITS CONSTANT integer := 50;
  SCANNED CONSTANT integer := 2000;
  PARTIAL_SCANNED CONSTANT integer := 500;
  KEPT CONSTANT integer := 200;
  TERM_WORDS CONSTANT integer := 8;
  TERM_SIZE CONSTANT integer := 4;
  -- A round of step 3 reads the classes whose bound is above its figure and
  -- at most the previous round's; the last round's figure is `min_share`.
  ROUNDS CONSTANT real[] := '{0.6}';
  -- Classes 0..MAX_CLASS: 1.25^40 trigrams is past any title.
  MAX_CLASS CONSTANT integer := 40;
  lq text := lower(query);
  q real := greatest(cardinality(show_trgm(query)), 1);
  needed real := min_share * q;
  clauses text[];
  weights integer[];
  terms text[];
  wanted text;
  named integer[];
  hits integer[] := '{}';
  tier_hits integer[];
  found_ids integer[];
  found_similarities real[];
  classes integer[];
  class_query tsquery;
  ceiling real;
  floor_bound real;
  kth real;
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
      wanted := array_to_string(clauses, ' & ');
    ELSE
      -- A one-word query: step 2 read the titles holding it (at most SCANNED) already.
      EXIT WHEN cardinality(clauses) = 1;
      WITH RECURSIVE picks(last, members, total) AS (
        SELECT i, ARRAY[i], weights[i] FROM generate_series(1, least(cardinality(clauses), TERM_WORDS)) AS i
        UNION ALL
        SELECT j, p.members || j, p.total + weights[j]
          FROM picks p, generate_series(p.last + 1, least(cardinality(clauses), TERM_WORDS)) AS j
         WHERE p.total < needed AND cardinality(p.members) < TERM_SIZE
      )
      SELECT array_agg('(' || array_to_string(ARRAY(SELECT clauses[m] FROM unnest(members) AS m), ' & ') || ')')
        INTO terms FROM picks WHERE total >= needed;
      wanted := array_to_string(terms, ' | ');
    END IF;
    found_ids := '{}';
    found_similarities := '{}';
    IF tier = 1 THEN
      SELECT coalesce(array_agg(f.id), '{}'), coalesce(array_agg(f.similarity), '{}')
        INTO found_ids, found_similarities
        FROM (SELECT m.id, similarity(lower(m.title), lq) AS similarity FROM movies m
               WHERE marquee_title_vector(m.title, m.alternate_titles) @@ wanted::tsquery LIMIT SCANNED) f;
    ELSE
      ceiling := 'Infinity';
      FOR r IN 1..cardinality(ROUNDS) + 1 LOOP
        EXIT WHEN wanted IS NULL OR ceiling <= min_share;
        floor_bound := greatest(coalesce(ROUNDS[r], 0), min_share);
        -- The classes of titles that can be more than floor_bound and at most `ceiling` alike to the query.
        classes := ARRAY(SELECT c FROM generate_series(0, MAX_CLASS) AS c
                          WHERE marquee_title_class_bound(c, q) > floor_bound
                            AND marquee_title_class_bound(c, q) <= ceiling);
        ceiling := floor_bound;
        CONTINUE WHEN cardinality(classes) = 0;
        -- Computed here, not in the statement: its plan stays the index scan for any query.
        class_query := marquee_title_query(wanted, classes);
        SELECT found_ids || coalesce(array_agg(f.id), '{}'),
               found_similarities || coalesce(array_agg(f.similarity), '{}')
          INTO found_ids, found_similarities
          FROM (SELECT m.id, similarity(lower(m.title), lq) AS similarity FROM movies m
                 WHERE marquee_title_tokens(m.title, m.alternate_titles) @@ class_query
                 LIMIT PARTIAL_SCANNED - cardinality(found_ids)) f;
        EXIT WHEN cardinality(found_ids) >= PARTIAL_SCANNED;
        -- Done when the KEPT-th most alike so far is as alike as any title of a later round can be.
        SELECT s INTO kth FROM unnest(found_similarities) AS s ORDER BY s DESC OFFSET KEPT - 1 LIMIT 1;
        EXIT WHEN kth >= ceiling;
      END LOOP;
    END IF;
    SELECT coalesce(array_agg(f.id ORDER BY f.similarity DESC, f.id), '{}') INTO tier_hits
      FROM (SELECT f.id, f.similarity FROM unnest(found_ids, found_similarities) AS f(id, similarity)
             ORDER BY f.similarity DESC, f.id LIMIT KEPT) f;
    -- The first tier's titles stay, whatever of them the second's KEPT leaves out.
    hits := hits || ARRAY(SELECT h FROM unnest(tier_hits) AS h WHERE h <> ALL (hits));
    EXIT WHEN cardinality(hits) >= LEAST_HITS;
  END LOOP;
  RETURN named || ARRAY(SELECT h FROM unnest(hits) AS h WHERE h <> ALL (named));
END
$$;
