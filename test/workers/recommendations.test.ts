import { describe, expect, it } from "vitest";
import { fake, query, request, requestAs } from "./helpers.ts";

const USER = 15;
const PREFETCHER = 20;
const NEWCOMER = 900_002;

interface Body {
  results: {
    movieId: number;
    title: string;
    score: number;
    signals: string[];
    because: { movieId: number; title: string; yourRating: number }[];
  }[];
  degraded: string[];
}

async function recommendations(
  userId: number,
  path = "/api/recommendations",
  overrides: Record<string, unknown> = {},
) {
  const response = await requestAs(userId, path, {}, overrides);
  expect(response.status).toBe(200);
  return (await response.json()) as Body;
}

async function ratedBy(userId: number) {
  const rows = await query<{ movie_id: number; rating: number }>(
    "select movie_id, rating from ratings where user_id = $1",
    [userId],
  );
  return new Map(rows.map((r) => [r.movie_id, r.rating]));
}

describe("recommendations", () => {
  it("recommends unrated movies, each naming the rated movies behind it", async () => {
    const body = await recommendations(USER);
    const rated = await ratedBy(USER);
    expect(body.results).toHaveLength(20);
    expect(body.degraded).toEqual([]);
    const scores = body.results.map((r) => r.score);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
    for (const r of body.results) {
      expect(rated.has(r.movieId), `${r.title} is already rated`).toBe(false);
      expect(r.signals.length).toBeGreaterThan(0);
      for (const b of r.because) expect(rated.get(b.movieId)).toBe(b.yourRating);
    }
    expect(body.results.filter((r) => r.signals.includes("collaborative")).length).toBeGreaterThan(
      10,
    );
    expect(body.results.every((r) => r.because.length > 0 || r.signals.join() === "popular")).toBe(
      true,
    );
  });

  it("gives a user without ratings the most liked movies", async () => {
    await query("delete from users where id = $1", [NEWCOMER]);
    const body = await recommendations(NEWCOMER, "/api/recommendations?limit=5");
    expect(body.results).toHaveLength(5);
    const popular = await query<{ movie_id: number }>(
      "select movie_id from movie_stats order by likes_count desc, movie_id limit 5",
    );
    expect(body.results.map((r) => r.movieId)).toEqual(popular.map((p) => p.movie_id));
    expect(
      body.results.every((r) => r.because.length === 0 && r.signals.join() === "popular"),
    ).toBe(true);
  });

  it("keeps answering without Chroma, naming the missing signal", async () => {
    const body = await recommendations(USER, "/api/recommendations?limit=10", {
      CHROMA_URL: "http://127.0.0.1:9",
    });
    expect(body.results).toHaveLength(10);
    expect(body.degraded).toEqual(["content"]);
  });

  it("validates limit and requires a token", async () => {
    for (const limit of ["0", "101", "ten"]) {
      const response = await requestAs(USER, `/api/recommendations?limit=${limit}`);
      expect(response.status).toBe(400);
    }
    expect((await request("/api/recommendations")).status).toBe(401);
  });

  it("prepares explanations for the top recommendations in the background", async () => {
    await query("delete from ai_explanations where user_id = $1", [PREFETCHER]);
    await fake().reset();
    await fake().setMode("explain-valid");
    // request() waits for waitUntil work, as the runtime would let it finish.
    const body = await recommendations(PREFETCHER, "/api/recommendations?limit=5", {
      EXPLAIN_PREFETCH: "2",
    });
    expect(await fake().count()).toBe(2);
    for (const r of body.results.slice(0, 2)) {
      const response = await requestAs(PREFETCHER, `/api/recommendations/${r.movieId}/explain`);
      expect(((await response.json()) as { source: string }).source).toBe("cache");
    }
    expect(await fake().count()).toBe(2);
  });
});
