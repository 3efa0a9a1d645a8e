import { sql } from "drizzle-orm";
import {
  boolean,
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
    // The title-word and lower(title) indexes are in the hand-written migration 0013.
  ],
);

export const users = pgTable("users", {
  /** MovieLens userId for imported users. */
  id: integer("id").primaryKey(),
  /** Bumped on every rating write: cached explanations key on it, so a write makes them stale. */
  ratingsVersion: integer("ratings_version").notNull().default(0),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
});

/**
 * The user and the movie a per-user row is about (ratings, deletions,
 * explanations, feedback): deleting either deletes the row. A function, as
 * every table needs its own column builders.
 */
const userAndMovie = () => ({
  userId: integer("user_id")
    .notNull()
    .references(() => users.id, { onDelete: "cascade" }),
  movieId: integer("movie_id")
    .notNull()
    .references(() => movies.id, { onDelete: "cascade" }),
});

export const ratings = pgTable(
  "ratings",
  {
    ...userAndMovie(),
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

/**
 * A rating its user deleted through the API. The ratings files do not know
 * about the deletion, so without this a re-ingest would bring the rating
 * back; it brings back only a rating in the files newer than the deletion.
 */
export const ratingDeletions = pgTable(
  "rating_deletions",
  {
    ...userAndMovie(),
    deletedAt: timestamp("deleted_at", { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.movieId] })],
);

/** Cache of generated "Why this?" explanations. */
export const aiExplanations = pgTable(
  "ai_explanations",
  {
    id: serial("id").primaryKey(),
    ...userAndMovie(),
    /** users.ratings_version at generation time. */
    ratingsVersion: integer("ratings_version").notNull(),
    promptVersion: text("prompt_version").notNull(),
    /** { explanation, confidence, evidence } as returned to the client. */
    explanation: jsonb("explanation").notNull(),
    /** "claude" or "fallback" (the deterministic explainer). */
    source: text("source").notNull(),
    model: text("model").notNull(),
    /** Messages API calls spent on this explanation (0 for the deterministic explainer); the rate limit counts them. */
    modelCalls: smallint("model_calls").notNull().default(0),
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
    index("ai_explanations_user_created_idx").on(t.userId, t.createdAt),
  ],
);

/**
 * Messages API calls per purpose, user and clock hour: what the per-user
 * hourly limit on explanations and the global hourly budget of search
 * re-ranks count. A request reserves its calls with one atomic upsert that
 * succeeds only while the hour's count stays within the limit, so requests
 * arriving together cannot all pass a count read before any of them wrote;
 * unused calls are given back after (workers/services/model-budget.ts).
 */
export const modelCallBudget = pgTable(
  "model_call_budget",
  {
    /** "explain" or "rerank". */
    purpose: text("purpose").notNull(),
    /** The user an explanation is for; 0 for search re-ranks (anonymous). */
    userId: integer("user_id").notNull(),
    /** The clock hour counted. */
    windowStart: timestamp("window_start", { withTimezone: true }).notNull(),
    /** Calls made or reserved in that hour. */
    calls: integer("calls").notNull(),
  },
  (t) => [primaryKey({ columns: [t.purpose, t.userId, t.windowStart] })],
);

/**
 * Single flight for explanations: whoever holds the lease on a cache key
 * generates, the others wait for its cache row. A row with an expiry rather
 * than a transaction-scoped lock, so that no transaction (and no pooled
 * connection) stays open while the model writes; a holder that dies frees
 * the key when its lease expires.
 */
export const explanationLeases = pgTable(
  "explanation_leases",
  {
    userId: integer("user_id").notNull(),
    movieId: integer("movie_id").notNull(),
    ratingsVersion: integer("ratings_version").notNull(),
    promptVersion: text("prompt_version").notNull(),
    /** A random id of the request holding it. */
    holder: text("holder").notNull(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.movieId, t.ratingsVersion, t.promptVersion] })],
);

