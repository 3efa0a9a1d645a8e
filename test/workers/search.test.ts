import { beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { DEAD_CHROMA, DEAD_POSTGRES, request, testEnv, uploadModel } from "./helpers.ts";

const ErrorBody = z.object({
  error: z.object({ code: z.string(), message: z.string(), requestId: z.string() }),
});
type SearchBody = z.infer<typeof SearchBody>;
const SearchBody = z.object({
  query: z.string(),
  results: z.array(
    z.object({
      movieId: z.number().int(),
      title: z.string(),
      year: z.number().nullable(),
      genres: z.array(z.string()),
      overview: z.string().nullable(),
      score: z.number(),
      matchedBy: z.array(z.enum(["vector", "text", "title"])).min(1),
      highlight: z.string().nullable(),
    }),
  ),
  filters: z.object({
    applied: z.array(
      z.object({ kind: z.string(), value: z.union([z.string(), z.number()]), from: z.string() }),
    ),
    effective: z.object({
      genres: z.array(z.string()),
      yearFrom: z.number().optional(),
      yearTo: z.number().optional(),
    }),
    like: z
      .object({
        movieId: z.number(),
        title: z.string(),
        year: z.number().nullable(),
        from: z.string(),
      })
      .nullable(),
  }),
  degraded: z.array(z.enum(["vector", "text"])),
  nextCursor: z.string().nullable(),
  tookMs: z.number(),
});

/** Every result has `genre` and a year in [from, to]. */
function expectAllWithin(results: SearchBody["results"], genre: string, from: number, to: number) {
  for (const r of results) {
    expect(r.genres).toContain(genre);
    expect(r.year).toBeGreaterThanOrEqual(from);
    expect(r.year).toBeLessThanOrEqual(to);
  }
}

async function search(query: string, overrides: Record<string, unknown> = {}) {
  const response = await request(`/api/search?${query}`, overrides);
  return { response, body: SearchBody.parse(await response.json()) };
}

beforeAll(uploadModel);

describe("GET /api/search", () => {
  it("puts the movie a title names first, found by title and text", async () => {
    const { response, body } = await search("q=Toy%20Story");
    expect(response.status).toBe(200);
    expect(response.headers.get("X-Request-Id")).toBeTruthy();
    expect(body.results[0]).toMatchObject({ movieId: 1, title: "Toy Story", year: 1995 });
    expect(body.results[0]?.matchedBy).toEqual(expect.arrayContaining(["title", "vector"]));
    expect(body.degraded).toEqual([]);
  });

  it("finds a title through a typo", async () => {
    const { body } = await search("q=godfahter");
    expect(body.results.slice(0, 3).map((r) => r.movieId)).toContain(858);
  });

  it("finds a movie by describing it, and shows the sentence that answers the query", async () => {
    const { body } = await search("q=the%20one%20where%20toys%20come%20alive");
    expect(body.results.slice(0, 3).map((r) => r.movieId)).toContain(1);
    // In other words than the overview's: the passage vectors find it first.
    const paraphrase = await search(
      `q=${encodeURIComponent("jealous toy scared to lose his spot in the kid's heart schemes against the new arrival")}`,
    );
    const [first] = paraphrase.body.results;
    expect(first?.movieId).toBe(1);
    expect(first?.matchedBy).toContain("vector");
    // The highlight is the overview sentence the vector side matched, word for word.
    expect(first?.highlight).toBeTruthy();
    expect(first?.overview).toContain(first?.highlight ?? "-");
    // Every highlight is a marked fragment where the text matched, or an overview sentence.
    for (const r of [...body.results, ...paraphrase.body.results]) {
      if (r.highlight === null) continue;
      const marked = /<b>[^<]+<\/b>/.test(r.highlight);
      if (marked) expect(r.matchedBy).toContain("text");
      else expect(r.overview).toContain(r.highlight);
    }
  });

  it("answers a like query with the reference film's neighbours, filtered by the words beside it", async () => {
    const { body } = await search("q=thriller%20movies%20like%20heat&limit=10");
    expect(body.filters.like).toEqual({ movieId: 6, title: "Heat", year: 1995, from: "like heat" });
    expect(body.filters.effective.genres).toEqual(["Thriller"]);
    expect(body.results.length).toBeGreaterThan(5);
    expect(body.results.map((r) => r.movieId)).not.toContain(6);
    for (const r of body.results) expect(r.genres).toContain("Thriller");
    // A title no film answers to is searched as words.
    const unknown = await search("q=something%20like%20qqqzzzxxx");
    expect(unknown.body.filters.like).toBeNull();
  });

  it("finds nothing for gibberish instead of the nearest noise", async () => {
    const { body } = await search("q=zzzzqqqxxx");
    expect(body.results).toEqual([]);
    expect(body.degraded).toEqual([]);
  });

  it("turns facts in the query into filters and says so", async () => {
    const { body } = await search("q=90s%20comedies&limit=20");
    expect(body.filters.applied).toEqual([
      { kind: "genre", value: "Comedy", from: "comedies" },
      { kind: "yearFrom", value: 1990, from: "90s" },
      { kind: "yearTo", value: 1999, from: "90s" },
    ]);
    expect(body.results.length).toBeGreaterThan(5);
    expectAllWithin(body.results, "Comedy", 1990, 1999);
    // The dense side took part under the filter (over-fetched, then checked in Postgres).
    expect(body.results.some((r) => r.matchedBy.includes("vector"))).toBe(true);
  });

  it("applies explicit genre and year parameters", async () => {
    const { body } = await search(
      "q=space%20adventure&genre=Sci-Fi&yearFrom=1977&yearTo=1985&limit=10",
    );
    expect(body.results.length).toBeGreaterThan(0);
    expectAllWithin(body.results, "Sci-Fi", 1977, 1985);
  });

  it("pages stably: the same cursor gives the same page, and pages do not overlap", async () => {
    const first = await search("q=war%20drama&limit=5");
    expect(first.body.nextCursor).toBeTruthy();
    const cursor = encodeURIComponent(first.body.nextCursor ?? "");
    const second = await search(`q=war%20drama&limit=5&cursor=${cursor}`);
    const again = await search(`q=war%20drama&limit=5&cursor=${cursor}`);
    expect(again.body.results.map((r) => r.movieId)).toEqual(
      second.body.results.map((r) => r.movieId),
    );
    const firstIds = new Set(first.body.results.map((r) => r.movieId));
    expect(second.body.results.some((r) => firstIds.has(r.movieId))).toBe(false);
  });

  it.each([
    ["", "q: "],
    ["q=%20%20", "q: q must not be empty"],
    [`q=${"x".repeat(201)}`, "q: q must be at most 200 characters"],
    ["q=x&limit=0", "limit: "],
    ["q=x&limit=51", "limit: "],
    ["q=x&limit=ten", "limit: "],
    ["q=x&yearFrom=1500", "yearFrom: "],
    ["q=x&yearTo=3000", "yearTo: "],
    ["q=x&yearFrom=2000&yearTo=1990", "yearFrom: yearFrom must not be after yearTo"],
    ["q=x&cursor=garbage", "cursor: not a cursor from this query's previous page"],
  ])("rejects %s with a 400 naming the parameter", async (query, message) => {
    const response = await request(`/api/search?${query}`);
    expect(response.status).toBe(400);
    const body = ErrorBody.parse(await response.json());
    expect(body.error.code).toBe("BAD_REQUEST");
    expect(body.error.message.startsWith(message)).toBe(true);
    expect(body.error.requestId).toBe(response.headers.get("X-Request-Id"));
  });

  it("rejects a cursor from another query", async () => {
    const first = await search("q=war%20drama&limit=5");
    const response = await request(
      `/api/search?q=comedy&cursor=${encodeURIComponent(first.body.nextCursor ?? "")}`,
    );
    expect(response.status).toBe(400);
  });
});

describe("degradation", () => {
  it("serves lexical results when Chroma is down", async () => {
    const { response, body } = await search("q=godfather", { CHROMA_URL: DEAD_CHROMA });
    expect(response.status).toBe(200);
    expect(body.degraded).toEqual(["vector"]);
    expect(body.results[0]?.movieId).toBe(858);
    expect(body.results.every((r) => !r.matchedBy.includes("vector"))).toBe(true);
  });

  it("serves lexical results when Chroma hangs, within the time budget", async () => {
    const { body } = await search("q=godfather", { CHROMA_URL: testEnv.TEST_BLACK_HOLE_URL });
    expect(body.degraded).toEqual(["vector"]);
    expect(body.results[0]?.movieId).toBe(858);
    expect(body.tookMs).toBeLessThan(3_000);
  });

  it("reuses a repeated query's embedding instead of running the model again", async () => {
    // Close enough to Toy Story that the vector side answers (cosine above the floor).
    const query = "q=a%20cowboy%20doll%20jealous%20of%20a%20spaceman%20toy";
    expect((await search(query)).body.degraded).toEqual([]);
    // With the model unreachable, only a cached embedding can still serve the dense side.
    const again = await search(query, { MODEL_PREFIX: "missing-model" });
    expect(again.body.degraded).toEqual([]);
    expect(again.body.results.some((r) => r.matchedBy.includes("vector"))).toBe(true);
  });

  it("serves lexical results when the embedder cannot load", async () => {
    const { body } = await search("q=a%20query%20never%20embedded%20before", {
      MODEL_PREFIX: "missing-model",
    });
    expect(body.degraded).toEqual(["vector"]);
  });

  it("serves vector results when Postgres is down", async () => {
    const { response, body } = await search("q=toys%20that%20come%20alive", {
      DATABASE_URL: DEAD_POSTGRES,
    });
    expect(response.status).toBe(200);
    expect(body.degraded).toEqual(["text"]);
    expect(body.results.length).toBeGreaterThan(0);
    expect(body.results.every((r) => r.matchedBy.length === 1 && r.matchedBy[0] === "vector")).toBe(
      true,
    );
    // Titles, years and genres then come from the vectors' metadata.
    expect(body.results.every((r) => r.title.length > 0 && r.genres.length > 0)).toBe(true);
  });

  it("keeps the query's filters when Postgres is down (Chroma filters by itself)", async () => {
    const { response, body } = await search("q=90s%20comedies&limit=10", {
      DATABASE_URL: DEAD_POSTGRES,
    });
    expect(response.status).toBe(200);
    expect(body.degraded).toEqual(["text"]);
    expect(body.results.length).toBeGreaterThan(0);
    expectAllWithin(body.results, "Comedy", 1990, 1999);
  });

  it("answers 503 when both are down", async () => {
    const response = await request("/api/search?q=anything", {
      DATABASE_URL: DEAD_POSTGRES,
      CHROMA_URL: DEAD_CHROMA,
    });
    expect(response.status).toBe(503);
    expect(ErrorBody.parse(await response.json()).error.code).toBe("UNAVAILABLE");
  });
});

describe("environment and routing", () => {
  it("names a missing binding in a 500", async () => {
    const response = await request("/api/search?q=x", { MODELS: undefined });
    expect(response.status).toBe(500);
    const body = ErrorBody.parse(await response.json());
    expect(body.error).toMatchObject({ code: "BAD_ENVIRONMENT" });
    expect(body.error.message).toContain("R2 binding MODELS is missing");
  });

  it("answers unknown routes with the error body", async () => {
    const response = await request("/api/nope");
    expect(response.status).toBe(404);
    expect(ErrorBody.parse(await response.json()).error.code).toBe("NOT_FOUND");
  });

  it("reports each dependency in /api/health", async () => {
    const ok = await request("/api/health");
    expect(ok.status).toBe(200);
    const body = (await ok.json()) as { dependencies: { model: { wasmMemoryMb: number } } };
    expect(body).toMatchObject({
      status: "ok",
      dependencies: { postgres: { ok: true }, chroma: { ok: true }, model: { ok: true } },
    });
    // The searches above loaded the model into this isolate: its wasm memory is reported.
    expect(body.dependencies.model.wasmMemoryMb).toBeGreaterThan(10);
    const down = await request("/api/health", { CHROMA_URL: DEAD_CHROMA });
    expect(down.status).toBe(503);
    expect(await down.json()).toMatchObject({
      status: "degraded",
      dependencies: { chroma: { ok: false } },
    });
    const noPostgres = await request("/api/health", { DATABASE_URL: DEAD_POSTGRES });
    expect(noPostgres.status).toBe(503);
    expect(await noPostgres.json()).toMatchObject({
      status: "degraded",
      dependencies: {
        postgres: { ok: false, error: expect.stringMatching(/^over (HTTP|WebSocket): /) },
        chroma: { ok: true },
      },
    });
  });
});
