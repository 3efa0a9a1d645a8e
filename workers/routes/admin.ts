import { Hono } from "hono";
import type { AppEnv } from "../context.ts";
import { requireAdmin } from "../middleware/auth.ts";
import { withDatabase } from "../middleware/database.ts";
import { explanationStats } from "../services/explain/feedback.ts";
import { PROMPT_VERSION } from "../services/explain/prompt.ts";

/** Operator views, behind ADMIN_TOKEN. */
export const adminRoutes = new Hono<AppEnv>()
  .use(requireAdmin(), withDatabase())
  .get("/explanations/stats", async (c) =>
    c.json({ currentPromptVersion: PROMPT_VERSION, rows: await explanationStats(c.get("db")) }),
  );
