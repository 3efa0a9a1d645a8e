import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { request, requestAs, uploadModel } from "./helpers.ts";

const ErrorBody = z.object({
  error: z.object({ code: z.string(), message: z.string(), requestId: z.string() }),
});

/** A 4xx with the API's error body, its message starting with `message`. */
async function expectRejected(response: Response, status: number, message?: string) {
  expect(response.status, await response.clone().text()).toBe(status);
  const body = ErrorBody.parse(await response.json());
  if (message) expect(body.error.message).toContain(message);
  return body;
}

beforeAll(uploadModel);

describe("bad input: a clear 4xx with the error body, never a 500", () => {
  it("accepts year filters up to a few years ahead, checked when the request comes", async () => {
    const response = await request("/api/search?q=comedy&yearFrom=2010");
    expect(response.status).toBe(200);
    const next = new Date().getUTCFullYear() + 5;
    expect((await request(`/api/search?q=comedy&yearTo=${next}`)).status).toBe(200);
    await expectRejected(
      await request(`/api/search?q=comedy&yearTo=${next + 1}`),
      400,
      `yearTo: yearTo must be at most ${next}`,
    );
  });

  it("pages through a query written in any script", async () => {
    for (const q of ["schindler’s list", "война и мир", "toy story 🚀", "1990–1999 comedy"]) {
      const first = await request(`/api/search?q=${encodeURIComponent(q)}&limit=2`);
      expect(first.status).toBe(200);
      const { nextCursor } = (await first.json()) as { nextCursor: string | null };
      if (!nextCursor) continue;
      const second = await request(
        `/api/search?q=${encodeURIComponent(q)}&limit=2&cursor=${encodeURIComponent(nextCursor)}`,
      );
      expect(second.status).toBe(200);
    }
  });

  it.each([
    ["/api/movies/2147483648", "movieId: movieId must be at most 2147483647"],
    ["/api/movies/0x10", "movieId: movieId must be a whole number"],
    ["/api/movies/1e3", "movieId: movieId must be a whole number"],
    ["/api/movies/0", "movieId: movieId must be at least 1"],
    ["/api/search?q=x&limit=0x10", "limit: limit must be a whole number"],
    ["/api/search?q=x&limit=1&limit=2", "limit: limit must be given once"],
    ["/api/search?q=x&genre=Nope", "genre: genre must be one of Action"],
    ["/api/search?q=a%00b", "q: q must not contain control characters"],
  ])("rejects %s", async (path, message) => {
    await expectRejected(await request(path), 400, message);
  });

  it("refuses a forged cursor offset", async () => {
    const cursor = btoa(JSON.stringify({ q: "comedy", offset: 2 ** 31 }))
      .replace(/\+/g, "-")
      .replace(/\//g, "_")
      .replace(/=+$/, "");
    await expectRejected(
      await request(`/api/search?q=comedy&cursor=${cursor}`),
      400,
      "cursor: not a cursor",
    );
  });

  it("refuses user ids past Postgres' integer in a path or a token", async () => {
    await expectRejected(
      await requestAs(1, "/api/ratings/2147483648", { method: "PUT", body: '{"rating":4}' }),
      400,
      "movieId must be at most",
    );
    await expectRejected(await requestAs(2147483648, "/api/ratings"), 401, "sub must be a user id");
  });

  it("names the real cause of a bad body", async () => {
    await expectRejected(
      await requestAs(1, "/api/ratings/1", {
        method: "PUT",
        body: '{"rating":4}',
        headers: { "content-type": "text/plain" },
      }),
      400,
      "body: must be JSON",
    );
    const demo = (body: string) =>
      request(
        "/api/demo/session",
        { DEMO_SIGNIN: "on" },
        { method: "POST", body, headers: { "content-type": "application/json" } },
      );
    await expectRejected(await demo('{"userId":0}'), 400, "userId must be at least 1");
    await expectRejected(await demo('{"userId":"7"}'), 400, "userId must be a number");
  });

  it("refuses a NUL in feedback instead of failing in Postgres, whatever the words around it", async () => {
    for (const reason of ["bad\u0000", "could not connect\u0000 at all"]) {
      await expectRejected(
        await requestAs(1, "/api/recommendations/1/explain/feedback", {
          method: "POST",
          body: JSON.stringify({ helpful: false, reason }),
        }),
        400,
        "reason must not contain control characters",
      );
    }
  });

  it("answers a known path with the wrong method 405, naming the allowed ones", async () => {
    const response = await request("/api/search?q=x", {}, { method: "DELETE" });
    expect(response.headers.get("allow")).toBe("GET, HEAD");
    await expectRejected(response, 405, "DELETE is not allowed on /api/search");
    const ratings = await requestAs(1, "/api/ratings/1", { method: "POST" });
    expect(ratings.headers.get("allow")?.split(", ").sort()).toEqual([
      "DELETE",
      "GET",
      "HEAD",
      "PUT",
    ]);
    expect(ratings.status).toBe(405);
    await expectRejected(await request("/api"), 404);
  });
});

/** Characters people and tools put in URLs and bodies, odd ones favoured. */
const anyText = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: "grapheme", maxLength: 20 }),
  fc.constantFrom(
    "",
    " ",
    "\u0000",
    "0x10",
    "1e3",
    "-1",
    "2147483648",
    "99999999999999999999",
    "NaN",
    "1.5",
    "☃",
    "a'b\"c",
    "%",
    "../..",
  ),
);

