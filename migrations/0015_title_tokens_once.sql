-- marquee_title_tokens (migration 0014) restated in PL/pgSQL: the same
-- tokens for every title (so movies_title_tokens_idx stays as it is), at a
-- quarter of the cost. As a SQL function with a SET clause it cannot be
-- inlined, and its ARRAY(SELECT ... unnest) subquery was set up again on
-- every call: 74 us a title, 7.2 s of a 10x ingest's movie merge (97,420
-- films; 100x: 974,200). PL/pgSQL keeps the expressions' plans and needs no
-- subquery: the words are joined around their suffix and split again
-- (chr(1) is a separator to to_tsvector, never inside a word). 1.7 s at 10x.
CREATE OR REPLACE FUNCTION marquee_title_tokens(title text, alternate_titles text[]) RETURNS tsvector
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE SET search_path FROM CURRENT AS $$
DECLARE
  words text[] := tsvector_to_array(marquee_title_vector(title, alternate_titles));
  suffix text := '/' || marquee_title_class(title);
BEGIN
  IF cardinality(words) = 0 THEN
    RETURN ''::tsvector;
  END IF;
  RETURN array_to_tsvector(string_to_array(array_to_string(words, suffix || chr(1)) || suffix, chr(1)));
END
$$;
