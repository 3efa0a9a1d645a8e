import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../context.ts";
import { requireUser } from "../middleware/auth.ts";
import { withDatabase } from "../middleware/database.ts";
import { prefetchExplanations } from "../services/explain/prefetch.ts";
import { timed } from "../services/hybrid-search.ts";
import { recommendFor } from "../services/recommendations.ts";
import { validate, wholeNumber } from "../validation.ts";
import { explainRoutes } from "./explain.ts";

const RecommendationsQuery = z.object({ limit: wholeNumber("limit", 1, 100).default(20) });

export const recommendationsRoutes = new Hono<AppEnv>()
  .use(requireUser())
  .get("/", withDatabase(), validate("query", RecommendationsQuery), async (c) => {
    const started = Date.now();
    const { limit } = c.req.valid("query");
    const { results, degraded } = await timed(c.get("timings"), "recommend", () =>
      recommendFor(c.get("db"), c.get("env"), c.get("userId"), limit),
    );
    const prefetch = c.get("env").EXPLAIN_PREFETCH;
    if (prefetch > 0 && results.length > 0)
      c.executionCtx.waitUntil(
        prefetchExplanations(
          c.get("env"),
          c.get("userId"),
          results.slice(0, prefetch).map((r) => r.movieId),
        ),
      );
    return c.json({ results, degraded, tookMs: Date.now() - started });
  })
  .route("/", explainRoutes);
