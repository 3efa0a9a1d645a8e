DROP INDEX "movies_title_key_idx";--> statement-breakpoint
ALTER TABLE "movies" DROP COLUMN "title_key";