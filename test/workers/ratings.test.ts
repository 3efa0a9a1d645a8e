import { sign } from "hono/jwt";
import { describe, expect, it } from "vitest";
import { query, request, requestAs, testEnv, tokenFor } from "./helpers.ts";

// Users only this file touches (MovieLens users 1..610 are in the test catalog).
const ALICE = 5;
const BOB = 6;
const NEWCOMER = 900_001;
const MOVIE = 1; // Toy Story
const OTHER_MOVIE = 2; // Jumanji

async function errorOf(response: Response) {
  return ((await response.json()) as { error: { code: string; message: string } }).error;
}

const put = (userId: number, movieId: number | string, body: unknown) =>
  requestAs(userId, `/api/ratings/${movieId}`, {
    method: "PUT",
    body: typeof body === "string" ? body : JSON.stringify(body),
  });

async function version(userId: number): Promise<number> {
  const [row] = await query<{ v: number }>("select ratings_version as v from users where id = $1", [
    userId,
  ]);
  return row?.v ?? 0;
}

describe("authentication", () => {
  const anHourAgo = Math.floor(Date.now() / 1000) - 3_600;
  it.each([
    ["no Authorization header", undefined, /Bearer <token> is required/],
    ["another scheme", "Basic dXNlcjpwYXNz", /must be 'Bearer <token>'/],
    ["a malformed token", "Bearer not.a.jwt", /malformed token/],
  ])("refuses %s with 401", async (_, header, message) => {
    const response = await request(
      "/api/ratings",
      {},
      header ? { headers: { authorization: header } } : {},
    );
    expect(response.status).toBe(401);
    const error = await errorOf(response);
    expect(error.code).toBe("UNAUTHORIZED");
    expect(error.message).toMatch(message);
  });

  it("refuses an expired token, a wrongly signed one and one without exp", async () => {
    const tokens = {
      expired: await sign({ sub: "5", exp: anHourAgo }, testEnv.JWT_SECRET, "HS256"),
      "signature does not match": await sign(
        { sub: "5", exp: anHourAgo + 7_200 },
        "another-secret-0123456789",
        "HS256",
      ),
      "exp is required": await sign({ sub: "5" }, testEnv.JWT_SECRET, "HS256"),
      "sub must be a user id": await sign(
        { sub: "admin", exp: anHourAgo + 7_200 },
        testEnv.JWT_SECRET,
        "HS256",
      ),
    };
    for (const [why, token] of Object.entries(tokens)) {
      const response = await request(
        "/api/ratings",
        {},
        { headers: { authorization: `Bearer ${token}` } },
      );
      expect(response.status, why).toBe(401);
      expect((await errorOf(response)).message).toContain(why);
    }
  });

  it("names the missing secret when JWT_SECRET is not configured", async () => {
    const token = await tokenFor(ALICE);
    const response = await request(
      "/api/ratings",
      { JWT_SECRET: undefined },
      { headers: { authorization: `Bearer ${token}` } },
    );
    expect(response.status).toBe(500);
    expect(await errorOf(response)).toMatchObject({
      code: "BAD_ENVIRONMENT",
      message: "JWT_SECRET secret is missing",
    });
  });
});

