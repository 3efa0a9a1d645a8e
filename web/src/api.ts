import type { AppliedFilter, ExplicitFilters } from "./search-filters.ts";
import { readSse } from "./sse.ts";

/** An API error: the `{"error":{"code","message","requestId"}}` body, or a network failure. */
export class ApiError extends Error {
  override readonly name = "ApiError";
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
    readonly requestId?: string,
    /** Seconds, from Retry-After on a 429 or 503. */
    readonly retryAfter?: number,
  ) {
    super(message);
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

/** The fields every movie the API lists carries (the Worker's MovieSummary). */
export interface MovieSummary {
  movieId: number;
  title: string;
  year: number | null;
  genres: string[];
  overview: string | null;
}

export interface SearchResult extends MovieSummary {
  score: number;
  matchedBy: string[];
  highlight: string | null;
}

/** The film a "like <film>" query was taken to mean. */
export interface LikeReference {
  movieId: number;
  title: string;
  year: number | null;
  /** The query's words that named it ("like Zodiac"). */
  from: string;
}

export interface SearchResponse {
  query: string;
  results: SearchResult[];
  filters: { applied: AppliedFilter[]; effective?: ExplicitFilters; like?: LikeReference | null };
  degraded: string[];
  nextCursor: string | null;
  tookMs: number;
}

export interface Movie extends MovieSummary {
  director: string | null;
  topCast: string[] | null;
  tags: string[] | null;
  tmdbId: number | null;
  imdbId: string | null;
}

export interface Session {
  token: string;
  userId: number;
  demo: boolean;
}

export interface Rating {
  movieId: number;
  rating: number;
  ratedAt: string;
}

export interface Recommendation extends MovieSummary {
  score: number;
  because: { movieId: number; title: string; yourRating: number }[];
}

export interface Recommendations {
  results: Recommendation[];
  degraded: string[];
}

export interface Explanation {
  movieId: number;
  explanation: string;
  confidence: "high" | "medium" | "low";
  evidence: { movieId: number; title: string; yourRating: number; why: string }[];
  source: "claude" | "cache" | "fallback";
  model: string;
  generatedAt: string;
}

/** What an explanation stream yields, in order. */
export type ExplainChunk =
  | { type: "delta"; text: string }
  | { type: "reset" }
  | { type: "done"; explanation: Explanation };

async function toApiError(response: Response): Promise<ApiError> {
  const retry = Number(response.headers.get("Retry-After"));
  const retryAfter = Number.isFinite(retry) && retry > 0 ? retry : undefined;
  try {
    const body = (await response.json()) as {
      error?: { code?: string; message?: string; requestId?: string };
    };
    if (body.error?.message)
      return new ApiError(
        body.error.message,
        response.status,
        body.error.code ?? "ERROR",
        body.error.requestId,
        retryAfter,
      );
  } catch {
    // Not the API's JSON (a proxy's error page): fall through to the status line.
  }
  return new ApiError(
    `Request failed: HTTP ${response.status}`,
    response.status,
    "HTTP",
    undefined,
    retryAfter,
  );
}

interface RequestOptions {
  method?: "GET" | "POST" | "PUT" | "DELETE";
  body?: unknown;
  token?: string | undefined;
  signal?: AbortSignal | undefined;
}

async function request<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json" };
  if (options.body !== undefined) headers["Content-Type"] = "application/json";
  if (options.token) headers.Authorization = `Bearer ${options.token}`;
  const response = await send(path, {
    method: options.method ?? "GET",
    headers,
    body: options.body === undefined ? null : JSON.stringify(options.body),
    signal: options.signal ?? null,
  });
  if (!response.ok) throw await toApiError(response);
  return (await response.json()) as T;
}

async function send(path: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(path, init);
  } catch (error) {
    if (init.signal?.aborted) throw error;
    throw new ApiError("Could not reach the server. Check your connection.", 0, "NETWORK");
  }
}

export function searchMovies(
  q: string,
  filters: ExplicitFilters,
  signal?: AbortSignal,
): Promise<SearchResponse> {
  const params = new URLSearchParams({ q, limit: "10" });
  for (const genre of filters.genres) params.append("genre", genre);
  if (filters.yearFrom !== undefined) params.set("yearFrom", String(filters.yearFrom));
  if (filters.yearTo !== undefined) params.set("yearTo", String(filters.yearTo));
  return request(`/api/search?${params}`, { signal });
}

export function getMovie(movieId: number, signal?: AbortSignal): Promise<Movie> {
  return request(`/api/movies/${movieId}`, { signal });
}

export function demoSignIn(userId: number): Promise<Session> {
  return request("/api/demo/session", { method: "POST", body: { userId } });
}

/** The user's rating of a movie, or null when they have not rated it (404). */
export async function getRating(
  token: string,
  movieId: number,
  signal?: AbortSignal,
): Promise<Rating | null> {
  try {
    return await request<Rating>(`/api/ratings/${movieId}`, { token, signal });
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return null;
    throw error;
  }
}

export function putRating(token: string, movieId: number, rating: number): Promise<Rating> {
  return request(`/api/ratings/${movieId}`, { method: "PUT", body: { rating }, token });
}

export async function deleteRating(token: string, movieId: number): Promise<void> {
  await request(`/api/ratings/${movieId}`, { method: "DELETE", token });
}

export function getRecommendations(token: string, signal?: AbortSignal): Promise<Recommendations> {
  return request("/api/recommendations?limit=12", { token, signal });
}

export async function sendFeedback(
  token: string,
  movieId: number,
  feedback: { helpful: boolean; reason?: string },
): Promise<void> {
  await request(`/api/recommendations/${movieId}/explain/feedback`, {
    method: "POST",
    body: feedback,
    token,
  });
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
  const response = await send(`/api/recommendations/${movieId}/explain`, {
    headers: { Accept: "text/event-stream", Authorization: `Bearer ${token}` },
    signal,
  });
  if (!response.ok) throw await toApiError(response);
  if (!response.body) throw new ApiError("The explanation arrived empty.", 0, "STREAM");
  for await (const { event, data } of readSse(response.body)) {
    if (event === "delta")
      yield { type: "delta", text: (JSON.parse(data) as { text: string }).text };
    else if (event === "reset") yield { type: "reset" };
    else if (event === "done") {
      yield { type: "done", explanation: JSON.parse(data) as Explanation };
      return;
    } else if (event === "error") {
      const body = JSON.parse(data) as {
        error?: { code?: string; message?: string; requestId?: string };
      };
      throw new ApiError(
        body.error?.message ?? "The explanation failed.",
        200,
        body.error?.code ?? "ERROR",
        body.error?.requestId,
      );
    }
  }
  throw new ApiError("The explanation stopped before it finished. Try again.", 0, "STREAM");
}
