import { createMiddleware } from "hono/factory";
import { TokenRejected, verifyUserToken } from "../../core/auth/user-token.ts";
import type { AppEnv } from "../context.ts";
import { ApiError } from "../errors.ts";

/**
 * Requires `Authorization: Bearer <user JWT>` and sets `userId`. Every user
 * route reads the user only from here, never from the path or the body, so no
 * route can serve another user's data.
 */
export const requireUser = () =>
  createMiddleware<AppEnv>(async (c, next) => {
    const secret = c.get("env").JWT_SECRET;
    if (!secret) throw new ApiError("BAD_ENVIRONMENT", "JWT_SECRET secret is missing");
    const header = c.req.header("authorization");
    if (!header) throw new ApiError("UNAUTHORIZED", "Authorization: Bearer <token> is required");
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match?.[1]) throw new ApiError("UNAUTHORIZED", "Authorization must be 'Bearer <token>'");
    try {
      c.set("userId", await verifyUserToken(match[1], secret));
    } catch (error) {
      if (error instanceof TokenRejected) throw new ApiError("UNAUTHORIZED", error.message);
      throw error;
    }
    await next();
  });

/** Constant-time string comparison, so the admin token cannot be guessed byte by byte. */
function sameSecret(a: string, b: string): boolean {
  const left = new TextEncoder().encode(a);
  const right = new TextEncoder().encode(b);
  let diff = left.length ^ right.length;
  for (let i = 0; i < Math.max(left.length, right.length); i++)
    diff |= (left[i] ?? 0) ^ (right[i] ?? 0);
  return diff === 0;
}

/** Requires `Authorization: Bearer <ADMIN_TOKEN>`; without ADMIN_TOKEN set, admin routes are off. */
export const requireAdmin = () =>
  createMiddleware<AppEnv>(async (c, next) => {
    const expected = c.get("env").ADMIN_TOKEN;
    if (!expected) throw new ApiError("FORBIDDEN", "admin routes are disabled (no ADMIN_TOKEN)");
    const token = /^Bearer\s+(\S+)$/i.exec(c.req.header("authorization") ?? "")?.[1];
    if (!token)
      throw new ApiError("UNAUTHORIZED", "Authorization: Bearer <admin token> is required");
    if (!sameSecret(token, expected)) throw new ApiError("FORBIDDEN", "not an admin token");
    await next();
  });
