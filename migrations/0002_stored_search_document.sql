ALTER TABLE "movies" ADD COLUMN "search_document" "tsvector" GENERATED ALWAYS AS (marquee_movie_document(title, alternate_titles, director, top_cast, tags, overview)) STORED;--> statement-breakpoint
CREATE INDEX "movies_search_document_idx" ON "movies" USING gin ("search_document");--> statement-breakpoint
-- The stored column replaces the expression index of 0001.
DROP INDEX IF EXISTS "movies_document_idx";
