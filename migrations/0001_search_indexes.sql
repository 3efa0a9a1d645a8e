-- Lexical search support, hand-written because drizzle-kit cannot express it.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
--> statement-breakpoint
-- One searchable document per movie. array_to_string is only STABLE in
-- Postgres (it depends on element output functions); for text[] it is
-- deterministic, so declaring this wrapper IMMUTABLE is safe and lets it be
-- indexed. Weights: titles A, people and tags B, overview C.
CREATE OR REPLACE FUNCTION marquee_movie_document(
  title text, alternate_titles text[], director text, top_cast text[], tags text[], overview text
) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT
    setweight(to_tsvector('english'::regconfig, coalesce(title, '') || ' ' || array_to_string(alternate_titles, ' ')), 'A') ||
    setweight(to_tsvector('english'::regconfig, coalesce(director, '') || ' ' || array_to_string(top_cast, ' ') || ' ' || array_to_string(tags, ' ')), 'B') ||
    setweight(to_tsvector('english'::regconfig, coalesce(overview, '')), 'C')
$$;
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS movies_document_idx ON movies USING gin (
  marquee_movie_document(title, alternate_titles, director, top_cast, tags, overview)
);
--> statement-breakpoint
-- Typo-tolerant title lookups ("godfahter"): trigram similarity on lower(title).
CREATE INDEX IF NOT EXISTS movies_title_trgm_idx ON movies USING gin (lower(title) gin_trgm_ops);
