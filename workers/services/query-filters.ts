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

const DECADE = /\b(?:the\s+)?(?:(19|20)?(\d)0)'?s\b/i;
const BEFORE = /\b(?:before|pre|older than)\s+((?:19|20)\d\d)\b/i;
const AFTER = /\b(?:after|since|post|newer than)\s+((?:19|20)\d\d)\b/i;
const FROM = /\b(?:from|in|of)\s+((?:19|20)\d\d)\b/i;

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
    const century = decade[1] ?? (Number(decade[2]) >= 3 ? "19" : "20");
    const start = Number(`${century}${decade[2]}0`);
    applied.push({ kind: "yearFrom", value: start, from: decade[0] });
    applied.push({ kind: "yearTo", value: start + 9, from: decade[0] });
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