describe("any input is answered below 500, with the error body when it is refused (property)", () => {
  const checked = async (response: Response) => {
    expect(response.status, await response.clone().text()).toBeLessThan(500);
    if (response.status >= 400) ErrorBody.parse(await response.json());
    else await response.body?.cancel();
  };

  it("search parameters", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(
          fc.constantFrom("q", "limit", "genre", "yearFrom", "yearTo", "cursor", "other"),
          anyText,
          { maxKeys: 5 },
        ),
        async (params) => {
          await checked(await request(`/api/search?${new URLSearchParams(params)}`));
        },
      ),
      { numRuns: 150 },
    );
  });

  it("movie ids in every path, and rating bodies", async () => {
    await fc.assert(
      fc.asyncProperty(
        anyText,
        fc.constantFrom("GET", "PUT", "DELETE", "POST"),
        fc.oneof(fc.json(), anyText),
        async (id, method, body) => {
          const path = encodeURIComponent(id);
          await checked(await request(`/api/movies/${path}`));
          await checked(
            await requestAs(1, `/api/ratings/${path}`, {
              method,
              ...(method === "PUT" || method === "POST" ? { body } : {}),
            }),
          );
          await checked(
            await requestAs(1, `/api/recommendations/${path}/explain/feedback`, {
              method: "POST",
              body,
            }),
          );
        },
      ),
      // Seeds that found failures before these fixes, kept as regression cases.
      {
        numRuns: 100,
        examples: [
          ["2147483648", "PUT", '{"rating":4}'],
          ["1", "POST", '{"helpful":false,"reason":"connect\\u0000"}'],
          ["0x10", "GET", "{}"],
        ],
      },
    );
  });

  it("explanation paths and demo sign-in bodies", async () => {
    await fc.assert(
      fc.asyncProperty(anyText, fc.oneof(fc.json(), anyText), async (id, body) => {
        await checked(await requestAs(1, `/api/recommendations/${encodeURIComponent(id)}/explain`));
        await checked(
          await request(
            "/api/demo/session",
            { DEMO_SIGNIN: "on" },
            { method: "POST", body, headers: { "content-type": "application/json" } },
          ),
        );
      }),
      { numRuns: 60 },
    );
  });

  it("list parameters and tokens", async () => {
    await fc.assert(
      // A header can carry printable ASCII only: a client cannot even send the rest.
      fc.asyncProperty(
        anyText,
        anyText,
        fc.stringMatching(/^[\x21-\x7e]{0,80}$/),
        async (limit, offset, token) => {
          await checked(
            await requestAs(1, `/api/ratings?${new URLSearchParams({ limit, offset })}`),
          );
          await checked(
            await requestAs(1, `/api/recommendations?${new URLSearchParams({ limit })}`),
          );
          await checked(
            await request("/api/ratings", {}, { headers: { authorization: `Bearer ${token}` } }),
          );
        },
      ),
      { numRuns: 100 },
    );
  });
});
