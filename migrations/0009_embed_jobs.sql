CREATE TABLE "embed_jobs" (
	"movie_id" integer PRIMARY KEY NOT NULL,
	"op" text NOT NULL,
	"status" text NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	"queued_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "embed_jobs_op" CHECK ("embed_jobs"."op" in ('upsert', 'delete')),
	CONSTRAINT "embed_jobs_status" CHECK ("embed_jobs"."status" in ('queued', 'done', 'dead'))
);
--> statement-breakpoint
CREATE INDEX "embed_jobs_status_idx" ON "embed_jobs" USING btree ("status","updated_at" DESC NULLS LAST);