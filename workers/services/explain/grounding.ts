/**
 * Grounding checks for "Why this?" explanations.
 *
 * An explanation may only talk about what the context holds: the target, the
 * user's liked movies and the target's neighbours, with their stored facts.
 * The checks here are pure (no I/O) so they run the same in the Worker, in
 * tests and on the deterministic fallback. The one thing they cannot know on
 * their own is which spans of the text are real catalog titles: the caller
 * asks Postgres once with `titleCandidates(text)` and passes back the ones it
 * found, so a model that names a real but unrelated movie ("Casablanca") is
 * caught as surely as one that makes a title up ("The Crimson Harbor").
 *
 * Every Violation message is a plain sentence that can be sent back to the
 * model verbatim on a retry.
 */
import type { ExplainContext, ExplanationDraft, MovieFacts, Violation } from "./types.ts";

/** Long enough for 2-4 sentences; longer drafts are essays the UI would cut. */
export const MAX_EXPLANATION_CHARS = 700;
export const MAX_SENTENCES = 4;
export const MAX_EVIDENCE = 5;
export const MAX_WHY_CHARS = 200;
/** Bounds the caller's catalog query; a 700-character text rarely has more than a dozen. */
export const MAX_TITLE_CANDIDATES = 40;

const CONFIDENCES = new Set(["high", "medium", "low"]);

// ---------------------------------------------------------------------------
// Text normalisation
// ---------------------------------------------------------------------------

/**
 * Replaces spans already accounted for (context titles, people, tags) so later
 * scans neither see them nor join words across them. It is neither a letter
 * nor a digit, so it breaks capitalised runs and year matches, and
 * normalisation keeps it as a word of its own that never matches anything.
 */
const MASK = "¤";

interface Normalized {
  /** Lower case, accents stripped, "&" as "and", words separated by single spaces. */
  text: string;
  /** For each UTF-16 unit of `text`, the index in the source it came from. */
  map: number[];
}

/**
 * Normalises text and remembers where each character came from, so a match
 * found in the forgiving form ("se7en s" for "Se7en's") can be located, and
 * masked, in the original.
 */
function normalizeWithMap(source: string): Normalized {
  let text = "";
  const map: number[] = [];
  let index = 0;
  for (const ch of source) {
    const at = index;
    index += ch.length;
    const piece =
      ch === "&"
        ? " and "
        : ch === MASK
          ? MASK
          : ch
              .normalize("NFKD")
              .replace(/\p{M}+/gu, "")
              .toLowerCase();
    for (const out of piece) {
      if (out === MASK || /[\p{L}\p{N}]/u.test(out)) {
        text += out;
        for (let k = 0; k < out.length; k++) map.push(at);
      } else if (text.length > 0 && !text.endsWith(" ")) {
        text += " ";
        map.push(at);
      }
    }
  }
  if (text.endsWith(" ")) {
    text = text.slice(0, -1);
    map.pop();
  }
  return { text, map };
}

function normalizeText(source: string): string {
  return normalizeWithMap(source).text;
}

/**
 * The key for tolerant title matching: lower case, no accents, punctuation as
 * spaces, no leading article, no parenthetical suffix ("Seven (a.k.a. Se7en)"
 * -> "seven"), no trailing possessive. "The Matrix", "matrix" and "Matrix's"
 * all give "matrix"; "Monsters, Inc." gives "monsters inc".
 */
