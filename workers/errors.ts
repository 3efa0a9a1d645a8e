import type { ContentfulStatusCode } from "hono/utils/http-status";

/** Every error the API can return, with its HTTP status. One table, one body shape. */
export const ERROR_STATUS = {
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  RATE_LIMITED: 429,
  BAD_ENVIRONMENT: 500,
  INTERNAL: 500,
  UNAVAILABLE: 503,
} as const satisfies Record<string, ContentfulStatusCode>;
export type ErrorCode = keyof typeof ERROR_STATUS;

/** A typed API error; services throw it and the app's onError renders it. */
export class ApiError extends Error {
  override readonly name = "ApiError";
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown; retryAfterSeconds?: number },
  ) {
    super(message, options);
    this.retryAfterSeconds = options?.retryAfterSeconds;
  }
  /** Sent as Retry-After with a 429 or 503. */
  readonly retryAfterSeconds: number | undefined;
  get status(): ContentfulStatusCode {
    return ERROR_STATUS[this.code];
  }
}

/** `{"error":{"code","message","requestId"}}`, the one error body. */
export function errorBody(code: ErrorCode, message: string, requestId: string) {
  return { error: { code, message, requestId } };
}

/**
 * True for an error that means a dependency could not be reached (refused,
 * reset, timed out, WebSocket closed), as opposed to a query Postgres
 * rejected, which carries a five-character SQLSTATE code.
 */
export function isUnreachable(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown; cause?: unknown } | null;
  if (!e || typeof e !== "object") return false;
  if (typeof e.code === "string" && /^[0-9A-Z]{5}$/.test(e.code)) return false;
  const text = `${String(e.message ?? "")} ${String(e.code ?? "")}`;
  if (
    /ECONNREFUSED|ECONNRESET|ETIMEDOUT|connect|WebSocket|terminated|timeout|Network connection lost/i.test(
      text,
    )
  )
    return true;
  return e.cause !== undefined && isUnreachable(e.cause);
}
