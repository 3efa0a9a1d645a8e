import {
  type ClientRequestOptions,
  type ClientResponse,
  hc,
  type InferResponseType,
} from "hono/client";
import type { AppType } from "../.api-types/workers/app";
import type { ErrorBody, ExplanationBody } from "../.api-types/workers/schemas";
import type { ExplicitFilters } from "./search-filters.ts";
import { readSse } from "./sse.ts";

/** The API's error codes, and the page's own for what never reached it or broke off. */
type ErrorCode = ErrorBody["error"]["code"] | "NETWORK" | "STREAM" | "HTTP";

/**
 * An API error: the `{"error":{"code","message","requestId"}}` body, or a
 * network failure. Built as the Worker's ApiError is: code, message, details.
 */
export class ApiError extends Error {
  override readonly name = "ApiError";
  readonly status: number;
  readonly requestId: string | undefined;
  /** Seconds, from Retry-After on a 429 or 503. */
  readonly retryAfter: number | undefined;
  constructor(
    readonly code: ErrorCode,
    message: string,
    details: {
      status?: number;
      requestId?: string | undefined;
      retryAfter?: number | undefined;
    } = {},
  ) {
    super(message);
    this.status = details.status ?? 0;
    this.requestId = details.requestId;
    this.retryAfter = details.retryAfter;
  }
}

/** A message fit for the page, with the wait when the server asked for one. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) {
    if (!error.retryAfter) return error.message;
    const stop = /[.!?]$/.test(error.message) ? "" : ".";
    return `${error.message}${stop} Try again in ${error.retryAfter} s.`;
  }
  return error instanceof Error ? error.message : String(error);
}

/** The API's typed client: a route or field renamed on the Worker fails the page's typecheck. */
const api = hc<AppType>("/").api;

/** The 200 body of a client call, as the route's schema declares it. */
type Body<Call> = InferResponseType<Call, 200>;

export type SearchResponse = Body<typeof api.search.$get>;
export type SearchResult = SearchResponse["results"][number];
export type AppliedFilter = SearchResponse["filters"]["applied"][number];
export type LikeReference = NonNullable<SearchResponse["filters"]["like"]>;
export type Movie = Body<(typeof api.movies)[":movieId"]["$get"]>;
export type Session = Body<typeof api.demo.session.$post>;
export type Rating = Body<(typeof api.ratings)[":movieId"]["$get"]>;
export type Recommendations = Body<typeof api.recommendations.$get>;
export type Recommendation = Recommendations["results"][number];
/** The explanation route also streams, so the client cannot infer its body: the schema's type. */
export type Explanation = ExplanationBody;

/** What an explanation stream yields, in order. */
export type ExplainChunk =
  | { type: "delta"; text: string }
  | { type: "reset" }
  | { type: "done"; explanation: Explanation };

async function toApiError(response: Response): Promise<ApiError> {
  const retry = Number(response.headers.get("Retry-After"));
  const retryAfter = Number.isFinite(retry) && retry > 0 ? retry : undefined;
  try {
    const { error } = (await response.json()) as Partial<ErrorBody>;
    if (error?.message)
      return new ApiError(error.code, error.message, {
        status: response.status,
        requestId: error.requestId,
        retryAfter,
      });
  } catch {
    // Not the API's JSON (a proxy's error page): fall through to the status line.
  }
  return new ApiError("HTTP", `Request failed: HTTP ${response.status}`, {
    status: response.status,
    retryAfter,
  });
}

/** Awaits a request; a failure to reach the server becomes a NETWORK ApiError, an abort passes through. */
async function reach<R>(request: Promise<R>, signal?: AbortSignal): Promise<R> {
  try {
    return await request;
  } catch (error) {
    if (signal?.aborted) throw error;
    throw new ApiError("NETWORK", "Could not reach the server. Check your connection.");
  }
}

/**
 * Awaits a client call: the body its route declares for 200, or an ApiError
 * (the API's error body, or a network failure; an abort is passed through).
 */
