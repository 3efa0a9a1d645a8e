import { createRoute } from "@hono/zod-openapi";
import { createMiddleware } from "hono/factory";
import { z } from "zod";
import { mintUserToken } from "../../core/auth/user-token.ts";
import type { AppEnv } from "../context.ts";
import { ApiError } from "../errors.ts";
import { errors, json, jsonRequest } from "../openapi.ts";
import { Session } from "../schemas.ts";
import { apiRoutes, jsonBody, MAX_ID } from "../validation.ts";

const DEMO_TOKEN_SECONDS = 12 * 3_600;

const SessionBody = z.object({
  userId: z
    .number({ error: "userId must be a number" })
    .int("userId must be a whole number")
    .min(1, "userId must be at least 1")
    .max(MAX_ID, `userId must be at most ${MAX_ID}`),
});

/** 404 unless DEMO_SIGNIN=on, before the body is read. */
const demoSignInOn = createMiddleware<AppEnv>(async (c, next) => {
  if (c.get("env").DEMO_SIGNIN !== "on")
    throw new ApiError("NOT_FOUND", "demo sign-in is off in this deployment");
  await next();
});

const sessionRoute = createRoute({
  method: "post",
  path: "/session",
  tags: ["session"],
  summary: "Demo sign-in: a 12-hour token for any MovieLens user (DEMO_SIGNIN=on only)",
  middleware: [demoSignInOn, jsonBody()] as const,
  request: {
    body: jsonRequest(SessionBody),
  },
  responses: {
    200: json(Session, "A user token, sent as `Authorization: Bearer <token>`."),
    ...errors("BAD_REQUEST", "NOT_FOUND", "BAD_ENVIRONMENT"),
  },
});

/**
 * Demo sign-in: a token for any MovieLens user, for local stacks and demos
 * only (DEMO_SIGNIN=on). The API's auth stays the real one: the page sends
 * this token like any other. Off (404) unless switched on.
 */
export const demoRoutes = apiRoutes().openapi(sessionRoute, async (c) => {
  const secret = c.get("env").JWT_SECRET;
  if (!secret) throw new ApiError("BAD_ENVIRONMENT", "JWT_SECRET secret is missing");
  const { userId } = c.req.valid("json");
  const token = await mintUserToken(userId, secret, DEMO_TOKEN_SECONDS);
  return c.json({ token, userId, demo: true as const }, 200);
});
