import { sign, verify } from "hono/jwt";
import { z } from "zod";

/** User tokens: HS256 JWTs whose `sub` is the MovieLens user id. */
const ALGORITHM = "HS256";

/** Postgres' integer: user ids are stored as one. */
const MAX_USER_ID = 2_147_483_647;

const Claims = z.object({
  sub: z
    .string({ error: "sub must be a user id" })
    .regex(/^[1-9]\d{0,9}$/, "sub must be a user id")
    .refine((sub) => Number(sub) <= MAX_USER_ID, "sub must be a user id"),
  exp: z
    .number({
      error: (issue) => (issue.input === undefined ? "exp is required" : "exp must be a number"),
    })
    .int("exp must be a whole number of seconds"),
});

/** Why a token was refused; the message is safe to show to the caller. */
export class TokenRejected extends Error {
  override readonly name = "TokenRejected";
}

/** Signs a token for `userId` valid for `ttlSeconds`. */
export function mintUserToken(userId: number, secret: string, ttlSeconds: number): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return sign({ sub: String(userId), iat: now, exp: now + ttlSeconds }, secret, ALGORITHM);
}

/**
 * Verifies signature, algorithm and expiry, and returns the user id. A token
 * without `exp` is refused too: a leaked token must not live forever.
 */
export async function verifyUserToken(token: string, secret: string): Promise<number> {
  let payload: unknown;
  try {
    payload = await verify(token, secret, ALGORITHM);
  } catch (error) {
    // Hono's error classes are not exported; their names are stable.
    const name = (error as Error).name;
    if (name === "JwtTokenExpired") throw new TokenRejected("token expired");
    if (name === "JwtTokenSignatureMismatched")
      throw new TokenRejected("token signature does not match");
    throw new TokenRejected("malformed token");
  }
  const claims = Claims.safeParse(payload);
  if (!claims.success)
    throw new TokenRejected(`token claims: ${claims.error.issues[0]?.message ?? "invalid"}`);
  return Number(claims.data.sub);
}
