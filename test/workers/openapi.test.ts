import { describe, expect, it } from "vitest";
import { ErrorBody } from "../../workers/schemas.ts";
import { checkContract } from "./contract.ts";
import { request } from "./helpers.ts";

interface Operation {
  responses: Record<string, { content?: Record<string, { schema?: unknown }> }>;
  security?: Record<string, string[]>[];
  parameters?: { name: string; in: string; required?: boolean }[];
}
type Document = {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> };
};

/** Every `$ref` in `value`. */
function refs(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) refs(v, out);
  else if (value && typeof value === "object")
    for (const [k, v] of Object.entries(value)) {
      if (k === "$ref" && typeof v === "string") out.push(v);
      else refs(v, out);
    }
  return out;
}

describe("the OpenAPI document (/api/openapi.json)", () => {
  it("declares every route the app serves, with its responses and auth", async () => {
    const response = await request("/api/openapi.json");
    expect(response.status).toBe(200);
    const doc = (await response.json()) as Document;
    expect(doc.openapi).toBe("3.0.3");
    const operations = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`),
    );
    expect(operations.sort()).toEqual(
      [
        "GET /api/health",
        "GET /api/search",
        "GET /api/movies/{movieId}",
        "POST /api/demo/session",
        "GET /api/ratings",
        "GET /api/ratings/{movieId}",
        "PUT /api/ratings/{movieId}",
        "DELETE /api/ratings/{movieId}",
        "GET /api/recommendations",
        "GET /api/recommendations/{movieId}/explain",
        "POST /api/recommendations/{movieId}/explain/feedback",
        "GET /api/admin/explanations/stats",
        "PUT /api/admin/movies/{movieId}",
        "DELETE /api/admin/movies/{movieId}",
        "GET /api/admin/embed/stats",
        "POST /api/admin/embed/sweep",
      ].sort(),
    );
    for (const [path, methods] of Object.entries(doc.paths))
      for (const [method, operation] of Object.entries(methods)) {
        const where = `${method} ${path}`;
        // Success (202: accepted for the embed queue) and the errors that can happen anywhere, each with a body schema.
        expect(Object.keys(operation.responses), where).toEqual(
          expect.arrayContaining([
            path.startsWith("/api/admin/movies") ? "202" : "200",
            "500",
            "503",
          ]),
        );
        for (const [status, r] of Object.entries(operation.responses))
          expect(r.content?.["application/json"]?.schema, `${where} ${status}`).toBeDefined();
        // User routes say so; path parameters are declared.
        if (path.startsWith("/api/ratings") || path.startsWith("/api/recommendations"))
          expect(operation.security, where).toEqual([{ user: [] }]);
        if (path.startsWith("/api/admin"))
          expect(operation.security, where).toEqual([{ admin: [] }]);
        for (const name of path.match(/\{(\w+)\}/g) ?? [])
          expect(operation.parameters, where).toContainEqual(
            expect.objectContaining({ name: name.slice(1, -1), in: "path", required: true }),
          );
      }
    // Query parameters a client needs to know about.
    const search = doc.paths["/api/search"]?.get;
    expect(search?.parameters?.map((p) => p.name)).toEqual(
      expect.arrayContaining(["q", "limit", "genre", "yearFrom", "yearTo", "cursor"]),
    );
    // Every reference resolves.
    for (const ref of refs(doc)) {
      const name = ref.replace("#/components/schemas/", "");
      expect(doc.components.schemas[name], ref).toBeDefined();
    }
    expect(Object.keys(doc.components.securitySchemes).sort()).toEqual(["admin", "user"]);
  });

  it("has a reference page at /api/docs that reads it", async () => {
    const response = await request("/api/docs");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/html");
    expect(await response.text()).toContain("/api/openapi.json");
  });

  it("takes a trailing slash as the same route", async () => {
    const response = await request("/api/search/?q=toys");
    expect(response.status).toBe(200);
  });

  it("answers an unknown API path with the declared error body", async () => {
    const response = await request("/api/nothing-here");
    expect(response.status).toBe(404);
    expect(ErrorBody.parse(await response.json()).error.code).toBe("NOT_FOUND");
  });

  it("fails a test whose response breaks its route's schema", async () => {
    const movie = {
      movieId: 1,
      title: "Toy Story",
      year: 1995,
      genres: ["Animation"],
      overview: null,
      director: null,
      topCast: [],
      tags: [],
      tmdbId: null,
      imdbId: null,
    };
    const reply = (body: unknown, status = 200) =>
      new Response(JSON.stringify(body), {
        status,
        headers: { "content-type": "application/json" },
      });
    await expect(checkContract("GET", "/api/movies/1", reply(movie))).resolves.toBeUndefined();
    // A field the schema does not declare, one it declares missing, a wrong type, an undeclared status.
    await expect(
      checkContract("GET", "/api/movies/1", reply({ ...movie, rating: 5 })),
    ).rejects.toThrow(/does not declare/);
    const { tags: _, ...withoutTags } = movie;
    await expect(checkContract("GET", "/api/movies/1", reply(withoutTags))).rejects.toThrow(
      /breaks its schema/,
    );
    await expect(
      checkContract("GET", "/api/movies/1", reply({ ...movie, year: "1995" })),
    ).rejects.toThrow(/breaks its schema/);
    await expect(checkContract("GET", "/api/movies/1", reply(movie, 418))).rejects.toThrow(
      /status not declared/,
    );
  });
});