describe("ratings", () => {
  it("lists only the signed-in user's ratings, newest first", async () => {
    const [{ n } = { n: 0 }] = await query<{ n: number }>(
      "select count(*)::int as n from ratings where user_id = $1",
      [ALICE],
    );
    const response = await requestAs(ALICE, "/api/ratings?limit=1000");
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      ratings: { movieId: number; rating: number; ratedAt: string; title: string }[];
      total: number;
    };
    expect(body.total).toBe(n);
    expect(body.ratings).toHaveLength(n);
    const dates = body.ratings.map((r) => r.ratedAt);
    expect([...dates].sort().reverse()).toEqual(dates);
    const own = await query<{ movie_id: number }>(
      "select movie_id from ratings where user_id = $1",
      [ALICE],
    );
    expect(new Set(body.ratings.map((r) => r.movieId))).toEqual(
      new Set(own.map((r) => r.movie_id)),
    );
  });

  it("creates, changes and deletes a rating, durably, bumping the ratings version", async () => {
    await query("delete from ratings where user_id = $1 and movie_id = $2", [BOB, OTHER_MOVIE]);
    const before = await version(BOB);
    const created = await put(BOB, OTHER_MOVIE, { rating: 4.5 });
    expect(created.status).toBe(200);
    expect(await created.json()).toMatchObject({
      movieId: OTHER_MOVIE,
      rating: 4.5,
      ratingsVersion: before + 1,
    });
    // Durable before the response: a fresh connection sees it.
    expect(
      await query("select rating from ratings where user_id = $1 and movie_id = $2", [
        BOB,
        OTHER_MOVIE,
      ]),
    ).toEqual([{ rating: 4.5 }]);

    const same = await put(BOB, OTHER_MOVIE, { rating: 4.5 });
    expect(((await same.json()) as { ratingsVersion: number }).ratingsVersion).toBe(before + 1);
    const changed = await put(BOB, OTHER_MOVIE, { rating: 2 });
    expect(((await changed.json()) as { ratingsVersion: number }).ratingsVersion).toBe(before + 2);

    const one = await requestAs(BOB, `/api/ratings/${OTHER_MOVIE}`);
    expect(await one.json()).toMatchObject({ movieId: OTHER_MOVIE, rating: 2 });
    // Another user does not see it.
    expect((await requestAs(ALICE, `/api/ratings/${OTHER_MOVIE}`)).status).toBe(
      (
        await query("select 1 from ratings where user_id = $1 and movie_id = $2", [
          ALICE,
          OTHER_MOVIE,
        ])
      ).length
        ? 200
        : 404,
    );

    const deleted = await requestAs(BOB, `/api/ratings/${OTHER_MOVIE}`, { method: "DELETE" });
    expect(deleted.status).toBe(200);
    expect(await deleted.json()).toMatchObject({ deleted: true, ratingsVersion: before + 3 });
    expect((await requestAs(BOB, `/api/ratings/${OTHER_MOVIE}`)).status).toBe(404);
    // Remembered, so that a re-ingest of the ratings files does not bring it back.
    const [deletion] = await query<{ deleted_at: string }>(
      "select deleted_at from rating_deletions where user_id = $1 and movie_id = $2",
      [BOB, OTHER_MOVIE],
    );
    expect(Date.now() - new Date(deletion?.deleted_at ?? 0).getTime()).toBeLessThan(60_000);
    const again = await requestAs(BOB, `/api/ratings/${OTHER_MOVIE}`, { method: "DELETE" });
    expect(again.status).toBe(404);
    expect((await errorOf(again)).message).toMatch(/not rated movie 2/);
  });

  it("creates the user on their first rating", async () => {
    await query("delete from users where id = $1", [NEWCOMER]);
    const response = await put(NEWCOMER, MOVIE, { rating: 5 });
    expect(response.status).toBe(200);
    expect(await query("select ratings_version from users where id = $1", [NEWCOMER])).toEqual([
      { ratings_version: 1 },
    ]);
  });

  it.each([
    [{ rating: 0 }, /rating must be at least 0.5/],
    [{ rating: 5.5 }, /rating must be at most 5/],
    [{ rating: 3.3 }, /half stars/],
    [{ rating: "4" }, /rating must be a number/],
    [{}, /rating must be a number/],
  ])("refuses the body %j with 400", async (body, message) => {
    const response = await put(ALICE, MOVIE, body);
    expect(response.status).toBe(400);
    const error = await errorOf(response);
    expect(error.code).toBe("BAD_REQUEST");
    expect(error.message).toMatch(message);
  });

  it("refuses a body that is not JSON, a bad id and an unknown movie", async () => {
    const notJson = await put(ALICE, MOVIE, "{rating: 4");
    expect(notJson.status).toBe(400);
    expect((await errorOf(notJson)).code).toBe("BAD_REQUEST");
    const badId = await put(ALICE, "abc", { rating: 4 });
    expect(badId.status).toBe(400);
    expect((await errorOf(badId)).message).toMatch(/^movieId:/);
    const unknown = await put(ALICE, 999_999, { rating: 4 });
    expect(unknown.status).toBe(404);
    expect((await errorOf(unknown)).message).toBe("movie 999999 does not exist");
  });

  it("answers 503 when Postgres is down", async () => {
    const response = await requestAs(
      ALICE,
      "/api/ratings",
      {},
      { DATABASE_URL: "postgres://postgres@127.0.0.1:9/test" },
    );
    expect(response.status).toBe(503);
    expect((await errorOf(response)).code).toBe("UNAVAILABLE");
  });
});
