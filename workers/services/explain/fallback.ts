/**
 * The deterministic explainer: used when there is no API key, or when the
 * model's drafts keep failing the grounding checks. It only restates facts
 * from the context (the user's own ratings, and what the target provably
 * shares with their liked movies), naming films by placeholder as the model
 * does, so it can never invent anything, and the same context always gives
 * the same draft.
 */
import { listOf } from "./english.ts";
import { checkGrounding, MAX_WHY_CHARS } from "./grounding.ts";
import { starsOf, titleOf } from "./placeholders.ts";
import type {
  Confidence,
  ExplainContext,
  ExplanationDraft,
  LikedMovie,
  MovieFacts,
} from "./types.ts";

/** At most this many liked movies are cited; more makes the first sentence a list. */
export const MAX_FALLBACK_EVIDENCE = 3;

/**
 * Strength weights, roughly lexicographic: a shared director (100) beats any
 * amount of shared cast (20 each, 2 counted), one shared actor beats any
 * amount of shared tags (5 each, 3 counted), one shared tag beats any
 * similarity (0-1, times 4), and genres (0.5 each, 4 counted) only nudge.
 * Ties go to the user's higher rating, then the lower movieId.
 */
const WEIGHTS = {
  director: 100,
  castEach: 20,
  castCounted: 2,
  tagEach: 5,
  tagsCounted: 3,
  similarity: 4,
  genreEach: 0.5,
  genresCounted: 4,
} as const;

/** Similarity at which two evidence movies alone justify "high". */
const HIGH_SIMILARITY = 0.6;
/** Similarity at which "close in content" is worth saying when nothing else is shared. */
const CLOSE_SIMILARITY = 0.5;

/** Genres that say nothing about taste. */
const SKIPPED_GENRES = new Set(["imax", "(no genres listed)"]);
/** How genres read in a sentence; the rest are lower-cased MovieLens names. */
const GENRE_WORDS: Record<string, string> = {
  "film-noir": "film noir",
  children: "children's",
};

interface Evidence {
  movie: LikedMovie;
  director: string | null;
  cast: string[];
  tags: string[];
  genres: string[];
  score: number;
}

const key = (s: string) => s.trim().toLowerCase();