export function normalizeTitle(title: string): string {
  let t = title.trim();
  for (;;) {
    const group = /\s*\([^()]*\)\s*$/.exec(t);
    if (!group || group.index === 0) break;
    t = t.slice(0, group.index);
  }
  t = t.replace(/^(.*),\s*(the|a|an)$/i, "$2 $1");
  t = t.replace(/[\s.,;:!?…"'”’)\]]+$/u, "").replace(/['’]s$/iu, "");
  return normalizeText(t).replace(/^(?:the|a|an) /, "");
}

interface Range {
  start: number;
  end: number;
}

/**
 * Where `needle` (already normalised) occurs as whole words in `hay`, as
 * ranges of the source. With `capitalised`, a one-word needle only counts
 * where the source word starts with a capital: prose capitalises titles, and
 * a lower-case "heat" or "up" is far more often a word than a movie.
 */
function occurrences(
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

function mask(text: string, ranges: readonly Range[]): string {
  if (ranges.length === 0) return text;
  const chars = text.split("");
  for (const r of ranges) for (let i = r.start; i < r.end && i < chars.length; i++) chars[i] = MASK;
  return chars.join("");
}

// ---------------------------------------------------------------------------
// Sentences
// ---------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------
// Title candidates
// ---------------------------------------------------------------------------

/**
 * Lower-case words allowed inside a capitalised run, so "The Silence of the
 * Lambs", "Alien vs. Predator" and "Fast & Furious" stay one span.
 */
const CONNECTORS = new Set([
  "of",
  "the",
  "a",
  "an",
  "and",
  "in",
  "on",
  "to",
  "for",
  "with",
  "from",
  "at",
  "vs",
  "&",
]);

/**
 * Capitalised words that open sentences rather than titles ("Because Se7en
 * ...", "Fans of Zodiac ..."): stripped from the front of a run, never a
 * candidate alone. Kept small on purpose: a longer list starts eating real
 * titles. The price is that titles such as "It", "Her" or "Like Crazy" are
 * not proposed from the start of a run.
 */
const LEADING_WORDS = new Set([
  "because",
  "like",
  "unlike",
  "if",
  "since",
  "as",
  "while",
  "when",
  "although",
  "though",
  "given",
  "you",
  "you're",
  "you've",
  "your",
  "we",
  "i",
  "it",
  "it's",
  "its",
  "this",
  "that",
  "these",
  "those",
  "here",
  "there",
  "both",
  "and",
  "but",
  "or",
  "so",
  "also",
  "then",
  "with",
  "for",
  "from",
  "in",
  "on",
  "at",
  "of",
  "to",
  "after",
  "before",
  "fans",
  "viewers",
  "anyone",
  "another",
  "each",
  "every",
  "all",
  "overall",
  "together",
  "what",
  "which",
  "who",
  "how",
  "why",
]);

/** Never a candidate on their own (a bare article is the start of a title that was masked). */
const NOT_ALONE = new Set(["the", "a", "an"]);

/** "Jr. " and "Dr. " do not break a run; "Monsters, Inc." keeps its comma. */
const DOT_JOIN = new Set(["dr", "mr", "mrs", "ms", "st", "jr", "sr", "vs", "mt"]);
const COMMA_JOIN = new Set(["inc", "jr", "sr", "ltd"]);
const KEEPS_DOT = new Set(["inc", "jr", "sr", "ltd", "co"]);

/** Decimals ("4.5", "1,000") come first so they stay one token, which never joins a run. */
const TOKEN = /\p{N}+(?:[.,]\p{N}+)+|&|[\p{L}\p{N}]+(?:[-'’·][\p{L}\p{N}]+)*/gu;

type TokenKind = "cap" | "num" | "conn" | "other";

interface Token {
  text: string;
  start: number;
  end: number;
  kind: TokenKind;
  /** The characters between the previous token and this one. */
  gap: string;
}

/** How a token attaches to the one before: not at all, as the next word, or across ":" / " - ". */
type Join = "none" | "word" | "segment";

interface RunItem {
  token: Token;
  join: Join;
}

interface Run {
  items: RunItem[];
  /** The text to look up: the source span, "Inc." kept, a possessive "'s" dropped. */
  text: string;
  start: number;
  end: number;
}

function classify(word: string): TokenKind {
  if (CONNECTORS.has(word)) return "conn";
  if (/^\p{N}+$/u.test(word)) return "num";
  if (/^\p{Lu}/u.test(word)) return "cap";
  return "other";
}

/** "Toy Story 4 stars" is a rating of Toy Story, not the title "Toy Story 4". */
const RATING_AFTER = /^\s*(?:stars?\b|\/\s*5\b|out of\b)/i;

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let previousEnd = 0;
  for (const m of text.matchAll(TOKEN)) {
    const start = m.index ?? 0;
    const end = start + m[0].length;
    tokens.push({
      text: m[0],
      start,
      end,
      kind: RATING_AFTER.test(text.slice(end, end + 12)) ? "other" : classify(m[0]),
      gap: text.slice(previousEnd, start),
    });
    previousEnd = end;
  }
  return tokens;
}

function joinOf(previous: Token, next: Token): Join {
  const gap = next.gap;
  if (/^[^\S\n]+$/.test(gap)) return "word";
  if (/^[^\S\n]*:[^\S\n]+$/.test(gap) || /^[^\S\n]+[-–—][^\S\n]+$/.test(gap)) return "segment";
  if (
    /^\.[^\S\n]+$/.test(gap) &&
    (DOT_JOIN.has(previous.text.toLowerCase()) || /^\p{Lu}$/u.test(previous.text))
  ) {
    return "word";
  }
  if (/^,[^\S\n]+$/.test(gap) && COMMA_JOIN.has(next.text.toLowerCase())) return "word";
  return "none";
}

function spanText(text: string, first: Token, last: Token): { text: string; end: number } {
  let end = last.end;
  if (KEEPS_DOT.has(last.text.toLowerCase()) && text[end] === ".") end++;
  return { text: text.slice(first.start, end).replace(/['’]s$/u, ""), end };
}

/**
 * Maximal runs of capitalised words (with connectors, numbers, ":" and " - "
 * inside), with leading sentence words stripped. A number may end a run
 * ("Toy Story 2") but only starts one before a colon ("2001: A Space
 * Odyssey"), and never follows a connector, so "Se7en in 1995" stays apart.
 */
function capitalisedRuns(text: string): Run[] {
  const runs: Run[] = [];
  const flush = (raw: RunItem[]) => {
    const items = [...raw];
    while (items.length > 0 && items[items.length - 1]?.token.kind === "conn") items.pop();
    for (;;) {
      const first = items[0];
      if (!first) break;
      const word = first.token.text.toLowerCase();
      const next = items[1];
      if (
        first.token.kind === "conn" ||
        (first.token.kind === "num" && !next?.token.gap.includes(":")) ||
        (first.token.kind === "cap" && LEADING_WORDS.has(word))
      ) {
        items.shift();
        continue;
      }
      break;
    }
    const first = items[0];
    const last = items[items.length - 1];
    if (!first || !last || !items.some((i) => i.token.kind === "cap")) return;
    items[0] = { token: first.token, join: "none" };
    const span = spanText(text, first.token, last.token);
    runs.push({ items, text: span.text, start: first.token.start, end: span.end });
  };
  let current: RunItem[] = [];
  let previous: Token | null = null;
  for (const token of tokenize(text)) {
    if (token.kind === "other") {
      flush(current);
      current = [];
      previous = token;
      continue;
    }
    let join: Join = current.length > 0 && previous ? joinOf(previous, token) : "none";
    if (join === "none" || (token.kind === "num" && previous?.kind === "conn")) {
      flush(current);
      current = [];
      join = "none";
    }
    current.push({ token, join });
    previous = token;
  }
  flush(current);
  return runs;
}

/**
 * The shorter spans inside a run, split at connectors, ":" and " - ", so
 * "Se7en and Casablanca" also offers "Casablanca" and "Star Wars: Episode IV
 * - A New Hope" also offers "Star Wars". Longest first.
 */
function subSpans(text: string, run: Run): string[] {
  const segments: Token[][] = [];
  let current: Token[] = [];
  for (const { token, join } of run.items) {
    if (token.kind === "conn" || join === "segment") {
      if (current.length > 0) segments.push(current);
      current = token.kind === "conn" ? [] : [token];
      continue;
    }
    current.push(token);
  }
  if (current.length > 0) segments.push(current);
  const limited = segments.slice(0, 8);
  const spans: { text: string; length: number }[] = [];
  for (let i = 0; i < limited.length; i++) {
    for (let j = i; j < limited.length; j++) {
      if (i === 0 && j === segments.length - 1) continue;
      const first = limited[i]?.[0];
      const last = limited[j]?.at(-1);
      if (!first || !last || first.kind !== "cap") continue;
      if (LEADING_WORDS.has(first.text.toLowerCase())) continue;
      const span = spanText(text, first, last).text;
      spans.push({ text: span, length: j - i });
    }
  }
  return spans.sort((a, b) => b.length - a.length).map((s) => s.text);
}

/**
 * Quoted spans: "…", “…” and '…' / ‘…’ when the content has several words
 * (a single-quoted word is usually an apostrophe). "'90s" is a decade.
 */
function quotedSpans(text: string): Run[] {
  const source = text.replace(/['’‘](?=\d0s\b)/g, " ");
  const spans: Run[] = [];
  const patterns: [RegExp, boolean][] = [
    [/"([^"\n]{1,100})"/g, false],
    [/“([^”\n]{1,100})”/g, false],
    [/(?<![\p{L}\p{N}])['‘]([\p{L}\p{N}](?:[^\n]{0,98}?[^\s])?)['’](?![\p{L}\p{N}])/gu, true],
  ];
  for (const [pattern, multiword] of patterns) {
    for (const m of source.matchAll(pattern)) {
      const inner = m[1] ?? "";
      const lead = inner.length - inner.trimStart().length;
      const body = inner.trim().replace(/[.,;:!?]+$/, "");
      if (!/[\p{L}\p{N}]/u.test(body)) continue;
      if (multiword && !/\s/.test(body)) continue;
      const start = (m.index ?? 0) + 1 + lead;
      spans.push({ items: [], text: body, start, end: start + body.length });
    }
  }
  return spans.sort((a, b) => a.start - b.start);
}

/** Offsets of the first word of every sentence: a capital there says nothing about titles. */
function sentenceInitialOffsets(text: string): Set<number> {
  const starts = new Set<number>();
  for (const sentence of splitSentences(text)) {
    const first = /[\p{L}\p{N}]/u.exec(sentence.text);
    if (first) starts.add(sentence.start + first.index);
  }
  return starts;
}

/**
 * Spans of an explanation that could be movie titles, for the caller to look
 * up in the catalog in one query. In priority order (the list is cut at
 * MAX_TITLE_CANDIDATES): quoted spans; runs of two or more capitalised words
 * ("Toy Story 2", "Star Wars: Episode IV - A New Hope"); single capitalised
 * words that do not open a sentence ("Alien", "Heat"), or that do but carry a
 * digit or a possessive ("Se7en's"); then the shorter spans inside runs.
 * Sentence-opening words such as "Because" or "Fans" are stripped first.
 * De-duplicated case-insensitively, first spelling kept.
 *
 * Known gap: a bare one-word title that opens a sentence ("Casablanca is ...")
 * is not proposed; proposing every sentence opener would look up "Together"
 * or "Overall" and flag them when such films exist.
 */
export function titleCandidates(text: string): string[] {
  const initial = sentenceInitialOffsets(text);
  const runs = capitalisedRuns(text);
  const quoted: string[] = quotedSpans(text).map((q) => q.text);
  const multi: string[] = [];
  const single: string[] = [];
  const parts: string[] = [];
  for (const run of runs) {
    if (run.items.length >= 2) {
      multi.push(run.text);
      // "Se7en 5 stars": a trailing number may be a rating, not a sequel.
      const kept = run.items.findLastIndex((i) => i.token.kind !== "num");
      const lastKept = run.items[kept]?.token;
      const firstToken = run.items[0]?.token;
      if (kept < run.items.length - 1 && lastKept && firstToken) {
        (kept === 0 ? single : multi).push(spanText(text, firstToken, lastKept).text);
      }
      parts.push(...subSpans(text, run));
      continue;
    }
    const only = run.items[0]?.token;
    if (only?.kind !== "cap" || NOT_ALONE.has(only.text.toLowerCase())) continue;
    if (initial.has(only.start) && !/\p{N}|['’]s$/u.test(only.text)) continue;
    single.push(run.text);
  }
  const seen = new Set<string>();
  const candidates: string[] = [];
  for (const candidate of [...quoted, ...multi, ...single, ...parts]) {
    const key = candidate.toLowerCase();
    if (!candidate || seen.has(key)) continue;
    seen.add(key);
    candidates.push(candidate);
    if (candidates.length >= MAX_TITLE_CANDIDATES) break;
  }
  return candidates;
}

// ---------------------------------------------------------------------------
// Context index
// ---------------------------------------------------------------------------

interface ContextMovie {
  facts: MovieFacts;
  /** Normalised forms the movie may be named by, longest first. */
  variants: string[];
  /** One-word names only match capitalised, unless the stored title itself is lower case. */
  capitalised: boolean;
}

interface ContextIndex {
  target: ContextMovie;
  movies: ContextMovie[];
  variants: Set<string>;
  /** Normalised people, tags and genres: mentioning them is never an invented title. */
  terms: Set<string>;
  people: string[];
  /** Every normalised field of every context movie, overviews included. */
  corpus: string[];
}

/**
 * Ways a stored title may be written: as stored (article optional), without
 * its parenthetical ("Seven"), each parenthetical alone ("Se7en"), and the
 * part before a colon when that has two or more words ("Star Wars").
 */
function titleVariants(title: string): string[] {
  const variants = new Set<string>();
  const add = (v: string) => {
    if (v) variants.add(v);
  };
  add(normalizeTitle(title));
  add(normalizeText(title).replace(/^(?:the|a|an) /, ""));
  for (const m of title.matchAll(/\(([^()]*)\)/g)) {
    const inner = (m[1] ?? "").replace(/^\s*(?:a\.k\.a\.?|aka)\s+/i, "");
    if (!/^\s*\d{4}\s*$/.test(inner)) add(normalizeTitle(inner));
  }
  const colon = title.indexOf(":");
  if (colon > 0) {
    const before = normalizeTitle(title.slice(0, colon));
    if (before.includes(" ")) add(before);
  }
  return [...variants].sort((a, b) => b.length - a.length);
}

function indexContext(context: ExplainContext): ContextIndex {
  const make = (facts: MovieFacts): ContextMovie => ({
    facts,
    variants: titleVariants(facts.title),
    capitalised: !/^\s*\p{Ll}/u.test(facts.title),
  });
  const target = make(context.target);
  const movies = [target, ...context.liked.map(make), ...context.neighbors.map(make)];
  const variants = new Set(movies.flatMap((m) => m.variants));
  const terms = new Set<string>();
  const people = new Set<string>();
  const corpus: string[] = [];
  for (const { facts } of movies) {
    for (const person of [facts.director, ...facts.topCast]) {
      if (!person) continue;
      const n = normalizeText(person);
      if (n) {
        people.add(n);
        terms.add(n);
      }
    }
    for (const term of [...facts.tags, ...facts.genres]) {
      const n = normalizeText(term);
      if (n) terms.add(n);
    }
    for (const field of [
      facts.title,
      facts.director ?? "",
      facts.overview ?? "",
      ...facts.topCast,
      ...facts.tags,
      ...facts.genres,
    ]) {
      const n = normalizeText(field);
      if (n) corpus.push(n);
    }
  }
  return { target, movies, variants, terms, people: [...people], corpus };
}

function inCorpus(index: ContextIndex, phrase: string): boolean {
  if (!phrase) return true;
  return index.corpus.some((field) => ` ${field} `.includes(` ${phrase} `));
}

interface TitleHit extends Range {
  movies: ContextMovie[];
}

/**
 * Where the text names context movies. Overlaps go to the longest match, so
 * "Toy Story 2" does not also name "Toy Story"; a leading "The" before an
 * article-less match is included so it is masked with the title.
 */
function findTitleHits(text: string, index: ContextIndex): TitleHit[] {
  const hay = normalizeWithMap(text);
  const byRange = new Map<string, TitleHit>();
  for (const movie of index.movies) {
    for (const variant of movie.variants) {
      for (const r of occurrences(hay, text, variant, movie.capitalised)) {
        const key = `${r.start}:${r.end}`;
        const hit = byRange.get(key) ?? { ...r, movies: [] };
        if (!hit.movies.includes(movie)) hit.movies.push(movie);
        byRange.set(key, hit);
      }
    }
  }
  const accepted: TitleHit[] = [];
  const ordered = [...byRange.values()].sort(
    (a, b) => b.end - b.start - (a.end - a.start) || a.start - b.start,
  );
  for (const hit of ordered) {
    if (accepted.some((h) => hit.start < h.end && h.start < hit.end)) continue;
    const article = /(?:^|[^\p{L}\p{N}])(the|a|an)\s+$/iu.exec(text.slice(0, hit.start));
    if (article?.[1]) hit.start -= article[0].length - article[0].indexOf(article[1]);
    accepted.push(hit);
  }
  return accepted.sort((a, b) => a.start - b.start);
}

function namesIn(hits: readonly TitleHit[], sentence: Sentence): ContextMovie[] {
  const named: ContextMovie[] = [];
  for (const hit of hits) {
    if (hit.start < sentence.start || hit.start >= sentence.end) continue;
    for (const movie of hit.movies) if (!named.includes(movie)) named.push(movie);
  }
  return named;
}

// ---------------------------------------------------------------------------
// Wording helpers
// ---------------------------------------------------------------------------

function listOf(items: readonly string[]): string {
  if (items.length <= 1) return items[0] ?? "";
  return `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}

function titlesOf(movies: readonly ContextMovie[]): string {
  return listOf(movies.map((m) => m.facts.title));
}

// ---------------------------------------------------------------------------
// Rules
// ---------------------------------------------------------------------------

type Add = (kind: Violation["kind"], message: string) => void;

function checkFormat(
  draft: ExplanationDraft,
  context: ExplainContext,
  text: string,
  sentences: readonly Sentence[],
  add: Add,
): void {
  if (text.trim().length === 0) {
    add("format", "The explanation is empty.");
  } else {
    if (text.length > MAX_EXPLANATION_CHARS) {
      add(
        "format",
        `The explanation is ${text.length} characters long; the limit is ${MAX_EXPLANATION_CHARS}.`,
      );
    }
    if (sentences.length > MAX_SENTENCES) {
      add(
        "format",
        `The explanation has ${sentences.length} sentences; the limit is ${MAX_SENTENCES}.`,
      );
    }
  }
  const evidence: unknown = draft.evidence;
  if (!Array.isArray(evidence)) {
    add("format", "evidence must be a list of { movieId, why } items.");
  } else if (evidence.length === 0 && context.liked.length > 0) {
    add(
      "format",
      `evidence is empty; cite 1 to ${MAX_EVIDENCE} of the user's rated movies from <liked_movies>.`,
    );
  } else if (evidence.length > MAX_EVIDENCE) {
    add("format", `evidence has ${evidence.length} items; the limit is ${MAX_EVIDENCE}.`);
  }
  for (const item of Array.isArray(evidence) ? draft.evidence : []) {
    const why: unknown = item?.why;
    const id = String(item?.movieId);
    if (typeof why !== "string" || why.trim().length === 0) {
      add("format", `The "why" for evidence movieId ${id} is empty.`);
    } else if (why.length > MAX_WHY_CHARS) {
      add(
        "format",
        `The "why" for evidence movieId ${id} is ${why.length} characters long; the limit is ${MAX_WHY_CHARS}.`,
      );
    }
  }
  if (!CONFIDENCES.has(draft.confidence)) {
    add(
      "format",
      `confidence must be "high", "medium" or "low", not ${JSON.stringify(draft.confidence)}.`,
    );
  }
}

function checkEvidence(draft: ExplanationDraft, context: ExplainContext, add: Add): void {
  if (!Array.isArray(draft.evidence)) return;
  const liked = new Set<number>(context.liked.map((m) => m.movieId));
  const neighbors = new Map<number, MovieFacts>(context.neighbors.map((m) => [m.movieId, m]));
  const seen = new Set<number>();
  for (const item of draft.evidence) {
    const id = item?.movieId;
    if (typeof id === "number" && seen.has(id)) {
      add("unknown-evidence-id", `evidence movieId ${id} is listed more than once.`);
      continue;
    }
    if (typeof id === "number") seen.add(id);
    if (typeof id === "number" && liked.has(id) && id !== context.target.movieId) continue;
    const neighbor = typeof id === "number" ? neighbors.get(id) : undefined;
    if (id === context.target.movieId) {
      add(
        "unknown-evidence-id",
        `evidence movieId ${id} is the recommended movie itself, not one of the user's rated movies in <liked_movies>.`,
      );
    } else if (neighbor) {
      add(
        "unknown-evidence-id",
        `evidence movieId ${id} (${neighbor.title}) is a similar catalog movie the user has not rated, not one of the user's rated movies in <liked_movies>.`,
      );
    } else {
      add(
        "unknown-evidence-id",
        `evidence movieId ${String(id)} is not one of the user's rated movies in <liked_movies>.`,
      );
    }
  }
}

function inventedMessage(name: string): string {
  return `The explanation names "${name}", which is not in the context.`;
}

/**
 * Two ways a title can be invented. (1) A candidate the catalog knows that is
 * not a context title, occurring somewhere other than inside a context title,
 * person, tag or genre: "The Silence" inside "The Silence of the Lambs", or
 * "Fincher" (part of "David Fincher"), is not flagged. (2) A quoted span or multiword capitalised run
 * that occurs nowhere in the context, not even in an overview; a name right
 * after "directed by" is left to the director rule.
 */
function checkTitles(
  text: string,
  hits: readonly TitleHit[],
  index: ContextIndex,
  catalogTitlesInText: ReadonlySet<string>,
  add: Add,
): void {
  const hay = normalizeWithMap(text);
  const covered: Range[] = [...hits];
  for (const term of index.terms) covered.push(...occurrences(hay, text, term));
  // Explained: nothing but covered spans, connectors and parts of context people's names
  // ("Se7en and Zodiac" is two context titles; "Fincher's Zodiac" is a person and a title).
  const nameParts = new Set(index.people.flatMap((p) => p.split(" ")));
  const explained = (r: Range) => {
    const words = mask(text, covered)
      .slice(r.start, r.end)
      .match(/[\p{L}\p{N}]+(?:['’]\p{L}+)*/gu);
    return (words ?? [])
      .map((w) => normalizeText(w.replace(/['’]s$/u, "")))
      .every((w) => CONNECTORS.has(w) || LEADING_WORDS.has(w) || nameParts.has(w));
  };
  const catalogCandidates = titleCandidates(text)
    .filter((c) => catalogTitlesInText.has(c.toLowerCase()))
    .sort((a, b) => b.length - a.length);
  for (const candidate of catalogCandidates) {
    const key = normalizeTitle(candidate);
    if (!key || index.variants.has(key) || index.terms.has(key)) continue;
    if (index.people.some((p) => ` ${p} `.includes(` ${key} `))) continue;
    // Containment, not masking: "Toy Story 2" is still flagged when only "Toy Story" is in the context.
    const loose = occurrences(hay, text, normalizeText(candidate)).filter((r) => !explained(r));
    const first = loose[0];
    if (!first) continue;
    add("invented-title", inventedMessage(text.slice(first.start, first.end)));
    covered.push(...loose);
  }
  let masked = mask(text, covered);

  // A name after "directed by" is the director rule's to judge; one message per mistake.
  const claims: Range[] = [];
  for (const m of masked.matchAll(DIRECTOR_CLAIM)) {
    const end = (m.index ?? 0) + m[0].length;
    claims.push({ start: end - (m[1] ?? "").length, end });
  }
  masked = mask(masked, claims);

  const isFiller = (word: string) => CONNECTORS.has(word) || LEADING_WORDS.has(word);
  for (const quote of quotedSpans(text)) {
    const rest = normalizeText(masked.slice(quote.start, quote.end))
      .split(" ")
      .filter((w) => w && w !== MASK && !w.includes(MASK) && !isFiller(w));
    if (rest.length === 0) continue;
    if (inCorpus(index, normalizeText(quote.text)) || inCorpus(index, normalizeTitle(quote.text))) {
      continue;
    }
    add("invented-title", inventedMessage(quote.text));
  }
  for (const run of capitalisedRuns(masked)) {
    if (run.items.length < 2) continue;
    if (inCorpus(index, normalizeTitle(run.text)) || inCorpus(index, normalizeText(run.text))) {
      continue;
    }
    add("invented-title", inventedMessage(text.slice(run.start, run.end).replace(/['’]s$/u, "")));
  }
}

/** Four-digit years; "1990s", "1990's" and "'90s" are decades and pass. */
const YEAR = /(?<![\p{L}\p{N}.,'’])(\d{4})(?![\p{N}]|['’]?s\b)/gu;

function checkYears(
  sentenceText: string,
  named: readonly ContextMovie[],
  index: ContextIndex,
  add: Add,
): void {
  for (const m of sentenceText.matchAll(YEAR)) {
    const year = Number(m[1]);
    if (year < 1870 || year > 2035) continue;
    if (named.length === 0) {
      const target = index.target.facts;
      if (target.year === year) continue;
      add(
        "wrong-year",
        target.year === null
          ? `The explanation mentions ${year}, but no year is known for ${target.title}.`
          : `The explanation mentions ${year}, but ${target.title} is from ${target.year}.`,
      );
      continue;
    }
    if (named.some((movie) => movie.facts.year === year)) continue;
    const facts = named.map((movie) =>
      movie.facts.year === null
        ? `no year is known for ${movie.facts.title}`
        : `${movie.facts.title} is from ${movie.facts.year}`,
    );
    add(
      "wrong-year",
      `The explanation mentions ${year} in a sentence about ${titlesOf(named)}, but ${listOf(facts)}.`,
    );
  }
}

const NAME_WORD = String.raw`\p{Lu}[\p{L}'’.\-]*`;
const NAME_PARTICLE = "(?:de|del|della|da|di|du|van|von|der|den|le|la|y)";
/** "directed by X", "director X", "from director X", "director: X". */
const DIRECTOR_CLAIM = new RegExp(
  String.raw`(?<![\p{L}])(?:[Dd]irected\s+by|[Dd]irector)[,:]?\s+(${NAME_WORD}(?:\s+(?:${NAME_PARTICLE}\s+)*${NAME_WORD}){0,4})`,
  "gu",
);

function checkDirectors(
  sentenceText: string,
  named: readonly ContextMovie[],
  index: ContextIndex,
  add: Add,
): void {
  const subjects = named.length > 0 ? named : [index.target];
  const known = subjects
    .map((movie) => movie.facts.director)
    .filter((d): d is string => !!d)
    .map(normalizeText);
  for (const m of sentenceText.matchAll(DIRECTOR_CLAIM)) {
    const claimed = (m[1] ?? "").replace(/['’]s$/u, "").replace(/\.$/, "");
    const key = normalizeText(claimed);
    if (!key) continue;
    if (known.some((d) => d === key || ` ${d} `.includes(` ${key} `))) continue;
    const facts = subjects.map((movie) =>
      movie.facts.director
        ? `${movie.facts.title} is directed by ${movie.facts.director}`
        : `no director is known for ${movie.facts.title}`,
    );
    const about = named.length > 0 ? ` in a sentence about ${titlesOf(named)}` : "";
    add(
      "wrong-director",
      `The explanation credits ${claimed} as director${about}, but ${listOf(facts)}.`,
    );
  }
}

/**
 * Genre vocabulary mapped to MovieLens genres. "family" and "war" only count
 * before a word that makes them a genre ("family film", "war drama"): on
 * their own they are ordinary words ("the victim's family").
 */
const GENRE_VOCABULARY: readonly [string, string][] = [
  ["science[- ]fiction|sci[- ]?fi", "Sci-Fi"],
  ["film[- ]noir|neo[- ]noir|noir", "Film-Noir"],
  ["rom[- ]?coms?|romances?|romantic", "Romance"],
  ["animation|animated", "Animation"],
  [
    "children(?:['’]s)?|kids|family[- ]friendly|family(?= (?:films?|movies?|fare|comedy|comedies|adventure|entertainment))",
    "Children",
  ],
  ["comedy|comedies|comedic", "Comedy"],
  ["crime", "Crime"],
  ["documentary|documentaries", "Documentary"],
  ["dramas?|dramatic", "Drama"],
  ["fantasy|fantasies", "Fantasy"],
  ["horror", "Horror"],
  ["musicals?", "Musical"],
  ["mystery|mysteries", "Mystery"],
  ["thrillers?", "Thriller"],
  ["war(?= (?:films?|movies?|dramas?|epics?|stor(?:y|ies)|pictures?|thrillers?|genre))", "War"],
  ["westerns?", "Western"],
  ["action", "Action"],
  ["adventures?", "Adventure"],
];

/** Plain words per genre, for "is a tag close enough" (tags are free text: "dark comedy"). */
const GENRE_TAG_WORDS: Record<string, string[]> = {
  "Sci-Fi": ["sci fi", "scifi", "science fiction"],
  "Film-Noir": ["noir"],
  Romance: ["romance", "romantic", "rom com", "romcom"],
  Animation: ["animation", "animated"],
  Children: ["children", "kids", "family"],
  Comedy: ["comedy", "comedies", "comedic"],
  Crime: ["crime"],
  Documentary: ["documentary"],
  Drama: ["drama", "dramatic"],
  Fantasy: ["fantasy"],
  Horror: ["horror"],
  Musical: ["musical"],
  Mystery: ["mystery"],
  Thriller: ["thriller"],
  War: ["war"],
  Western: ["western"],
  Action: ["action"],
  Adventure: ["adventure"],
};

/** One capture group per vocabulary entry, so a match says which genre it is. */
const GENRE_PATTERN = new RegExp(
  `(?<![\\p{L}\\p{N}\\-])(?:${GENRE_VOCABULARY.map(([words]) => `(${words})`).join("|")})(?![\\p{L}\\p{N}])`,
  "gu",
);

/** Words that turn a genre word into a comparison or a style: "not a horror film", "documentary-like". */
const NEGATIONS = new Set([
  "not",
  "no",
  "never",
  "without",
  "unlike",
  "than",
  "nor",
  "instead",
  "isn't",
  "isn’t",
  "aren't",
  "aren’t",
  "wasn't",
  "wasn’t",
]);
const STYLE_AFTER =
  /^(?:-(?:like|style|styled|esque)|\s+(?:style|styled|approach|realism|precision|feel|score|scores|cues?|numbers?|detail))\b/;

function genreOf(match: RegExpMatchArray): string | null {
  const group = match.findIndex((value, i) => i > 0 && value !== undefined);
  return GENRE_VOCABULARY[group - 1]?.[1] ?? null;
}

function checkGenres(sentenceText: string, named: readonly ContextMovie[], add: Add): void {
  const lower = sentenceText.toLowerCase();
  const genres = new Set(named.flatMap((m) => m.facts.genres.map((g) => g.toLowerCase())));
  const tags = named.flatMap((m) => m.facts.tags.map(normalizeText));
  const about = titlesOf(named);
  const listed = [...new Set(named.flatMap((m) => m.facts.genres))];
  for (const m of lower.matchAll(GENRE_PATTERN)) {
    const word = m[0];
    const at = m.index ?? 0;
    const before = lower
      .slice(Math.max(0, at - 40), at)
      .split(/\s+/)
      .filter(Boolean)
      .slice(-3);
    if (before.some((w) => NEGATIONS.has(w) || w.endsWith("n't"))) continue;
    if (STYLE_AFTER.test(lower.slice(at + word.length))) continue;
    const genre = genreOf(m);
    if (!genre || genres.has(genre.toLowerCase())) continue;
    const words = GENRE_TAG_WORDS[genre] ?? [];
    if (tags.some((tag) => words.some((w) => ` ${tag} `.includes(` ${w} `)))) continue;
    const owner = named.length === 1 ? "its" : "their";
    const have = listed.length > 0 ? `are ${listed.join(", ")}` : "are not known";
    add(
      "wrong-genre",
      `The explanation calls ${about} "${word}", but ${owner} genres in the context ${have}.`,
    );
  }
}

/**
 * Checks a draft against its context. `catalogTitlesInText` holds the
 * lower-cased `titleCandidates(draft.explanation)` that are catalog titles.
 * Returns [] when the draft is grounded; otherwise one Violation per problem
 * (duplicates merged), in the order format, evidence, titles, then per
 * sentence years, directors and genres.
 *
 * A sentence "names" a movie when one of its tolerant titles appears in it
 * (see normalizeTitle and titleVariants). Years, directors and genres are
 * checked sentence by sentence against the movies it names, falling back to
 * the target when it names none, because that is how a reader attributes
 * them. Text inside context titles is masked first, so "Blade Runner 2049"
 * is not a year and "Directed by John Ford" is not a director claim.
 */
export function checkGrounding(
  draft: ExplanationDraft,
  context: ExplainContext,
  catalogTitlesInText: ReadonlySet<string>,
): Violation[] {
  const violations: Violation[] = [];
  const add: Add = (kind, message) => {
    if (!violations.some((v) => v.message === message)) violations.push({ kind, message });
  };
  const text = typeof draft.explanation === "string" ? draft.explanation : "";
  const index = indexContext(context);
  const hits = findTitleHits(text, index);
  const sentences = splitSentences(text, hits);

  checkFormat(draft, context, text, sentences, add);
  checkEvidence(draft, context, add);
  checkTitles(text, hits, index, catalogTitlesInText, add);

  const masked = mask(text, hits);
  for (const sentence of sentences) {
    const named = namesIn(hits, sentence);
    const body = masked.slice(sentence.start, sentence.end);
    checkYears(body, named, index, add);
    checkDirectors(body, named, index, add);
    if (named.includes(index.target)) checkGenres(body, named, add);
  }
  return violations;
}
