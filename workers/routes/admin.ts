import { $, createRoute, z } from "@hono/zod-openapi";
import { GENRES } from "../../core/genres.ts";
import { runSweep } from "../background.ts";
import { requireAdmin } from "../middleware/auth.ts";
import { withDatabase } from "../middleware/database.ts";
import { adminAuth, errors, json, jsonRequest } from "../openapi.ts";
import {
  EmbedStats,
  ExplanationStats,
  MovieRemoved,
  MovieWritten,
  SweepReport,
} from "../schemas.ts";
import { deleteMovie, enqueue, writeMovie } from "../services/catalog-writes.ts";
import { embedJobStats, embedQueue } from "../services/embed-jobs.ts";
import { explanationStats } from "../services/explain/feedback.ts";
import { PROMPT_VERSION } from "../services/explain/prompt.ts";
import { apiRoutes, jsonBody, MovieIdParam, typedText } from "../validation.ts";

/** A short field a person typed: trimmed, 1 to `max` characters. */
const line = (name: string, max: number) =>
  typedText(name)
    .transform((s) => s.trim())
    .refine((s) => s.length > 0, `${name} must not be empty`)
    .refine((s) => s.length <= max, `${name} must be at most ${max} characters`);

/** A film's fields as the pipeline stores them; the content hash is derived from them. */
export const MovieBody = z.object({
  title: line("title", 300),
  alternateTitles: z.array(line("alternateTitles", 300)).max(20).default([]),
  year: z.number().int().min(1870).max(2100).nullable().default(null),
  genres: z
    .array(z.enum(GENRES, { error: `genres must be MovieLens genres: ${GENRES.join(", ")}` }))
    .max(GENRES.length)
    .default([]),
  overview: typedText("overview").max(5_000).nullable().default(null),
  director: line("director", 200).nullable().default(null),
  topCast: z.array(line("topCast", 200)).max(20).default([]),
  tags: z.array(line("tags", 100)).max(50).default([]),
  tmdbId: z.number().int().positive().max(2_147_483_647).nullable().default(null),
  imdbId: z
    .string()
    .regex(/^tt\d{7,10}$/, "imdbId must look like tt0111161")
    .nullable()
    .default(null),
  popularity: z.number().min(0).max(1_000_000).nullable().default(null),
});

const common = { tags: ["operations"], security: adminAuth };

const statsRoute = createRoute({
  ...common,
  method: "get",
  path: "/explanations/stats",
  summary: "Per source and prompt version: explanations, model calls, tokens, verdicts",
  responses: {
    200: json(ExplanationStats, "One row per source and prompt version."),
    ...errors("UNAUTHORIZED", "FORBIDDEN"),
  },
});

const putMovieRoute = createRoute({
  ...common,
  method: "put",
  path: "/movies/{movieId}",
  summary: "Add a film or replace its fields; its vectors are written through the embed queue",
  middleware: jsonBody(),
  request: { params: MovieIdParam, body: jsonRequest(MovieBody) },
  responses: {
    202: json(MovieWritten, "Saved in Postgres; its embed job is queued."),
    ...errors("BAD_REQUEST", "UNAUTHORIZED", "FORBIDDEN"),
  },
});

const deleteMovieRoute = createRoute({
  ...common,
  method: "delete",
  path: "/movies/{movieId}",
  summary: "Remove a film (with its ratings); its vectors are removed through the embed queue",
  request: { params: MovieIdParam },
  responses: {
    202: json(MovieRemoved, "Removed from Postgres; the job removing its vectors is queued."),
    ...errors("BAD_REQUEST", "UNAUTHORIZED", "FORBIDDEN", "NOT_FOUND"),
  },
});

const embedStatsRoute = createRoute({
  ...common,
  method: "get",
  path: "/embed/stats",
  summary: "Embed jobs of films written through the API: queued, done, dead",
  responses: {
    200: json(EmbedStats, "Counts per status and the latest dead jobs."),
    ...errors("UNAUTHORIZED", "FORBIDDEN"),
  },
});

const sweepRoute = createRoute({
  ...common,
  method: "post",
  path: "/embed/sweep",
  summary: "Run the nightly sweep now: queue jobs for films with missing or stale vectors",
  responses: {
    200: json(SweepReport, "What the sweep compared and queued."),
    ...errors("UNAUTHORIZED", "FORBIDDEN"),
  },
});

/** Operator views and catalog writes, behind ADMIN_TOKEN. */
export const adminRoutes = $(apiRoutes().use(requireAdmin(), withDatabase()))
  .openapi(statsRoute, async (c) =>
    c.json(
      { currentPromptVersion: PROMPT_VERSION, rows: await explanationStats(c.get("db")) },
      200,
    ),
  )
  .openapi(putMovieRoute, async (c) => {
    const { movieId } = c.req.valid("param");
    const written = await writeMovie(c.get("db"), movieId, c.req.valid("json"));
    await enqueue(embedQueue(c.get("env")), { movieId, op: "upsert" });
    return c.json({ movieId, ...written, job: "queued" as const }, 202);
  })
  .openapi(deleteMovieRoute, async (c) => {
    const { movieId } = c.req.valid("param");
    await deleteMovie(c.get("db"), movieId);
    await enqueue(embedQueue(c.get("env")), { movieId, op: "delete" });
    return c.json({ movieId, deleted: true as const, job: "queued" as const }, 202);
  })
  .openapi(embedStatsRoute, async (c) => c.json(await embedJobStats(c.get("db")), 200))
  .openapi(sweepRoute, async (c) => c.json(await runSweep(c.get("env"), c.get("db")), 200));
