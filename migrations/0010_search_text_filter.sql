-- Full-text hits are found by the index, not by ranking every document that
-- has any one of the query's words: at 100x the catalog (bench:scale) a
-- description's common words matched 30,000-114,000 documents, each one's
-- rank and word count computed, 80-370 ms a search. A text hit must hold
-- ceil(text_coverage * words) of the words; marquee_text_filter turns that
-- into a tsquery the GIN index answers (the same hits, measured on all 30
-- sample queries: 0.4-72 ms at 100x). The OR query still ranks them.
-- marquee_search_page's text list reads it (the function is restated once,
-- with the title lookup, in migration 0013).
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