async function ok<R extends ClientResponse<unknown, number, "json">>(
  call: Promise<R>,
  signal?: AbortSignal,
): Promise<R extends ClientResponse<infer T, 200, "json"> ? T : never> {
  const response = await reach(call, signal);
  if (!response.ok) throw await toApiError(response as unknown as Response);
  return (await response.json()) as R extends ClientResponse<infer T, 200, "json"> ? T : never;
}

/** Per-call options: the user's token as `Authorization: Bearer`, and the caller's abort signal. */
function options(token?: string, signal?: AbortSignal): ClientRequestOptions {
  const headers: Record<string, string> = token ? { Authorization: `Bearer ${token}` } : {};
  return { headers, init: signal ? { signal } : {} };
}

export function searchMovies(q: string, filters: ExplicitFilters, signal?: AbortSignal) {
  const query = {
    q,
    limit: "10",
    genre: filters.genres,
    yearFrom: filters.yearFrom === undefined ? undefined : String(filters.yearFrom),
    yearTo: filters.yearTo === undefined ? undefined : String(filters.yearTo),
  };
  return ok(api.search.$get({ query }, options(undefined, signal)), signal);
}

export function getMovie(movieId: number, signal?: AbortSignal) {
  return ok(
    api.movies[":movieId"].$get(
      { param: { movieId: String(movieId) } },
      options(undefined, signal),
    ),
    signal,
  );
}

export function demoSignIn(userId: number) {
  return ok(api.demo.session.$post({ json: { userId } }));
}

/** The user's rating of a movie, or null when they have not rated it (404). */
export async function getRating(token: string, movieId: number, signal?: AbortSignal) {
  try {
    return await ok(
      api.ratings[":movieId"].$get({ param: { movieId: String(movieId) } }, options(token, signal)),
      signal,
    );
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return null;
    throw error;
  }
}

export function putRating(token: string, movieId: number, rating: number) {
  return ok(
    api.ratings[":movieId"].$put(
      { param: { movieId: String(movieId) }, json: { rating } },
      options(token),
    ),
  );
}

export async function deleteRating(token: string, movieId: number): Promise<void> {
  await ok(
    api.ratings[":movieId"].$delete({ param: { movieId: String(movieId) } }, options(token)),
  );
}

export function getRecommendations(token: string, signal?: AbortSignal) {
  return ok(api.recommendations.$get({ query: { limit: "12" } }, options(token, signal)), signal);
}

export async function sendFeedback(
  token: string,
  movieId: number,
  feedback: { helpful: boolean; reason?: string },
): Promise<void> {
  await ok(
    api.recommendations[":movieId"].explain.feedback.$post(
      { param: { movieId: String(movieId) }, json: feedback },
      options(token),
    ),
  );
}

/**
 * "Why this?" as a stream. fetch rather than EventSource, which cannot send
 * the Authorization header. A non-2xx status is a plain JSON error sent
 * before any event; an `error` event is one that happened mid-stream.
 */
export async function* streamExplanation(
  token: string,
  movieId: number,
  signal: AbortSignal,
): AsyncGenerator<ExplainChunk> {
  // The client's path for the route; the stream itself is read by hand.
  const path = api.recommendations[":movieId"].explain.$path({
    param: { movieId: String(movieId) },
  });
  const response = await reach(
    fetch(path, {
      headers: { Accept: "text/event-stream", Authorization: `Bearer ${token}` },
      signal,
    }),
    signal,
  );
  if (!response.ok) throw await toApiError(response);
  if (!response.body) throw new ApiError("STREAM", "The explanation arrived empty.");
  for await (const { event, data } of readSse(response.body)) {
    if (event === "delta")
      yield { type: "delta", text: (JSON.parse(data) as { text: string }).text };
    else if (event === "reset") yield { type: "reset" };
    else if (event === "done") {
      yield { type: "done", explanation: JSON.parse(data) as Explanation };
      return;
    } else if (event === "error") {
      const { error } = JSON.parse(data) as ErrorBody;
      throw new ApiError(error.code, error.message, { status: 200, requestId: error.requestId });
    }
  }
  throw new ApiError("STREAM", "The explanation stopped before it finished. Try again.");
}
