import { describe, expect, it } from "vitest";
import { verifyUserToken } from "../../core/auth/user-token.ts";
import { request, testEnv } from "./helpers.ts";

describe("GET /api/movies/:movieId", () => {
  it("returns the catalog facts of a movie", async () => {
    const response = await request("/api/movies/1");
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      movieId: 1,
      title: "Toy Story",
      year: 1995,
      genres: expect.arrayContaining(["Animation"]),
      topCast: expect.any(Array),
      tags: expect.any(Array),
    });
  });

  it("answers 404 for an unknown movie and 400 for a bad id", async () => {
    expect((await request("/api/movies/999999")).status).toBe(404);
    expect((await request("/api/movies/toy")).status).toBe(400);
  });
});

describe("demo sign-in", () => {
  const session = (body: unknown, overrides: Record<string, unknown> = {}) =>
    request("/api/demo/session", overrides, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });

  it("is off unless DEMO_SIGNIN is on", async () => {
    const response = await session({ userId: 1 });
    expect(response.status).toBe(404);
  });

  it("mints a real user token when on", async () => {
    const response = await session({ userId: 12 }, { DEMO_SIGNIN: "on" });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { token: string; userId: number; demo: boolean };
    expect(body).toMatchObject({ userId: 12, demo: true });
    expect(await verifyUserToken(body.token, testEnv.JWT_SECRET)).toBe(12);
    expect((await session({ userId: "twelve" }, { DEMO_SIGNIN: "on" })).status).toBe(400);
  });
});
