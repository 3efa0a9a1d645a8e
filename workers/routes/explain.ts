import { createRoute } from "@hono/zod-openapi";
import { streamSSE } from "hono/streaming";
import { z } from "zod";
import { ApiError, errorBody, isUnreachable } from "../errors.ts";
import { withDatabase } from "../middleware/database.ts";
import { errors, json, jsonRequest, userAuth } from "../openapi.ts";
import { Explanation, FeedbackRecorded } from "../schemas.ts";
import { openDatabase } from "../services/database.ts";
import { planExplanation } from "../services/explain/explain.ts";
import { recordFeedback } from "../services/explain/feedback.ts";
import { apiRoutes, jsonBody, MovieIdParam, typedText } from "../validation.ts";

const FeedbackBody = z.object({
  helpful: z.boolean({ error: "helpful must be true or false" }),
  reason: typedText("reason")
    .transform((reason) => reason.trim())
    .refine((reason) => reason.length <= 500, "reason must be at most 500 characters")
    .optional(),
});

function wantsStream(accept: string | undefined): boolean {
  return (accept ?? "").split(",").some((t) => t.trim().startsWith("text/event-stream"));
}

const explainRoute = createRoute({
  method: "get",
  path: "/{movieId}/explain",
  tags: ["recommendations"],
  security: userAuth,
  summary: '"Why this?": why a movie fits your taste, grounded in your ratings',
  request: { params: MovieIdParam },
  responses: {
    200: {
      description:
        "The explanation. With `Accept: text/event-stream` it streams instead: `delta` events (`{text}`, whole checked sentences), `reset` when a draft failed its checks and is replaced, then `done` with this same object, or `error` with the error body.",
      content: {
        "application/json": { schema: Explanation },
        "text/event-stream": { schema: z.string() },
      },
    },
    ...errors("BAD_REQUEST", "UNAUTHORIZED", "NOT_FOUND", "RATE_LIMITED"),
  },
});

const feedbackRoute = createRoute({
  method: "post",
  path: "/{movieId}/explain/feedback",
  tags: ["recommendations"],
  security: userAuth,
  summary: "Was the explanation helpful? One verdict per explanation, changeable",
  middleware: [withDatabase(), jsonBody()] as const,
  request: {
    params: MovieIdParam,
    body: jsonRequest(FeedbackBody),
  },
  responses: {
    200: json(FeedbackRecorded, "Recorded against the latest explanation."),
    ...errors("BAD_REQUEST", "UNAUTHORIZED", "NOT_FOUND"),
  },
});

/**
 * "Why this?" for the signed-in user (mounted under /api/recommendations,
 * behind requireUser). JSON by default; with Accept: text/event-stream the
 * text streams as `delta` events (`reset` when a draft failed its checks and
 * is replaced) and ends with `done` carrying the same object as the JSON reply.
 */
export const explainRoutes = apiRoutes()
  .openapi(explainRoute, async (c) => {
    const { movieId } = c.req.valid("param");
    const env = c.get("env");
    const userId = c.get("userId");
    const timings = c.get("timings");
    const started = Date.now();
    // The pool must outlive this handler when the answer streams.
    const database = openDatabase(env);
    let plan: Awaited<ReturnType<typeof planExplanation>>;
    try {
      plan = await planExplanation(database.db, c.get("services"), userId, movieId);
    } catch (error) {
      c.executionCtx.waitUntil(database.close());
      throw error;
    }
    timings.plan = Date.now() - started;
    if (!wantsStream(c.req.header("accept"))) {
      try {
        const explanation = plan.kind === "cached" ? plan.explanation : await plan.run({ timings });
        return c.json(explanation, 200);
      } finally {
        c.executionCtx.waitUntil(database.close());
      }
    }
    const requestId = c.get("requestId");
    return streamSSE(c, async (stream) => {
      try {
        const explanation =
          plan.kind === "cached"
            ? plan.explanation
            : await plan.run({
                timings,
                onDelta: (text) =>
                  void stream.writeSSE({ event: "delta", data: JSON.stringify({ text }) }),
                onReset: () => void stream.writeSSE({ event: "reset", data: "{}" }),
              });
        if (plan.kind === "cached")
          await stream.writeSSE({
            event: "delta",
            data: JSON.stringify({ text: explanation.explanation }),
          });
        await stream.writeSSE({ event: "done", data: JSON.stringify(explanation) });
      } catch (error) {
        console.error(JSON.stringify({ requestId, error: String(error) }));
        const body =
          error instanceof ApiError
            ? errorBody(error.code, error.message, requestId)
            : isUnreachable(error)
              ? errorBody("UNAVAILABLE", "a dependency is unavailable; try again", requestId)
              : errorBody("INTERNAL", "internal error", requestId);
        await stream.writeSSE({ event: "error", data: JSON.stringify(body) });
      } finally {
        await database.close();
      }
    });
  })
  .openapi(feedbackRoute, async (c) => {
    const { movieId } = c.req.valid("param");
    return c.json(
      await recordFeedback(c.get("db"), c.get("userId"), movieId, c.req.valid("json")),
      200,
    );
  });
