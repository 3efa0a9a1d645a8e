CREATE TABLE "explanation_feedback" (
	"id" serial PRIMARY KEY NOT NULL,
	"user_id" integer NOT NULL,
	"movie_id" integer NOT NULL,
	"explanation_id" integer,
	"source" text NOT NULL,
	"prompt_version" text NOT NULL,
	"helpful" boolean NOT NULL,
	"reason" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "movie_neighbors" (
	"movie_id" integer NOT NULL,
	"neighbor_id" integer NOT NULL,
	"score" real NOT NULL,
	CONSTRAINT "movie_neighbors_movie_id_neighbor_id_pk" PRIMARY KEY("movie_id","neighbor_id")
);
--> statement-breakpoint
CREATE TABLE "movie_stats" (
	"movie_id" integer PRIMARY KEY NOT NULL,
	"ratings_count" integer NOT NULL,
	"likes_count" integer NOT NULL,
	"mean_rating" real NOT NULL
);
--> statement-breakpoint
-- Rows cached before this migration were all written by Claude.
ALTER TABLE "ai_explanations" ADD COLUMN "source" text DEFAULT 'claude' NOT NULL;--> statement-breakpoint
ALTER TABLE "ai_explanations" ALTER COLUMN "source" DROP DEFAULT;--> statement-breakpoint
ALTER TABLE "ai_explanations" ADD COLUMN "model_calls" smallint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "movies" ADD COLUMN "title_key" text GENERATED ALWAYS AS (regexp_replace(translate(lower("movies"."title"), 'áàâäãåéèêëíìîïóòôöõøúùûüñçýÿ', 'aaaaaaeeeeiiiioooooouuuuncyy'), '\s*\(.*\)$', '')) STORED;--> statement-breakpoint
ALTER TABLE "explanation_feedback" ADD CONSTRAINT "explanation_feedback_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "explanation_feedback" ADD CONSTRAINT "explanation_feedback_movie_id_movies_id_fk" FOREIGN KEY ("movie_id") REFERENCES "public"."movies"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "explanation_feedback" ADD CONSTRAINT "explanation_feedback_explanation_id_ai_explanations_id_fk" FOREIGN KEY ("explanation_id") REFERENCES "public"."ai_explanations"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "movie_neighbors" ADD CONSTRAINT "movie_neighbors_movie_id_movies_id_fk" FOREIGN KEY ("movie_id") REFERENCES "public"."movies"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "movie_neighbors" ADD CONSTRAINT "movie_neighbors_neighbor_id_movies_id_fk" FOREIGN KEY ("neighbor_id") REFERENCES "public"."movies"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "movie_stats" ADD CONSTRAINT "movie_stats_movie_id_movies_id_fk" FOREIGN KEY ("movie_id") REFERENCES "public"."movies"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "explanation_feedback_user_explanation_idx" ON "explanation_feedback" USING btree ("user_id","explanation_id");--> statement-breakpoint
CREATE INDEX "explanation_feedback_prompt_idx" ON "explanation_feedback" USING btree ("prompt_version","source");--> statement-breakpoint
CREATE INDEX "ai_explanations_user_created_idx" ON "ai_explanations" USING btree ("user_id","created_at");--> statement-breakpoint
CREATE INDEX "movies_title_key_idx" ON "movies" USING btree ("title_key");