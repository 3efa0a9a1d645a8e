/**
 * An explanation's text as the grounding checks read it: normalised for
 * matching (with a map back to the original offsets), spans masked once
 * accounted for, and split into sentences without breaking at "Dr." or
 * "Vol. 2". Pure functions, no I/O. The normalisation itself is core's
 * (core/normalize.ts), shared with the catalog's title keys.
 */
import { MASK, type Normalized } from "../../../core/normalize.ts";

export interface Range {
  start: number;
  end: number;
}

/**
 * Where `needle` (already normalised) occurs as whole words in `hay`, as
 * ranges of the source. With `capitalised`, a one-word needle only counts
 * where the source word starts with a capital: prose capitalises titles, and
 * a lower-case "heat" or "up" is far more often a word than a movie.
 */
export function occurrences(
  hay: Normalized,
  source: string,
  needle: string,
  capitalised = false,
): Range[] {
  const found: Range[] = [];
  if (!needle) return found;
  const oneWord = !needle.includes(" ");
  for (let from = 0; ; ) {
    const p = hay.text.indexOf(needle, from);
    if (p < 0) break;
    from = p + 1;
    const after = p + needle.length;
    if (p > 0 && hay.text[p - 1] !== " ") continue;
    if (after < hay.text.length && hay.text[after] !== " ") continue;
    const start = hay.map[p] ?? 0;
    const last = hay.map[after - 1] ?? start;
    const end = last + ((source.codePointAt(last) ?? 0) > 0xffff ? 2 : 1);
    if (capitalised && oneWord && /^\p{Ll}/u.test(source.slice(start))) continue;
    found.push({ start, end });
  }
  return found;
}

export function mask(text: string, ranges: readonly Range[]): string {
  if (ranges.length === 0) return text;
  const chars = text.split("");
  for (const r of ranges) for (let i = r.start; i < r.end && i < chars.length; i++) chars[i] = MASK;
  return chars.join("");
}

export interface Sentence {
  text: string;
  /** Offsets into the text the sentence came from. */
  start: number;
  end: number;
}

/** Words a full stop follows without ending the sentence ("Dr. No", "Alien vs. Predator"). */
const ABBREVIATIONS = new Set([
  "dr",
  "mr",
  "mrs",
  "ms",
  "st",
  "vs",
  "jr",
  "sr",
  "inc",
  "ltd",
  "co",
  "mt",
  "vol",
  "pt",
  "prof",
  "gen",
  "lt",
  "sgt",
  "capt",
  "rev",
]);

function inRanges(i: number, ranges: readonly Range[]): boolean {
  return ranges.some((r) => i >= r.start && i < r.end);
}

/**
 * Splits prose into sentences. A sentence ends at ".", "!", "?" or "…" that is
 * followed by white space and then not by a lower-case letter, and never after
 * an abbreviation or an initial ("Dr.", "vs.", "J. K.", "a.k.a."), inside a
 * number ("4.5") or inside a protected range (the caller passes the context
 * titles it found, so "Monsters, Inc." or "Shall We Dance?" stay whole).
 * Blank lines also end a sentence.
 */
export function splitSentences(text: string, protectedRanges: readonly Range[] = []): Sentence[] {
  const sentences: Sentence[] = [];
  const push = (from: number, to: number) => {
    let a = from;
    let b = to;
    while (a < b && /\s/.test(text[a] ?? "")) a++;
    while (b > a && /\s/.test(text[b - 1] ?? "")) b--;
    const body = text.slice(a, b);
    if (/[\p{L}\p{N}]/u.test(body)) sentences.push({ text: body, start: a, end: b });
  };
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] ?? "";
    if (ch === "\n") {
      const blank = /^\n[^\S\n]*\n/.exec(text.slice(i));
      if (blank) {
        push(start, i);
        start = i + blank[0].length;
        i = start - 1;
      }
      continue;
    }
    if (!".!?…".includes(ch) || inRanges(i, protectedRanges)) continue;
    let j = i + 1;
    while (j < text.length && /[.!?…"'”’)\]]/.test(text[j] ?? "")) j++;
    if (j < text.length && !/\s/.test(text[j] ?? "")) continue;
    let k = j;
    while (k < text.length && /\s/.test(text[k] ?? "")) k++;
    if (k < text.length) {
      if (/\p{Ll}/u.test(text[k] ?? "")) continue;
      if (ch === "." && j === i + 1) {
        const word = /([\p{L}]+)$/u.exec(text.slice(Math.max(0, i - 12), i))?.[1] ?? "";
        if (word.length === 1 || ABBREVIATIONS.has(word.toLowerCase())) continue;
      }
    }
    push(start, j);
    start = k;
    i = k - 1;
  }
  push(start, text.length);
  return sentences;
}
