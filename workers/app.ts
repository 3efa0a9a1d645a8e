import { Scalar } from "@scalar/hono-api-reference";
import { HTTPException } from "hono/http-exception";
import { ApiError, errorBody, isUnreachable } from "./errors.ts";
import { requestContext } from "./middleware/request-context.ts";
import { OPENAPI_INFO, SECURITY_SCHEMES } from "./openapi.ts";
import { adminRoutes } from "./routes/admin.ts";
import { demoRoutes } from "./routes/demo.ts";
import { health } from "./routes/health.ts";
import { moviesRoutes } from "./routes/movies.ts";
import { ratingsRoutes } from "./routes/ratings.ts";
import { recommendationsRoutes } from "./routes/recommendations.ts";
import { search } from "./routes/search.ts";
import { apiRoutes } from "./validation.ts";

/**
 * The methods the app's routes answer on a path, for a 405's Allow header.
 * Middleware (method ALL) is no route.
 */
function allowedMethods(routes: { method: string; path: string }[]): (path: string) => string[] {
  const patterns = routes
    .filter((r) => r.method !== "ALL")
    .map((r) => ({
      method: r.method,
      pattern: new RegExp(
        `^${r.path
          .replace(/[.+?^${}()|[\]\\]/g, "\\$&")
          .replace(/\/:[^/]+/g, "/[^/]+")
          .replace(/\*/g, ".*")}/?$`,
      ),
    }));
  return (path) => {
    const methods = new Set(patterns.filter((p) => p.pattern.test(path)).map((p) => p.method));
    if (methods.has("GET")) methods.add("HEAD");
    return [...methods];
  };
}

/** Every route with its schemas: the type the page's client (hono/client) is built from. */
function routes() {
  return apiRoutes()
    .route("/api/health", health)
    .route("/api/search", search)
    .route("/api/movies", moviesRoutes)
    .route("/api/demo", demoRoutes)
    .route("/api/ratings", ratingsRoutes)
    .route("/api/recommendations", recommendationsRoutes)
    .route("/api/admin", adminRoutes);
}
export type AppType = ReturnType<typeof routes>;

/**
 * The Marquee API: one error body everywhere, a request id on every
 * response, its OpenAPI document at /api/openapi.json and a reference page
 * at /api/docs, both made from the routes' own schemas.
 */
export function createApp() {
  const app = apiRoutes();
  app.use("*", requestContext());
  app.route("/", routes());
  for (const [name, scheme] of Object.entries(SECURITY_SCHEMES))
    app.openAPIRegistry.registerComponent("securitySchemes", name, scheme);
  app.doc("/api/openapi.json", OPENAPI_INFO);
  app.get("/api/docs", Scalar({ url: "/api/openapi.json", pageTitle: "Marquee API" }));
  const allowed = allowedMethods(app.routes);
  app.notFound((c) => {
    const methods = allowed(c.req.path);
    if (methods.length > 0) {
      c.header("Allow", methods.join(", "));
      return c.json(
        errorBody(
          "METHOD_NOT_ALLOWED",
          `${c.req.method} is not allowed on ${c.req.path}; use ${methods.join(" or ")}`,
          c.get("requestId"),
        ),
        405,
      );
    }
    return c.json(
      errorBody("NOT_FOUND", `no route for ${c.req.method} ${c.req.path}`, c.get("requestId")),
      404,
    );
  });
  app.onError((error, c) => {
    const requestId = c.get("requestId") ?? crypto.randomUUID();
    if (error instanceof HTTPException && error.status < 500) {
      // Hono's own 4xx, e.g. a request body that is not JSON.
      return c.json(errorBody("BAD_REQUEST", error.message, requestId), 400);
    }
    if (error instanceof ApiError) {
      if (error.status >= 500)
        console.error(
          JSON.stringify({ requestId, error: error.message, cause: String(error.cause) }),
        );
      if (error.retryAfterSeconds !== undefined)
        c.header("Retry-After", String(error.retryAfterSeconds));
      return c.json(errorBody(error.code, error.message, requestId), error.status);
    }
    console.error(
      JSON.stringify({ requestId, error: String(error), stack: (error as Error).stack }),
    );
    if (isUnreachable(error))
      return c.json(
        errorBody("UNAVAILABLE", "a dependency is unavailable; try again", requestId),
        503,
      );
    return c.json(errorBody("INTERNAL", "internal error", requestId), 500);
  });
  return app;
}
