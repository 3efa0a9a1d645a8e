/**
 * How an explanation names films: the model (and the deterministic
 * explainer) writes `[[movieId]]` for a film and `[[movieId:stars]]` for the
 * person's own rating of it, with ids from a closed list (the target and the
 * user's liked movies in the context). Code then writes the title, the year
 * (on a film's first mention) and the stars from the stored facts, so a
 * title, year or rating in an explanation is right by construction and the
 * checks need only look at ids and at what the prose says around them.
 */
import type { ExplainContext, ExplanationDraft, LikedMovie, MovieFacts } from "./types.ts";

/** `[[318]]` or `[[318:stars]]`, tolerant of spaces inside the brackets. */
const PLACEHOLDER = /\[\[\s*(\d{1,12})\s*(?::\s*(stars)\s*)?\]\]/g;

export interface Placeholder {
  movieId: number;
  kind: "title" | "stars";
  start: number;
  end: number;
}

/** Every well-formed placeholder in `text`, in order. */
export function placeholdersIn(text: string): Placeholder[] {
  return [...text.matchAll(PLACEHOLDER)].map((m) => ({
    movieId: Number(m[1]),
    kind: m[2] ? "stars" : "title",
    start: m.index,
    end: m.index + m[0].length,
  }));
}

/** `text` with every well-formed placeholder replaced by `by` (the checks read the prose around them). */
export function withoutPlaceholders(text: string, by: string): string {
  return text.replace(PLACEHOLDER, by);
}

export const titleOf = (movieId: number) => `[[${movieId}]]`;
export const starsOf = (movieId: number) => `[[${movieId}:stars]]`;

/** 5 -> "5 stars", 4.5 -> "4.5 stars", 1 -> "1 star". */
export function stars(rating: number): string {
  const value = Math.round(rating * 10) / 10;
  return `${value} ${value === 1 ? "star" : "stars"}`;
}

/** The films a placeholder may name: the target and the liked movies, by id. */
export function namedFilms(context: ExplainContext): Map<number, MovieFacts | LikedMovie> {
  return new Map<number, MovieFacts | LikedMovie>([
    ...context.liked.map((m) => [m.movieId, m] as const),
    [context.target.movieId, context.target],
  ]);
}

/**
 * The text with its placeholders written out: a film's title, with its year
 * in parentheses the first time it appears; a rating as "4.5 stars". Call it
 * only on checked text (every id is in the closed list); an unknown id is
 * left as it was. Rendering a prefix that ends between placeholders gives a
 * prefix of the whole text's rendering, which is what lets a stream send
 * rendered sentences one at a time.
 */
export function renderPlaceholders(text: string, context: ExplainContext): string {
  const films = namedFilms(context);
  const mentioned = new Set<number>();
  return text.replace(PLACEHOLDER, (whole, id: string, kind: string | undefined) => {
    const movie = films.get(Number(id));
    if (!movie) return whole;
    if (kind) return "rating" in movie ? stars(movie.rating) : whole;
    if (mentioned.has(movie.movieId) || movie.year === null) return movie.title;
    mentioned.add(movie.movieId);
    return `${movie.title} (${movie.year})`;
  });
}

/** A checked draft as the person reads it: the explanation and every "why" rendered. */
export function renderDraft(draft: ExplanationDraft, context: ExplainContext): ExplanationDraft {
  return {
    ...draft,
    explanation: renderPlaceholders(draft.explanation, context),
    evidence: draft.evidence.map((e) => ({ ...e, why: renderPlaceholders(e.why, context) })),
  };
}

/**
 * How much of a text that is still arriving may be checked and shown: its
 * complete sentences (up to the last sentence end that more text follows),
 * and never a placeholder still being written.
 */
export function completePrefix(text: string): number {
  let end = 0;
  for (const match of text.matchAll(/[.!?…]["'”’)\]]*\s/g)) {
    const at = match.index + match[0].length;
    if (!unclosed(text.slice(0, at))) end = at;
  }
  return end;
}

function unclosed(prefix: string): boolean {
  const open = prefix.lastIndexOf("[[");
  return open >= 0 && prefix.indexOf("]]", open) < 0;
}
