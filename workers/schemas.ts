import { z } from "@hono/zod-openapi";
import { ERROR_STATUS } from "./errors.ts";
import { ExplanationDraft } from "./services/explain/draft.ts";

/**
 * The API's response bodies, one schema each. The routes declare them
 * (so the OpenAPI document at /api/openapi.json and the page's typed client
 * come from them), the handlers' replies are type-checked against them, and
 * the Worker tests parse every response with them.
 */

export const ErrorBody = z
  .object({
    error: z.object({
      code: z.enum(Object.keys(ERROR_STATUS) as [keyof typeof ERROR_STATUS]),
      message: z.string(),
      requestId: z.string(),
    }),
  })
  .openapi("Error");
export type ErrorBody = z.infer<typeof ErrorBody>;

export const MovieSummary = z
  .object({
    movieId: z.number().int(),
    title: z.string(),
    year: z.number().int().nullable(),
    genres: z.array(z.string()),
    overview: z.string().nullable(),
  })
  .openapi("MovieSummary");

export const Movie = MovieSummary.extend({
  director: z.string().nullable(),
  topCast: z.array(z.string()),
  tags: z.array(z.string()),
  tmdbId: z.number().int().nullable(),
  imdbId: z.string().nullable(),
}).openapi("Movie");

export const AppliedFilter = z
  .object({
    kind: z.enum(["genre", "yearFrom", "yearTo"]),
    value: z.union([z.string(), z.number()]),
    from: z.string().openapi({ description: "The words of the query it came from." }),
  })
  .openapi("AppliedFilter", { description: "A filter read out of the query text." });

export const SearchFilters = z
  .object({
    genres: z.array(z.string()),
    yearFrom: z.number().int().optional(),
    yearTo: z.number().int().optional(),
  })
  .openapi("SearchFilters");

export const LikeReference = MovieSummary.pick({ movieId: true, title: true, year: true })
  .extend({
    from: z.string().openapi({ description: 'The query\'s words that named it ("like Zodiac").' }),
  })
  .openapi("LikeReference", { description: 'The film a "like <film>" query was taken to mean.' });

export const SearchResult = MovieSummary.extend({
  score: z.number(),
  matchedBy: z.array(z.enum(["title", "text", "vector"])),
  highlight: z.string().nullable().openapi({
    description: "The passage or words that matched, for the page to show.",
  }),
}).openapi("SearchResult");

export const SearchResponse = z
  .object({
    query: z.string(),
    results: z.array(SearchResult),
    filters: z.object({
      applied: z.array(AppliedFilter),
      effective: SearchFilters.openapi({
        description: "The filters every result satisfies: parameters and query words together.",
      }),
      like: LikeReference.nullable(),
    }),
    degraded: z.array(z.enum(["vector", "text", "rerank"])).openapi({
      description: "Parts of the search that failed or were skipped; the results are still valid.",
    }),
    reranked: z.boolean(),
    nextCursor: z.string().nullable(),
    tookMs: z.number(),
  })
  .openapi("SearchResponse");

export const Session = z
  .object({ token: z.string(), userId: z.number().int(), demo: z.literal(true) })
  .openapi("Session");

export const Rating = z
  .object({ movieId: z.number().int(), rating: z.number(), ratedAt: z.string() })
  .openapi("Rating");

export const RatingWritten = Rating.extend({ ratingsVersion: z.number().int() }).openapi(
  "RatingWritten",
);

export const RatingDeleted = z
  .object({ movieId: z.number().int(), deleted: z.literal(true), ratingsVersion: z.number().int() })
  .openapi("RatingDeleted");

export const RatingsPage = z
  .object({
    ratings: z.array(
      Rating.extend(MovieSummary.pick({ title: true, year: true, genres: true }).shape),
    ),
    total: z.number().int(),
    ratingsVersion: z.number().int(),
  })
  .openapi("RatingsPage");

/** One of the user's rated films, as recommendations and explanations cite it. */
const RatedByYou = z.object({
  movieId: z.number().int(),
  title: z.string(),
  yourRating: z.number(),
});

export const Recommendation = MovieSummary.extend({
  score: z.number(),
  signals: z.array(z.enum(["collaborative", "content", "popular"])),
  because: z.array(RatedByYou),
}).openapi("Recommendation");

export const Recommendations = z
  .object({
    results: z.array(Recommendation),
    degraded: z.array(z.string()),
    tookMs: z.number(),
  })
  .openapi("Recommendations");

export const Explanation = z
  .object({
    movieId: z.number().int(),
    explanation: z.string(),
    confidence: ExplanationDraft.shape.confidence,
    evidence: z.array(RatedByYou.extend({ why: z.string() })),
    source: z.enum(["claude", "cache", "fallback"]),
    model: z.string(),
    generatedAt: z.string(),
  })
  .openapi("Explanation");
/**
 * The explanation as a type, for the page: the route also streams, so its
 * client type is a bare Response and the stream's `done` event is typed here.
 */
export type ExplanationBody = z.infer<typeof Explanation>;

export const FeedbackRecorded = z
  .object({
    movieId: z.number().int(),
    explanationId: z.number().int(),
    helpful: z.boolean(),
    reason: z.string().nullable(),
  })
  .openapi("FeedbackRecorded");

const Check = z.union([
  z.object({ ok: z.literal(true), ms: z.number() }),
  z.object({ ok: z.literal(false), ms: z.number(), error: z.string() }),
]);

export const Health = z
  .object({
    status: z.enum(["ok", "degraded"]),
    dependencies: z.object({
      postgres: Check,
      chroma: Check,
      model: z.intersection(Check, z.object({ wasmMemoryMb: z.number() })),
    }),
  })
  .openapi("Health");

export const ExplanationStats = z
  .object({
    currentPromptVersion: z.string(),
    rows: z.array(
      z.object({
        source: z.string(),
        promptVersion: z.string(),
        explanations: z.number().int(),
        modelCalls: z.number().int(),
        inputTokens: z.number().int(),
        cachedInputTokens: z.number().int(),
        outputTokens: z.number().int(),
        verdicts: z.number().int(),
        helpful: z.number().int(),
        helpfulRate: z.number().nullable(),
      }),
    ),
  })
  .openapi("ExplanationStats");

export const MovieWritten = z
  .object({
    movieId: z.number().int(),
    created: z.boolean().openapi({ description: "True when the film is new to the catalog." }),
    contentHash: z
      .string()
      .openapi({ description: "sha256 of the text its vectors are made from." }),
    job: z.literal("queued").openapi({ description: "Its embed job is on the queue." }),
  })
  .openapi("MovieWritten", {
    description: "The film is saved; it is searchable once the queue has written its vectors.",
  });

export const MovieRemoved = z
  .object({ movieId: z.number().int(), deleted: z.literal(true), job: z.literal("queued") })
  .openapi("MovieRemoved");

export const EmbedStats = z
  .object({
    queued: z.number().int().openapi({ description: "Jobs waiting or being retried." }),
    done: z.number().int(),
    dead: z.number().int().openapi({ description: "Jobs that ran out of retries." }),
    recentDead: z.array(
      z.object({
        movieId: z.number().int(),
        op: z.string(),
        attempts: z.number().int(),
        error: z.string().nullable(),
        updatedAt: z.string(),
      }),
    ),
  })
  .openapi("EmbedStats", { description: "Each film's latest embed job, by status." });

export const SweepReport = z
  .object({
    checked: z.number().int(),
    stale: z.number().int(),
    orphans: z.number().int(),
    enqueued: z.number().int(),
    complete: z.boolean(),
  })
  .openapi("SweepReport");
