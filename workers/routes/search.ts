import { createRoute } from "@hono/zod-openapi";
import { decodeBase64Url, encodeBase64Url } from "hono/utils/encode";
import { z } from "zod";
import { GENRES } from "../../core/genres.ts";
import { MAX_QUERY_LENGTH } from "../../core/search-limits.ts";
import { ApiError } from "../errors.ts";
import { errors, json } from "../openapi.ts";
import { SearchResponse } from "../schemas.ts";
import { searchMovies } from "../services/search.ts";
import { apiRoutes, typedText, wholeNumber } from "../validation.ts";

/**
 * Years a filter may name: the first films to a few years ahead. Read when a
 * request is checked: a Worker's clock reads 1970 while its module loads.
 */
const year = (name: string) => wholeNumber(name, 1870, () => new Date().getUTCFullYear() + 5);

/** How deep a cursor may page: past this a search has long stopped meaning anything. */
const MAX_OFFSET = 10_000;

/** An opaque cursor: the offset into the fused list, bound to the query it came from. */
const Cursor = z.object({ q: z.string(), offset: z.number().int().min(0).max(MAX_OFFSET) });

const genre = z.enum(GENRES, {
  error: (issue) =>
    `genre must be one of ${GENRES.join(", ")}${typeof issue.input === "string" ? ` (not "${issue.input}")` : ""}`,
});

export const SearchQuery = z
  .object({
    q: typedText("q")
      .transform((q) => q.trim())
      .refine((q) => q.length > 0, "q must not be empty")
      .refine(
        (q) => q.length <= MAX_QUERY_LENGTH,
        `q must be at most ${MAX_QUERY_LENGTH} characters`,
      ),
    limit: wholeNumber("limit", 1, 50).default(10),
    // Repeatable: one value arrives as a string, several as a list.
    genre: z.preprocess(
      (v) => (v === undefined ? undefined : [v].flat()),
      z.array(genre).optional(),
    ),
    yearFrom: year("yearFrom").optional(),
    yearTo: year("yearTo").optional(),
    cursor: z.string({ error: "cursor must be given once" }).max(2_000).optional(),
  })
  .refine((v) => v.yearFrom === undefined || v.yearTo === undefined || v.yearFrom <= v.yearTo, {
    message: "yearFrom must not be after yearTo",
    path: ["yearFrom"],
  });

function decodeCursor(cursor: string | undefined, q: string): number {
  if (!cursor) return 0;
  try {
    // The query in a cursor may be any text: UTF-8 bytes, not btoa's Latin-1.
    const json = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(
      decodeBase64Url(cursor),
    );
    const parsed = Cursor.parse(JSON.parse(json));
    if (parsed.q !== q) throw new Error("cursor belongs to another query");
    return parsed.offset;
  } catch {
    throw new ApiError("BAD_REQUEST", "cursor: not a cursor from this query's previous page");
  }
}

function encodeCursor(q: string, offset: number): string | null {
  if (offset > MAX_OFFSET) return null;
  const json = new TextEncoder().encode(JSON.stringify({ q, offset }));
  return encodeBase64Url(json.buffer).replace(/=+$/, "");
}

const searchRoute = createRoute({
  method: "get",
  path: "/",
  tags: ["search"],
  summary: 'Find movies by title, description, person, vibe or "like <film>"',
  description:
    'Words such as "90s comedies" become filters (listed in `filters.applied`); every result satisfies `filters.effective`. Page with `nextCursor`.',
  request: { query: SearchQuery },
  responses: {
    200: json(SearchResponse, "One page of results, best first."),
    ...errors("BAD_REQUEST"),
  },
});

export const search = apiRoutes().openapi(searchRoute, async (c) => {
  const started = Date.now();
  const input = c.req.valid("query");
  const offset = decodeCursor(input.cursor, input.q);
  const genres = input.genre ?? [];
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
      services: c.get("services"),
      timings: c.get("timings"),
      client: c.req.header("cf-connecting-ip") ?? "unknown",
      waitUntil: (p) => c.executionCtx.waitUntil(p),
    },
  );
  return c.json(
    {
      query: input.q,
      results: output.results,
      filters: output.filters,
      degraded: output.degraded,
      reranked: output.reranked,
      nextCursor: output.hasMore ? encodeCursor(input.q, offset + input.limit) : null,
      tookMs: Date.now() - started,
    },
    200,
  );
});
