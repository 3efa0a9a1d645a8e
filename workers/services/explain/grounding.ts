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
import { MASK, normalizeText, normalizeTitle, normalizeWithMap } from "../../../core/normalize.ts";
import { listOf } from "./english.ts";
import { mask, occurrences, type Range, type Sentence, splitSentences } from "./sentences.ts";
import {
  CONNECTORS,
  capitalisedRuns,
  LEADING_WORDS,
  quotedSpans,
  titleCandidates,
} from "./title-candidates.ts";
import type { ExplainContext, ExplanationDraft, MovieFacts, Violation } from "./types.ts";

/** Long enough for 2-4 sentences; longer drafts are essays the UI would cut. */
export const MAX_EXPLANATION_CHARS = 700;
export const MAX_SENTENCES = 4;
export const MAX_EVIDENCE = 5;
export const MAX_WHY_CHARS = 200;

const CONFIDENCES = new Set(["high", "medium", "low"]);

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
