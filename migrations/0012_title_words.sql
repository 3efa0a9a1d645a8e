CREATE TABLE "title_words" (
	"word" text PRIMARY KEY NOT NULL
);
