import { sql } from "drizzle-orm";
import {
  check,
  customType,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  real,
  serial,
  smallint,
  text,
  timestamp,
  uniqueIndex,
} from "drizzle-orm/pg-core";

const tsvector = customType<{ data: string }>({ dataType: () => "tsvector" });

/** The catalog: one row per MovieLens movie, enriched from TMDB and IMDb. */
export const movies = pgTable(
  "movies",
  {
    /** MovieLens movieId. */
    id: integer("id").primaryKey(),
    /** Display title with its article restored ("The Matrix"). */
    title: text("title").notNull(),
    /** Alternate titles ("a.k.a." and original-language names), kept for search. */
    alternateTitles: text("alternate_titles").array().notNull().default(sql`'{}'`),
    year: smallint("year"),
    genres: text("genres").array().notNull().default(sql`'{}'`),
    overview: text("overview"),
    director: text("director"),
    topCast: text("top_cast").array().notNull().default(sql`'{}'`),
    /** User tags from MovieLens, most used first, lower-cased and de-duplicated. */
    tags: text("tags").array().notNull().default(sql`'{}'`),
    tmdbId: integer("tmdb_id"),
    imdbId: text("imdb_id"),
    /** TMDB popularity, a prior for recommendations; null when TMDB does not list the movie. */
    popularity: real("popularity"),
    /** sha256 of buildEmbeddingText(movie): the embedder re-embeds a movie when this changes. */
    contentHash: text("content_hash").notNull(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
    /**
     * Weighted full-text document (titles A, people and tags B, overview C),
     * stored so searches rank without re-parsing every row.
     * marquee_movie_document() is defined in migrations/0001_search_indexes.sql.
     */
    searchDocument: tsvector("search_document").generatedAlwaysAs(
      sql`marquee_movie_document(title, alternate_titles, director, top_cast, tags, overview)`,
    ),
  },
  (t) => [
    index("movies_year_idx").on(t.year),
    index("movies_search_document_idx").using("gin", t.searchDocument),
    index("movies_genres_idx").using("gin", t.genres),
    index("movies_tmdb_id_idx").on(t.tmdbId),
    // The trigram index on lower(title) is in the hand-written migration 0001.
  ],
);

export const users = pgTable("users", {
  /** MovieLens userId for imported users. */
  id: integer("id").primaryKey(),
  /** Bumped on every rating write: cached explanations key on it, so a write makes them stale. */
  ratingsVersion: integer("ratings_version").notNull().default(0),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
});

export const ratings = pgTable(
  "ratings",
  {
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    movieId: integer("movie_id")
      .notNull()
      .references(() => movies.id, { onDelete: "cascade" }),
    /** 0.5 to 5.0 in half stars. */
    rating: real("rating").notNull(),
    ratedAt: timestamp("rated_at", { withTimezone: true }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.userId, t.movieId] }),
    check(
      "ratings_half_stars",
      sql`${t.rating} between 0.5 and 5 and ${t.rating} * 2 = floor(${t.rating} * 2)`,
    ),
    // A user's top ratings, newest first among equals.
    index("ratings_user_top_idx").on(t.userId, t.rating.desc(), t.ratedAt.desc()),
    // Co-rating lookups (who else rated this movie).
    index("ratings_movie_idx").on(t.movieId, t.rating),
  ],
);

/** Cache of generated "Why this?" explanations. */
export const aiExplanations = pgTable(
  "ai_explanations",
  {
    id: serial("id").primaryKey(),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    movieId: integer("movie_id")
      .notNull()
      .references(() => movies.id, { onDelete: "cascade" }),
    /** users.ratings_version at generation time. */
    ratingsVersion: integer("ratings_version").notNull(),
    promptVersion: text("prompt_version").notNull(),
    /** { explanation, confidence, evidence } as returned to the client. */
    explanation: jsonb("explanation").notNull(),
    model: text("model").notNull(),
    inputTokens: integer("input_tokens").notNull().default(0),
    cachedInputTokens: integer("cached_input_tokens").notNull().default(0),
    outputTokens: integer("output_tokens").notNull().default(0),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
  },
  (t) => [
    uniqueIndex("ai_explanations_key_idx").on(
      t.userId,
      t.movieId,
      t.ratingsVersion,
      t.promptVersion,
    ),
    index("ai_explanations_expires_idx").on(t.expiresAt),
  ],
);

export type Movie = typeof movies.$inferSelect;
export type NewMovie = typeof movies.$inferInsert;
export type NewRating = typeof ratings.$inferInsert;
