import { Hono } from "hono";
import type { AppEnv } from "./context.ts";
import { ApiError, errorBody } from "./errors.ts";
import { requestContext } from "./middleware/request-context.ts";
import { health } from "./routes/health.ts";
import { search } from "./routes/search.ts";

/** The Marquee API: one error body everywhere, a request id on every response. */
export function createApp() {
  const app = new Hono<AppEnv>();
  app.use("*", requestContext());
  app.route("/api/health", health);
  app.route("/api/search", search);
  app.notFound((c) =>
    c.json(
      errorBody("NOT_FOUND", `no route for ${c.req.method} ${c.req.path}`, c.get("requestId")),
      404,
    ),
  );
  app.onError((error, c) => {
    const requestId = c.get("requestId") ?? crypto.randomUUID();
    if (error instanceof ApiError) {
      if (error.status >= 500)
        console.error(
          JSON.stringify({ requestId, error: error.message, cause: String(error.cause) }),
        );
      return c.json(errorBody(error.code, error.message, requestId), error.status);
    }
    console.error(
      JSON.stringify({ requestId, error: String(error), stack: (error as Error).stack }),
    );
    return c.json(errorBody("INTERNAL", "internal error", requestId), 500);
  });
  return app;
}
