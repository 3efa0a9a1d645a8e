/**
 * Spans of an explanation that could be movie titles: quoted spans and runs of
 * capitalised words (connectors such as "of" and "the" allowed inside). The
 * caller looks them up in the catalog once, so the grounding checks can tell
 * a real but unrelated title from an invented one. Pure functions, no I/O.
 */
import { splitSentences } from "./sentences.ts";

/** Bounds the caller's catalog query; a 700-character text rarely has more than a dozen. */
export const MAX_TITLE_CANDIDATES = 40;

/**
 * Lower-case words allowed inside a capitalised run, so "The Silence of the
 * Lambs", "Alien vs. Predator" and "Fast & Furious" stay one span.
 */
export const CONNECTORS = new Set([
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
export const LEADING_WORDS = new Set([
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
export function capitalisedRuns(text: string): Run[] {
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
export function quotedSpans(text: string): Run[] {
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
