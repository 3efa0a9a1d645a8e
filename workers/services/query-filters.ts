import type { Where } from "chromadb";
import { genreKey } from "../../core/vector/movies-collection.ts";

/** Filters a search can apply; each can come from parameters or from the query text. */
export interface SearchFilters {
  genres: string[];
  yearFrom?: number;
  yearTo?: number;
}

/** A filter read out of the query text, so the UI can show it as a removable chip. */
export interface AppliedFilter {
  kind: "genre" | "yearFrom" | "yearTo";
  value: string | number;
  /** The words of the query it came from. */
  from: string;
}

// Words that name a MovieLens genre unambiguously when someone describes what they want.
const GENRE_WORDS: [RegExp, string][] = [
  [/\b(comedy|comedies)\b/i, "Comedy"],
  [/\b(animated|animation|cartoons?)\b/i, "Animation"],
  [/\bhorror\b/i, "Horror"],
  [/\b(sci-?fi|science fiction)\b/i, "Sci-Fi"],
  [/\bdocumentar(y|ies)\b/i, "Documentary"],
  [/\bthrillers?\b/i, "Thriller"],
  [/\b(westerns?)\b/i, "Western"],
  [/\bmusicals?\b/i, "Musical"],
  [/\b(war movies?|war films?)\b/i, "War"],
  [/\b(romances|romantic comed(y|ies)|rom-?coms?)\b/i, "Romance"],
  [/\bfilm[- ]noir\b/i, "Film-Noir"],
];

// A decade is a filter only next to what is being asked for ("90s comedies",
// "1980s movies", "from the 70s"): in "framed in the 1940s" it is plot.
const GENRE_OR_FILM =
  "(?:comed(?:y|ies)|animated|animation|cartoons?|horror|sci-?fi|documentar(?:y|ies)|thrillers?|westerns?|musicals?|war|romances?|rom-?coms?|noir|action|dramas?|crime|fantasy|adventures?|mysteries|mystery|movies?|films?|flicks?)";
const DECADE = new RegExp(
  `(?:\\bfrom the\\s+((?:19|20)?\\d0)'?s\\b|\\b((?:19|20)?\\d0)'?s\\s+(?:\\w+\\s+)?${GENRE_OR_FILM}\\b)`,
  "i",
);
const BEFORE = /\b(?:before|pre|older than)\s+((?:19|20)\d\d)\b/i;
const AFTER = /\b(?:after|since|post|newer than)\s+((?:19|20)\d\d)\b/i;
const FROM = /\bfrom\s+((?:19|20)\d\d)\b/i;

/**
 * Reads simple facts out of a query: "90s comedies" -> Comedy, 1990-1999;
 * "before 1980" -> yearTo 1979; "from 2010" -> 2010. The query text itself
 * is left as it is, so the words still count for search.
 */
export function inferFilters(query: string): AppliedFilter[] {
  const applied: AppliedFilter[] = [];
  for (const [pattern, genre] of GENRE_WORDS) {
    const match = pattern.exec(query);
    if (match) applied.push({ kind: "genre", value: genre, from: match[0] });
  }
  const decade = DECADE.exec(query);
  if (decade) {
    const digits = decade[1] ?? decade[2] ?? "";
    // "90" -> 1990, "20" -> 2020, "1980" -> 1980
    const start =
      digits.length === 4 ? Number(digits) : Number(digits) + (Number(digits) >= 30 ? 1900 : 2000);
    const from = decade[0]
      .replace(new RegExp(`\\s+(?:\\w+\\s+)?${GENRE_OR_FILM}$`, "i"), "")
      .replace(/^from the\s+/i, "");
    applied.push({ kind: "yearFrom", value: start, from });
    applied.push({ kind: "yearTo", value: start + 9, from });
    return applied;
  }
  const before = BEFORE.exec(query);
  if (before) applied.push({ kind: "yearTo", value: Number(before[1]) - 1, from: before[0] });
  const after = AFTER.exec(query);
  if (after) applied.push({ kind: "yearFrom", value: Number(after[1]) + 1, from: after[0] });
  if (!before && !after) {
    const from = FROM.exec(query);
    if (from) {
      applied.push({ kind: "yearFrom", value: Number(from[1]), from: from[0] });
      applied.push({ kind: "yearTo", value: Number(from[1]), from: from[0] });
    }
  }
  return applied;
}

/** Explicit parameters win over what the text suggests. */
export function mergeFilters(explicit: SearchFilters, inferred: AppliedFilter[]): SearchFilters {
  const genres = new Set(explicit.genres);
  for (const f of inferred) if (f.kind === "genre") genres.add(String(f.value));
  const year = (kind: "yearFrom" | "yearTo") =>
    explicit[kind] ?? (inferred.find((f) => f.kind === kind)?.value as number | undefined);
  const merged: SearchFilters = { genres: [...genres] };
  const yearFrom = year("yearFrom");
  const yearTo = year("yearTo");
  if (yearFrom !== undefined) merged.yearFrom = yearFrom;
  if (yearTo !== undefined) merged.yearTo = yearTo;
  return merged;
}

/** True when any filter is set. */
export function hasFilters(filters: SearchFilters): boolean {
  return (
    filters.genres.length > 0 || filters.yearFrom !== undefined || filters.yearTo !== undefined
  );
}

/** Whether a movie passes `filters` (what marquee_passes_filter says in Postgres). */
export function passesFilters(
  movie: { genres: readonly string[]; year: number | null },
  filters: SearchFilters,
): boolean {
  const { genres, yearFrom, yearTo } = filters;
  if (!genres.every((g) => movie.genres.includes(g))) return false;
  if (yearFrom !== undefined && (movie.year === null || movie.year < yearFrom)) return false;
  if (yearTo !== undefined && (movie.year === null || movie.year > yearTo)) return false;
  return true;
}

/** Year and genre filters pushed into Chroma's `where`. */
export function chromaWhere(filters: SearchFilters): Where | undefined {
  const clauses: Where[] = [];
  for (const genre of filters.genres) clauses.push({ [genreKey(genre)]: true });
  if (filters.yearFrom !== undefined) clauses.push({ year: { $gte: filters.yearFrom } });
  if (filters.yearTo !== undefined) clauses.push({ year: { $lte: filters.yearTo } });
  if (clauses.length === 0) return undefined;
  return clauses.length === 1 ? clauses[0] : { $and: clauses };
}
