import { $, createRoute } from "@hono/zod-openapi";
import { requireAdmin } from "../middleware/auth.ts";
import { withDatabase } from "../middleware/database.ts";
import { adminAuth, errors, json } from "../openapi.ts";
import { ExplanationStats } from "../schemas.ts";
import { explanationStats } from "../services/explain/feedback.ts";
import { PROMPT_VERSION } from "../services/explain/prompt.ts";
import { apiRoutes } from "../validation.ts";

const statsRoute = createRoute({
  method: "get",
  path: "/explanations/stats",
  tags: ["operations"],
  security: adminAuth,
  summary: "Per source and prompt version: explanations, model calls, tokens, verdicts",
  responses: {
    200: json(ExplanationStats, "One row per source and prompt version."),
    ...errors("UNAUTHORIZED", "FORBIDDEN"),
  },
});

/** Operator views, behind ADMIN_TOKEN. */
export const adminRoutes = $(apiRoutes().use(requireAdmin(), withDatabase())).openapi(
  statsRoute,
  async (c) =>
    c.json(
      { currentPromptVersion: PROMPT_VERSION, rows: await explanationStats(c.get("db")) },
      200,
    ),
);