function intersect(a: readonly string[], b: readonly string[]): string[] {
  const other = new Set(b.map(key));
  const seen = new Set<string>();
  return a.filter((x) => {
    const k = key(x);
    if (!k || !other.has(k) || seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/**
 * A tag is only quoted when it cannot upset the text around it: short, no
 * quotes or sentence punctuation, no year, no director wording. Tags are
 * user-written, so this also keeps injected instructions out of the prose.
 */
function quotableTag(tag: string): boolean {
  return (
    /^[\p{L}\p{N} '’&-]{1,40}$/u.test(tag) &&
    /[\p{L}]/u.test(tag) &&
    !/\b(?:18[7-9]\d|19\d\d|20[0-3]\d)\b/.test(tag) &&
    !/direct/i.test(tag)
  );
}

function usableGenres(genres: readonly string[]): string[] {
  return genres.filter((g) => g.trim() && !SKIPPED_GENRES.has(key(g)));
}

/**
 * What the target and a liked movie share, re-derived from both movies' facts
 * (not taken from `shared`), so that every claim is one the grounding checks
 * can verify against the same facts.
 */
function evidenceFor(target: MovieFacts, movie: LikedMovie): Evidence {
  const director =
    target.director && movie.director && key(target.director) === key(movie.director)
      ? target.director
      : null;
  const cast = intersect(target.topCast, movie.topCast);
  const tags = intersect(target.tags, movie.tags).filter(quotableTag);
  const genres = intersect(usableGenres(target.genres), movie.genres);
  const similarity = Number.isFinite(movie.similarity)
    ? Math.min(1, Math.max(0, movie.similarity))
    : 0;
  const score =
    (director ? WEIGHTS.director : 0) +
    WEIGHTS.castEach * Math.min(cast.length, WEIGHTS.castCounted) +
    WEIGHTS.tagEach * Math.min(tags.length, WEIGHTS.tagsCounted) +
    WEIGHTS.similarity * similarity +
    WEIGHTS.genreEach * Math.min(genres.length, WEIGHTS.genresCounted);
  return { movie, director, cast, tags, genres, score };
}

/** The strongest liked movies, strongest first; the target itself and repeats are skipped. */
function rankEvidence(context: ExplainContext): Evidence[] {
  const seen = new Set<number>([context.target.movieId]);
  const candidates: Evidence[] = [];
  for (const movie of context.liked) {
    if (seen.has(movie.movieId)) continue;
    seen.add(movie.movieId);
    candidates.push(evidenceFor(context.target, movie));
  }
  return candidates.sort(
    (a, b) =>
      b.score - a.score || b.movie.rating - a.movie.rating || a.movie.movieId - b.movie.movieId,
  );
}

function genreWords(genres: readonly string[]): string[] {
  return genres.map((g) => GENRE_WORDS[key(g)] ?? key(g));
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function truncate(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1).trimEnd()}…`;
}

function why(e: Evidence): string {
  const reasons: string[] = [];
  if (e.director) reasons.push(`same director, ${e.director}`);
  if (e.cast.length > 0) reasons.push(`also stars ${listOf(e.cast.slice(0, 2))}`);
  if (e.tags.length > 0) reasons.push(`both tagged "${e.tags[0]}"`);
  if (e.genres.length > 0) reasons.push(`shares ${genreWords(e.genres).join(", ")}`);
  if (reasons.length === 0 && e.movie.similarity >= CLOSE_SIMILARITY) {
    reasons.push("close in content");
  }
  if (reasons.length === 0) reasons.push(`you rated it ${starsOf(e.movie.movieId)}`);
  return truncate(reasons.slice(0, 2).join("; "), MAX_WHY_CHARS);
}

function confidenceOf(evidence: readonly Evidence[]): Confidence {
  if (evidence.some((e) => e.director || e.cast.length > 0)) return "high";
  if (evidence.filter((e) => e.movie.similarity >= HIGH_SIMILARITY).length >= 2) return "high";
  if (evidence.some((e) => e.tags.length > 0 || e.genres.length >= 2)) return "medium";
  return "low";
}

/** "You gave [[47]] [[47:stars]] and [[593]] [[593:stars]]." */
function ratingsSentence(evidence: readonly Evidence[]): string {
  const ids = evidence.map((e) => e.movie.movieId);
  return `You gave ${listOf(ids.map((id) => `${titleOf(id)} ${starsOf(id)}`))}.`;
}

/** "[[53519]] shares mystery and thriller with [[47]], and crime and thriller with [[593]] and [[1]]". */
function sharedGenresSentence(target: MovieFacts, evidence: readonly Evidence[]): string | null {
  // Films sharing the same genres with the target share one clause.
  const byGenres = new Map<string, string[]>();
  for (const e of evidence) {
    if (e.genres.length === 0) continue;
    const genres = listOf(genreWords(e.genres));
    byGenres.set(genres, [...(byGenres.get(genres) ?? []), titleOf(e.movie.movieId)]);
  }
  const clauses = [...byGenres].map(([genres, films]) => `${genres} with ${listOf(films)}`);
  if (clauses.length > 0) {
    const joined =
      clauses.length === 1
        ? clauses[0]
        : `${clauses.slice(0, -1).join(", ")}, and ${clauses[clauses.length - 1]}`;
    return `${titleOf(target.movieId)} shares ${joined}.`;
  }
  const close = evidence.filter((e) => e.movie.similarity >= CLOSE_SIMILARITY);
  if (close.length > 0) {
    return `${titleOf(target.movieId)} is close in content to ${listOf(close.map((e) => titleOf(e.movie.movieId)))}.`;
  }
  return null;
}

/**
 * "It is directed by David Fincher, who also made [[47]]; it stars Jake
 * Gyllenhaal, who is also in [[4878]]." The sentence names the liked
 * movies, whose director is the same person, so the director claim checks.
 */
function peopleAndTagsSentence(evidence: readonly Evidence[]): string | null {
  const clauses: string[] = [];
  const byDirector = evidence.filter((e) => e.director);
  const director = byDirector[0]?.director;
  if (director) {
    clauses.push(
      `it is directed by ${director}, who also made ${listOf(byDirector.map((e) => titleOf(e.movie.movieId)))}`,
    );
  }
  const group = (pick: (e: Evidence) => string[]) => {
    const titles = new Map<string, string[]>();
    for (const e of evidence) {
      for (const value of pick(e))
        titles.set(value, [...(titles.get(value) ?? []), titleOf(e.movie.movieId)]);
    }
    return [...titles.entries()];
  };
  for (const [actor, titles] of group((e) => e.cast).slice(0, 2)) {
    clauses.push(`it stars ${actor}, who is also in ${listOf(titles)}`);
  }
  for (const [tag, titles] of group((e) => e.tags).slice(0, 2)) {
    clauses.push(`like ${listOf(titles)}, it is tagged "${tag}"`);
  }
  if (clauses.length === 0) return null;
  return `${capitalise(clauses.slice(0, 3).join("; "))}.`;
}

/** "[[53519]] is a crime, drama, mystery and thriller film directed by David Fincher." */
function targetSentence(target: MovieFacts): string {
  const genres = listOf(genreWords(usableGenres(target.genres)));
  const name = titleOf(target.movieId);
  const article = /^[aeiou]/i.test(genres) ? "an" : "a";
  const directed = target.director ? `directed by ${target.director}` : "";
  if (genres && directed) return `${name} is ${article} ${genres} film ${directed}.`;
  if (genres) return `${name} is ${article} ${genres} film.`;
  if (directed) return `${name} is ${directed}.`;
  return `${name} is in the catalog.`;
}

const RATE_MORE = "Rate a few movies you enjoyed and this explanation will draw on your own taste.";
const GENERIC = "This pick is based on movies you rated highly.";

function grounded(draft: ExplanationDraft, context: ExplainContext): boolean {
  return checkGrounding(draft, context).length === 0;
}

/**
 * A grounded explanation built from the context alone. Up to three liked
 * movies are cited, strongest first (see WEIGHTS), in up to three sentences:
 * the user's ratings of them, the genres the target shares with each, and
 * shared director, cast and tags. With no liked movies it describes the
 * target from its own facts and asks for ratings.
 *
 * Films are placeholders (rendered later), so odd titles cannot trip a check;
 * odd people's names or a 600-character title (too long once rendered)
 * still could, so richer drafts are tried first and each is checked; the
 * last resort names nothing and always passes.
 */
export function deterministicExplanation(context: ExplainContext): ExplanationDraft {
  const { target } = context;
  if (context.liked.length === 0) {
    const tries = [`${targetSentence(target)} ${RATE_MORE}`, RATE_MORE];
    for (const explanation of tries) {
      const draft: ExplanationDraft = { explanation, confidence: "low", evidence: [] };
      if (grounded(draft, context)) return draft;
    }
    return { explanation: RATE_MORE, confidence: "low", evidence: [] };
  }

  const ranked = rankEvidence(context);
  for (let count = Math.min(MAX_FALLBACK_EVIDENCE, ranked.length); count >= 1; count--) {
    const chosen = ranked.slice(0, count);
    const evidence = chosen.map((e) => ({ movieId: e.movie.movieId, why: why(e) }));
    const confidence = confidenceOf(chosen);
    const first = ratingsSentence(chosen);
    const second = sharedGenresSentence(target, chosen);
    const third = peopleAndTagsSentence(chosen);
    const variants = [[first, second, third], [first, second], [first, third], [first]];
    for (const parts of variants) {
      const explanation = parts.filter((p): p is string => !!p).join(" ");
      const draft: ExplanationDraft = { explanation, confidence, evidence };
      if (grounded(draft, context)) return draft;
    }
  }
  const chosen = ranked.slice(0, MAX_FALLBACK_EVIDENCE);
  return {
    explanation: GENERIC,
    confidence: confidenceOf(chosen),
    evidence: chosen.map((e) => ({ movieId: e.movie.movieId, why: why(e) })),
  };
}

/** Exposed for tests and for callers that show why one liked movie was cited. */
export function evidenceStrength(target: MovieFacts, movie: LikedMovie): number {
  return evidenceFor(target, movie).score;
}
