import { MAX_QUERY_LENGTH } from "../../core/search-limits.ts";
import type { AppliedFilter, LikeReference } from "./api.ts";

/** Filters sent as parameters: genre (repeatable), yearFrom, yearTo. */
export interface ExplicitFilters {
  genres: string[];
  yearFrom?: number | undefined;
  yearTo?: number | undefined;
}

/** One removable chip in the palette. */
export interface FilterChip {
  key: string;
  label: string;
  genre?: string;
  /** Which year bounds the chip stands for. */
  years: ("yearFrom" | "yearTo")[];
  /** Query words that produced it; removing the chip removes them. */
  words: string[];
}

/** Cuts `text` to the API's limit without splitting a surrogate pair. */
export function capQuery(text: string): string {
  if (text.length <= MAX_QUERY_LENGTH) return text;
  let end = MAX_QUERY_LENGTH;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return text.slice(0, end);
}

function yearLabel(from: number | undefined, to: number | undefined): string {
  if (from !== undefined && to !== undefined) {
    if (from === to) return String(from);
    if (from % 10 === 0 && to === from + 9) return `${from}s`;
    return `${from}–${to}`;
  }
  if (from !== undefined) return `after ${from - 1}`;
  return `before ${(to ?? 0) + 1}`;
}

/**
 * Chips for what the search applied: the film a "like" query is about, genres (inferred or explicit, one chip
 * each), explicit years as one chip, and inferred years grouped by the words
 * that produced them ("90s" gives one "1990s" chip, not two bounds).
 * Explicit bounds win over inferred ones, as on the server.
 */
export function filterChips(
  applied: AppliedFilter[],
  explicit: ExplicitFilters,
  like?: LikeReference | null,
): FilterChip[] {
  const chips: FilterChip[] = [];
  // The film a "like" query was taken to mean; removing it removes "like <title>".
  if (like) {
    chips.push({
      key: `like:${like.movieId}`,
      label: `like ${like.title}${like.year ? ` (${like.year})` : ""}`,
      years: [],
      words: [like.from],
    });
  }
  const genres = new Map<string, FilterChip>();
  const addGenre = (genre: string, label: string, words: string[]) => {
    const chip = genres.get(genre);
    if (chip) chip.words.push(...words);
    else {
      const created: FilterChip = { key: `genre:${genre}`, label, genre, years: [], words };
      genres.set(genre, created);
      chips.push(created);
    }
  };
  const yearGroups = new Map<string, AppliedFilter[]>();
  for (const f of applied) {
    if (f.kind === "genre") addGenre(String(f.value), String(f.value), [f.from]);
    else {
      if (explicit[f.kind] !== undefined) continue;
      const group = yearGroups.get(f.from) ?? [];
      group.push(f);
      yearGroups.set(f.from, group);
    }
  }
  for (const genre of explicit.genres) addGenre(genre, genre, []);
  for (const [from, group] of yearGroups) {
    const bound = (kind: string) => group.find((f) => f.kind === kind)?.value as number | undefined;
    chips.push({
      key: `years:${from}`,
      label: yearLabel(bound("yearFrom"), bound("yearTo")),
      years: group.map((f) => f.kind as "yearFrom" | "yearTo"),
      words: [from],
    });
  }
  if (explicit.yearFrom !== undefined || explicit.yearTo !== undefined) {
    const years = (["yearFrom", "yearTo"] as const).filter((k) => explicit[k] !== undefined);
    // Words that also ask for these bounds go too, or the filter would come straight back.
    const words = applied.filter((f) => years.some((k) => k === f.kind)).map((f) => f.from);
    chips.push({
      key: "years:explicit",
      label: yearLabel(explicit.yearFrom, explicit.yearTo),
      years,
      words: [...new Set(words)],
    });
  }
  return chips;
}

/** Removes the first case-insensitive occurrence of each phrase, tidying the spaces left behind. */
export function cutWords(query: string, words: string[]): string {
  let text = query;
  for (const word of words) {
    const at = text.toLowerCase().indexOf(word.toLowerCase());
    if (word && at !== -1) text = `${text.slice(0, at)} ${text.slice(at + word.length)}`;
  }
  return text === query ? query : text.replace(/\s+/g, " ").trim();
}

/**
 * The search without one chip. The API has no switch to turn off an
 * inferred filter, so the words that produced it leave the query, and every
 * other filter in effect is passed explicitly: cutting "comedies" from
 * "90s comedies" would otherwise lose the decade too, which is only read
 * next to a word like "comedies".
 */
export function removeChip(
  query: string,
  effective: ExplicitFilters,
  chip: FilterChip,
): { query: string; filters: ExplicitFilters } {
  const filters: ExplicitFilters = {
    genres: effective.genres.filter((g) => g !== chip.genre),
  };
  if (effective.yearFrom !== undefined && !chip.years.includes("yearFrom"))
    filters.yearFrom = effective.yearFrom;
  if (effective.yearTo !== undefined && !chip.years.includes("yearTo"))
    filters.yearTo = effective.yearTo;
  return { query: cutWords(query, chip.words), filters };
}
