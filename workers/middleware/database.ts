import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../context.ts";
import { openDatabase } from "../services/database.ts";

/**
 * Gives the request a drizzle database and ends its pool once the response
 * is sent. Streaming handlers open their own (the pool must outlive next()).
 */
export const withDatabase = () =>
  createMiddleware<AppEnv>(async (c, next) => {
    const database = openDatabase(c.get("env"));
    c.set("db", database.db);
    try {
      await next();
    } finally {
      c.executionCtx.waitUntil(database.close());
    }
  });
