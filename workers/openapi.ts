import type { ZodType } from "zod";
import { ERROR_STATUS, type ErrorCode } from "./errors.ts";
import { ErrorBody } from "./schemas.ts";

/** A JSON response of `schema`, for a route's `responses`. */
export function json<T extends ZodType>(schema: T, description: string) {
  return { description, content: { "application/json": { schema } } } as const;
}

/** A required JSON request body of `schema` (the route adds jsonBody() to insist on its Content-Type). */
export function jsonRequest<T extends ZodType>(schema: T) {
  return { required: true, content: { "application/json": { schema } } } as const;
}

const ERROR_DESCRIPTION: Record<ErrorCode, string> = {
  BAD_REQUEST: "A parameter or the body is invalid; the message names it.",
  UNAUTHORIZED: "No valid bearer token.",
  FORBIDDEN: "The token may not do this.",
  NOT_FOUND: "Nothing by that id.",
  METHOD_NOT_ALLOWED: "Another method is allowed on this path (see Allow).",
  RATE_LIMITED: "Too many requests; Retry-After says when to try again.",
  BAD_ENVIRONMENT: "The Worker is misconfigured.",
  INTERNAL: "An unexpected error; the request id finds it in the logs.",
  UNAVAILABLE: "A dependency is down; Retry-After may say when to try again.",
};

/**
 * The error responses a route can give, each with the one error body. 500
 * (misconfigured or unexpected) and 503 (a dependency down) can happen
 * anywhere and are always listed.
 */
export function errors<const C extends ErrorCode>(...codes: C[]) {
  const all = [...new Set<ErrorCode>([...codes, "INTERNAL", "UNAVAILABLE"])];
  const responses: Record<number, ReturnType<typeof json<typeof ErrorBody>>> = {};
  for (const code of all) {
    const status = ERROR_STATUS[code];
    const description = responses[status]
      ? `${responses[status].description} Or: ${ERROR_DESCRIPTION[code]}`
      : ERROR_DESCRIPTION[code];
    responses[status] = json(ErrorBody, description);
  }
  return responses as {
    [K in C | "INTERNAL" | "UNAVAILABLE" as (typeof ERROR_STATUS)[K]]: ReturnType<
      typeof json<typeof ErrorBody>
    >;
  };
}

/** Routes that act for a signed-in user: `Authorization: Bearer <token>`. */
export const userAuth = [{ user: [] as string[] }];
/** Operator routes: `Authorization: Bearer <ADMIN_TOKEN>`. */
export const adminAuth = [{ admin: [] as string[] }];

/** The document's header, security schemes and tags; the paths come from the routes. */
export const OPENAPI_INFO = {
  openapi: "3.0.3",
  info: {
    title: "Marquee API",
    version: "1.0.0",
    description:
      'Find movies by describing them, get recommendations from your ratings, and ask why one fits your taste. Every error has the body `{"error":{"code","message","requestId"}}`.',
  },
  servers: [{ url: "/" }],
  tags: [
    { name: "search", description: "Hybrid semantic and lexical search over the catalog." },
    { name: "movies", description: "Catalog facts." },
    { name: "ratings", description: "The signed-in user's ratings." },
    { name: "recommendations", description: "Recommendations and their explanations." },
    { name: "session", description: "Demo sign-in for local stacks." },
    { name: "operations", description: "Health and operator views." },
  ],
};

/** Registered on the app's registry: how the two bearer tokens are sent. */
export const SECURITY_SCHEMES = {
  user: {
    type: "http",
    scheme: "bearer",
    bearerFormat: "JWT",
    description: "A user token (HS256, `sub` = user id): `npm run token -- <userId>` locally.",
  },
  admin: { type: "http", scheme: "bearer", description: "The ADMIN_TOKEN secret." },
} as const;