/**
 * A user's verdict on an explanation. Source and prompt version are copied
 * here so the helpful rate per prompt survives the explanation being replaced.
 */
export const explanationFeedback = pgTable(
  "explanation_feedback",
  {
    id: serial("id").primaryKey(),
    ...userAndMovie(),
    explanationId: integer("explanation_id").references(() => aiExplanations.id, {
      onDelete: "set null",
    }),
    source: text("source").notNull(),
    promptVersion: text("prompt_version").notNull(),
    helpful: boolean("helpful").notNull(),
    reason: text("reason"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("explanation_feedback_user_explanation_idx").on(t.userId, t.explanationId),
    index("explanation_feedback_prompt_idx").on(t.promptVersion, t.source),
  ],
);

/**
 * Item-item neighbours from co-ratings (adjusted cosine, shrunk by co-rating
 * count), computed offline by `pipeline neighbors`: too heavy for a request.
 */
export const movieNeighbors = pgTable(
  "movie_neighbors",
  {
    movieId: integer("movie_id")
      .notNull()
      .references(() => movies.id, { onDelete: "cascade" }),
    neighborId: integer("neighbor_id")
      .notNull()
      .references(() => movies.id, { onDelete: "cascade" }),
    score: real("score").notNull(),
  },
  (t) => [primaryKey({ columns: [t.movieId, t.neighborId] })],
);

/**
 * Every word of every title (and alternate title) in the catalog, lower-cased
 * as to_tsvector('simple') splits them: the vocabulary a typed title's words
 * are corrected against ("godfahter" -> "godfather"). A trigger on movies
 * adds the words of what is written (migration 0013); a word no film holds
 * any more stays, and only costs a lookup that finds nothing.
 */
export const titleWords = pgTable("title_words", {
  word: text("word").primaryKey(),
});

/** Per-movie rating counts, the popularity prior; computed with the neighbours. */
export const movieStats = pgTable(
  "movie_stats",
  {
    movieId: integer("movie_id")
      .primaryKey()
      .references(() => movies.id, { onDelete: "cascade" }),
    ratingsCount: integer("ratings_count").notNull(),
    /** Ratings of 4 or more. */
    likesCount: integer("likes_count").notNull(),
    meanRating: real("mean_rating").notNull(),
    /** Search's popularity and quality prior, 0..1 (core/recs/item-item.ts, searchPrior). */
    searchPrior: real("search_prior").notNull().default(0),
  },
  // Recommendations read the most liked films first: without this index every
  // request sorted the whole table (bench:scale).
  (t) => [index("movie_stats_popular_idx").on(t.likesCount.desc().nullsFirst(), t.movieId)],
);

/**
 * The latest embed job of each movie written through the API: queued by the
 * write, done when the queue's consumer has written its vectors (or removed
 * them), dead when it landed in the dead-letter queue. No foreign key: a
 * deleted movie's job outlives it. The admin stats read it.
 */
export const embedJobs = pgTable(
  "embed_jobs",
  {
    movieId: integer("movie_id").primaryKey(),
    /** "upsert" (write the movie's vectors) or "delete" (remove them). */
    op: text("op").notNull(),
    /** "queued", "done" or "dead". */
    status: text("status").notNull(),
    /** Deliveries so far (the queue's own count, 1 on the first). */
    attempts: integer("attempts").notNull().default(0),
    lastError: text("last_error"),
    queuedAt: timestamp("queued_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check("embed_jobs_op", sql`${t.op} in ('upsert', 'delete')`),
    check("embed_jobs_status", sql`${t.status} in ('queued', 'done', 'dead')`),
    index("embed_jobs_status_idx").on(t.status, t.updatedAt.desc()),
  ],
);

export type Movie = typeof movies.$inferSelect;
export type NewMovie = typeof movies.$inferInsert;
export type NewRating = typeof ratings.$inferInsert;
