import { $, createRoute } from "@hono/zod-openapi";
import { z } from "zod";
import { requireUser } from "../middleware/auth.ts";
import { withDatabase } from "../middleware/database.ts";
import { errors, json, userAuth } from "../openapi.ts";
import { Recommendations } from "../schemas.ts";
import { prefetchExplanations } from "../services/explain/prefetch.ts";
import { recommendFor } from "../services/recommendations.ts";
import { timed } from "../services/timed.ts";
import { apiRoutes, wholeNumber } from "../validation.ts";
import { explainRoutes } from "./explain.ts";

const RecommendationsQuery = z.object({ limit: wholeNumber("limit", 1, 100).default(20) });

const recommendationsRoute = createRoute({
  method: "get",
  path: "/",
  tags: ["recommendations"],
  security: userAuth,
  summary: "Movies for you, from your ratings",
  middleware: withDatabase(),
  request: { query: RecommendationsQuery },
  responses: {
    200: json(Recommendations, "Best first, each with the rated films behind it."),
    ...errors("BAD_REQUEST", "UNAUTHORIZED"),
  },
});

export const recommendationsRoutes = $(apiRoutes().use(requireUser()))
  .openapi(recommendationsRoute, async (c) => {
    const started = Date.now();
    const { limit } = c.req.valid("query");
    const { results, degraded } = await timed(c.get("timings"), "recommend", () =>
      recommendFor(c.get("db"), c.get("services"), c.get("userId"), limit),
    );
    const prefetch = c.get("env").EXPLAIN_PREFETCH;
    if (prefetch > 0 && results.length > 0)
      c.executionCtx.waitUntil(
        prefetchExplanations(
          c.get("services"),
          c.get("userId"),
          results.slice(0, prefetch).map((r) => r.movieId),
        ),
      );
    return c.json({ results, degraded, tookMs: Date.now() - started }, 200);
  })
  .route("/", explainRoutes);
