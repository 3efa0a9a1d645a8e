CREATE TABLE "explanation_leases" (
	"user_id" integer NOT NULL,
	"movie_id" integer NOT NULL,
	"ratings_version" integer NOT NULL,
	"prompt_version" text NOT NULL,
	"holder" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	CONSTRAINT "explanation_leases_user_id_movie_id_ratings_version_prompt_version_pk" PRIMARY KEY("user_id","movie_id","ratings_version","prompt_version")
);
--> statement-breakpoint
CREATE TABLE "model_call_budget" (
	"purpose" text NOT NULL,
	"user_id" integer NOT NULL,
	"window_start" timestamp with time zone NOT NULL,
	"calls" integer NOT NULL,
	CONSTRAINT "model_call_budget_purpose_user_id_window_start_pk" PRIMARY KEY("purpose","user_id","window_start")
);
