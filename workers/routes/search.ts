import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../context.ts";
import { ApiError } from "../errors.ts";
import { searchMovies } from "../services/search.ts";
import { validate } from "../validation.ts";

const thisYear = new Date().getUTCFullYear();
const year = z.coerce
  .number()
  .int()
  .min(1870)
  .max(thisYear + 5);

/** An opaque cursor: the offset into the fused list, bound to the query it came from. */
const Cursor = z.object({ q: z.string(), offset: z.number().int().min(0) });

export const SearchQuery = z
  .object({
    q: z.string().trim().min(1, "q must not be empty").max(200, "q must be at most 200 characters"),
    limit: z.coerce.number().int().min(1).max(50).default(10),
    genre: z.union([z.string(), z.array(z.string())]).optional(),
    yearFrom: year.optional(),
    yearTo: year.optional(),
    cursor: z.string().max(500).optional(),
  })
  .refine((v) => v.yearFrom === undefined || v.yearTo === undefined || v.yearFrom <= v.yearTo, {
    message: "yearFrom must not be after yearTo",
    path: ["yearFrom"],
  });

function decodeCursor(cursor: string | undefined, q: string): number {
  if (!cursor) return 0;
  try {
    const parsed = Cursor.parse(JSON.parse(atob(cursor.replace(/-/g, "+").replace(/_/g, "/"))));
    if (parsed.q !== q) throw new Error("cursor belongs to another query");
    return parsed.offset;
  } catch {
    throw new ApiError("BAD_REQUEST", "cursor: not a cursor from this query's previous page");
  }
}

function encodeCursor(q: string, offset: number): string {
  return btoa(JSON.stringify({ q, offset }))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");
}

export const search = new Hono<AppEnv>().get("/", validate("query", SearchQuery), async (c) => {
  const started = Date.now();
  const input = c.req.valid("query");
  const offset = decodeCursor(input.cursor, input.q);
  const genres = input.genre === undefined ? [] : [input.genre].flat();
  const output = await searchMovies(
    {
      q: input.q,
      limit: input.limit,
      offset,
      genres,
      yearFrom: input.yearFrom,
      yearTo: input.yearTo,
    },
    {
      env: c.get("env"),
      timings: c.get("timings"),
      waitUntil: (p) => c.executionCtx.waitUntil(p),
    },
  );
  return c.json({
    query: input.q,
    results: output.results,
    filters: output.filters,
    degraded: output.degraded,
    reranked: output.reranked,
    nextCursor: output.hasMore ? encodeCursor(input.q, offset + input.limit) : null,
    tookMs: Date.now() - started,
  });
});
