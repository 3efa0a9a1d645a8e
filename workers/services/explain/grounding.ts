/**
 * Grounding checks for "Why this?" explanations.
 *
 * Films are named only by placeholders (placeholders.ts), so most of
 * grounding is checking ids: every `[[movieId]]` is the target or one of the
 * user's liked movies, every `[[movieId:stars]]` a liked movie, every
 * evidence id a liked movie. What is left is the prose around them, checked
 * for what only placeholders may carry (no title-like capitalised run the
 * data does not hold, no year, no star rating) and for the two claims it can
 * still make wrongly: who directed a film and which genre it is.
 *
 * Pure functions, no I/O, so they run the same in the Worker, in tests and
 * on the deterministic explainer. Every Violation message is a plain sentence
 * that can be sent back to the model verbatim on a retry.
 */
import { normalizeText } from "../../../core/normalize.ts";
import { listOf } from "./english.ts";
import {
  namedFilms,
  placeholdersIn,
  renderPlaceholders,
  withoutPlaceholders,
} from "./placeholders.ts";
import type { ExplainContext, ExplanationDraft, MovieFacts, Violation } from "./types.ts";

/** Long enough for 2-4 sentences; longer drafts are essays the UI would cut. */
export const MAX_EXPLANATION_CHARS = 700;
export const MAX_SENTENCES = 4;
export const MAX_EVIDENCE = 5;
export const MAX_WHY_CHARS = 200;

const CONFIDENCES = new Set(["high", "medium", "low"]);

/**
 * What a placeholder becomes while the prose around it is checked: neither a
 * letter, a digit nor a space, so it breaks title-like runs and year matches.
 */
const MASK = "¤";

type Add = (kind: Violation["kind"], message: string) => void;

/** What the context lets prose say in its own words. */
interface Vocabulary {
  films: Map<number, MovieFacts>;
  /** Capitalised words the data holds: people's names, words of the overviews. */
  words: Set<string>;
  /** Lower-cased words of genres and tags, which prose may capitalise. */
  terms: Set<string>;
  /** Every normalised field of every context movie, for quoted phrases. */
  corpus: string[];
}

const WORD = /[\p{L}\p{N}]+(?:['’.-][\p{L}\p{N}]+)*/gu;
/** Pronouns that may be capitalised anywhere. */
const PRONOUNS = new Set(["I", "You", "Your", "Yours"]);
/** Small words a title-like run may contain ("Lord of the Rings"). */
const CONNECTORS = new Set(["of", "the", "and", "a", "an", "in", "on", "to", "for", "at", "de"]);

function vocabulary(context: ExplainContext): Vocabulary {
  const all = [context.target, ...context.liked, ...context.neighbors];
  const words = new Set(PRONOUNS);
  const terms = new Set<string>();
  const corpus: string[] = [];
  for (const movie of all) {
    for (const text of [movie.director ?? "", ...movie.topCast, movie.overview ?? ""])
      for (const [word] of text.matchAll(WORD)) words.add(word);
    for (const text of [...movie.genres, ...movie.tags])
      for (const [word] of text.matchAll(WORD)) terms.add(word.toLowerCase());
    for (const field of [movie.title, movie.director ?? "", movie.overview ?? ""])
      corpus.push(normalizeText(field));
    for (const field of [...movie.topCast, ...movie.tags, ...movie.genres])
      corpus.push(normalizeText(field));
  }
  return { films: namedFilms(context), words, terms, corpus };
}

/**
 * Splits prose into sentences at ".", "!", "?" or "…" followed by white
 * space. Titles, which hold most of the dots prose has ("Dr. No"), are
 * placeholders here, so no abbreviation list is needed.
 */
export function sentencesOf(text: string): string[] {
  return text
    .split(/(?<=[.!?…]["'”’)\]]*)\s+/u)
    .map((s) => s.trim())
    .filter((s) => /[\p{L}\p{N}]/u.test(s));
}

// ---------------------------------------------------------------------------
// Rules on the prose
// ---------------------------------------------------------------------------

function checkPlaceholders(text: string, vocab: Vocabulary, context: ExplainContext, add: Add) {
  for (const p of placeholdersIn(text)) {
    const film = vocab.films.get(p.movieId);
    if (!film) {
      add(
        "unknown-id",
        `[[${p.movieId}]] is neither the target nor one of the user's rated movies in <liked_movies>.`,
      );
    } else if (p.kind === "stars" && p.movieId === context.target.movieId) {
      add(
        "unknown-id",
        `[[${p.movieId}:stars]]: the user has not rated the target; only movies in <liked_movies> have a rating.`,
      );
    }
  }
  if (/\[\[|\]\]/.test(withoutPlaceholders(text, MASK))) {
    add(
      "format",
      "Name movies only as [[movieId]] and the user's ratings only as [[movieId:stars]].",
    );
  }
}

/** Four-digit years; "1990s", "1990's" and "'90s" are decades and pass. */
const YEAR = /(?<![\p{L}\p{N}.,'’])(1[89]\d\d|20[0-3]\d)(?![\p{N}]|['’]?s\b)/gu;
/** "5 stars", "4.5-star", "★★★★", "5/5", "5 out of 5". */
const RATING =
  /\d+(?:\.\d+)?\s*-?\s*(?:stars?\b|★|\/\s*(?:5|10)\b|out of (?:5|five|10|ten)\b)|★{2,}/giu;

function checkNumbers(prose: string, where: string, add: Add) {
  for (const m of prose.matchAll(YEAR)) {
    add(
      "wrong-year",
      `${where} writes the year ${m[0]}; leave years out: [[movieId]] already adds a movie's year.`,
    );
  }
  for (const m of prose.matchAll(RATING)) {
    add(
      "wrong-rating",
      `${where} writes "${m[0].trim()}"; write the user's rating of a movie only as [[movieId:stars]].`,
    );
  }
}

/**
 * Title-like text the data does not hold: a run of capitalised words (small
 * connectors allowed inside) with a word that is neither a name in the data,
 * a word of an overview, a genre or a tag; and a quoted phrase that occurs
 * nowhere in the data. A single capitalised word that opens a sentence is
 * just a sentence's first word.
 */
function checkTitleLike(prose: string, where: string, vocab: Vocabulary, add: Add) {
  const explained = (word: string) => {
    const bare = word.replace(/['’]s$/u, "");
    return vocab.words.has(bare) || vocab.terms.has(bare.toLowerCase());
  };
  const tokens = [...prose.matchAll(WORD)];
  const opener = tokens.findIndex((t) => !/[\p{L}\p{N}]/u.test(prose.slice(0, t.index)));
  for (let i = 0; i < tokens.length; i++) {
    if (!/^\p{Lu}/u.test(tokens[i]?.[0] ?? "")) continue;
    let j = i;
    // Extend over capitalised words, and over connectors followed by one, with nothing but spaces between.
    while (j + 1 < tokens.length) {
      const gap = prose.slice(
        (tokens[j]?.index ?? 0) + (tokens[j]?.[0].length ?? 0),
        tokens[j + 1]?.index,
      );
      if (!/^[\s,:'’-]*$/.test(gap) || gap.includes(MASK)) break;
      const next = tokens[j + 1]?.[0] ?? "";
      if (/^\p{Lu}/u.test(next)) j++;
      else if (CONNECTORS.has(next) && /^\p{Lu}/u.test(tokens[j + 2]?.[0] ?? "")) j += 2;
      else break;
    }
    const run = tokens.slice(i, j + 1).map((t) => t[0]);
    const capitalised = run.filter((w) => /^\p{Lu}/u.test(w));
    const lone = capitalised.length === 1 && i === opener;
    if (!lone && !capitalised.every(explained)) {
      const start = tokens[i]?.index ?? 0;
      const end = (tokens[j]?.index ?? 0) + (tokens[j]?.[0].length ?? 0);
      add(
        "invented-title",
        `${where} names "${prose.slice(start, end).replace(/['’]s$/u, "")}", which is not in the data; name movies only as [[movieId]].`,
      );
    }
    i = j;
  }
  for (const m of prose.matchAll(/["“]([^"“”]+)["”]/gu)) {
    const phrase = normalizeText((m[1] ?? "").replaceAll(MASK, " "));
    if (!phrase || vocab.corpus.some((field) => ` ${field} `.includes(` ${phrase} `))) continue;
    add("invented-title", `${where} quotes "${m[1]}", which is not in the data.`);
  }
}

const NAME_WORD = String.raw`\p{Lu}[\p{L}'’.\-]*`;
const NAME_PARTICLE = "(?:de|del|della|da|di|du|van|von|der|den|le|la|y)";
/** "directed by X", "director X", "from director X", "director: X". */
const DIRECTOR_CLAIM = new RegExp(
  String.raw`(?<![\p{L}])(?:[Dd]irected\s+by|[Dd]irector)[,:]?\s+(${NAME_WORD}(?:\s+(?:${NAME_PARTICLE}\s+)*${NAME_WORD}){0,4})`,
  "gu",
);

/** A director named in prose must have directed one of the films the sentence is about. */
function checkDirectors(prose: string, where: string, about: readonly MovieFacts[], add: Add) {
  const known = about.flatMap((m) => (m.director ? [normalizeText(m.director)] : []));
  for (const m of prose.matchAll(DIRECTOR_CLAIM)) {
    const claimed = (m[1] ?? "").replace(/['’]s$/u, "").replace(/\.$/, "");
    const key = normalizeText(claimed);
    if (!key || known.some((d) => d === key || ` ${d} `.includes(` ${key} `))) continue;
    const facts = about.map((movie) =>
      movie.director
        ? `${movie.title} is directed by ${movie.director}`
        : `no director is known for ${movie.title}`,
    );
    add("wrong-director", `${where} credits ${claimed} as director, but ${listOf(facts)}.`);
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
const NEGATIONS = new Set(["not", "no", "never", "without", "unlike", "than", "nor", "instead"]);
const STYLE_AFTER =
  /^(?:-(?:like|style|styled|esque)|\s+(?:style|styled|approach|realism|precision|feel|score|scores|cues?|numbers?|detail))\b/;

/** A genre word in a sentence about the target must be a genre (or tag) of the films it names. */
function checkGenres(prose: string, about: readonly MovieFacts[], add: Add) {
  const lower = prose.toLowerCase();
  const genres = new Set(about.flatMap((m) => m.genres.map((g) => g.toLowerCase())));
  const tags = about.flatMap((m) => m.tags.map(normalizeText));
  const listed = [...new Set(about.flatMap((m) => m.genres))];
  for (const m of lower.matchAll(GENRE_PATTERN)) {
    const at = m.index ?? 0;
    const before = lower
      .slice(Math.max(0, at - 40), at)
      .split(/\s+/)
      .filter(Boolean)
      .slice(-3);
    if (before.some((w) => NEGATIONS.has(w) || /n['’]t$/.test(w))) continue;
    if (STYLE_AFTER.test(lower.slice(at + m[0].length))) continue;
    const group = m.findIndex((value, i) => i > 0 && value !== undefined);
    const genre = GENRE_VOCABULARY[group - 1]?.[1];
    if (!genre || genres.has(genre.toLowerCase())) continue;
    const words = GENRE_TAG_WORDS[genre] ?? [];
    if (tags.some((tag) => words.some((w) => ` ${tag} `.includes(` ${w} `)))) continue;
    const owner = about.length === 1 ? "its" : "their";
    const have = listed.length > 0 ? `are ${listed.join(", ")}` : "are not known";
    add(
      "wrong-genre",
      `The explanation calls ${listOf(about.map((f) => f.title))} "${m[0]}", but ${owner} genres in the context ${have}.`,
    );
  }
}

/**
 * The checks on one piece of prose (the explanation, or an evidence item's
 * "why"), sentence by sentence. A sentence is about the films it names by
 * placeholder, or about `subjects` when it names none; genre words are
 * checked in sentences that name the target.
 */
function checkProse(
  text: string,
  where: string,
  subjects: readonly MovieFacts[],
  context: ExplainContext,
  vocab: Vocabulary,
  add: Add,
) {
  checkPlaceholders(text, vocab, context, add);
  for (const sentence of sentencesOf(text)) {
    const named = [...new Set(placeholdersIn(sentence).map((p) => p.movieId))].flatMap(
      (id) => vocab.films.get(id) ?? [],
    );
    const prose = withoutPlaceholders(sentence, MASK);
    checkNumbers(prose, where, add);
    checkTitleLike(prose, where, vocab, add);
    checkDirectors(prose, where, named.length > 0 ? named : subjects, add);
    if (named.includes(context.target)) checkGenres(prose, named, add);
  }
}

// ---------------------------------------------------------------------------
// Rules on the draft
// ---------------------------------------------------------------------------

function checkFormat(draft: ExplanationDraft, context: ExplainContext, add: Add) {
  const text = draft.explanation;
  const shown = renderPlaceholders(text, context);
  if (text.trim().length === 0) add("format", "The explanation is empty.");
  if (shown.length > MAX_EXPLANATION_CHARS) {
    add(
      "format",
      `The explanation is ${shown.length} characters long with its titles written out; the limit is ${MAX_EXPLANATION_CHARS}.`,
    );
  }
  const sentences = sentencesOf(text).length;
  if (sentences > MAX_SENTENCES) {
    add("format", `The explanation has ${sentences} sentences; the limit is ${MAX_SENTENCES}.`);
  }
  if (draft.evidence.length === 0 && context.liked.length > 0) {
    add(
      "format",
      `evidence is empty; cite 1 to ${MAX_EVIDENCE} of the user's rated movies from <liked_movies>.`,
    );
  } else if (draft.evidence.length > MAX_EVIDENCE) {
    add("format", `evidence has ${draft.evidence.length} items; the limit is ${MAX_EVIDENCE}.`);
  }
  for (const { movieId, why } of draft.evidence) {
    if (why.trim().length === 0)
      add("format", `The "why" for evidence movieId ${movieId} is empty.`);
    else if (why.length > MAX_WHY_CHARS) {
      add(
        "format",
        `The "why" for evidence movieId ${movieId} is ${why.length} characters long; the limit is ${MAX_WHY_CHARS}.`,
      );
    }
  }
  if (!CONFIDENCES.has(draft.confidence)) {
    add("format", `confidence must be "high", "medium" or "low".`);
  }
}

function checkEvidence(draft: ExplanationDraft, context: ExplainContext, add: Add) {
  const liked = new Set(context.liked.map((m) => m.movieId));
  const neighbors = new Map(context.neighbors.map((m) => [m.movieId, m]));
  const seen = new Set<number>();
  for (const { movieId: id } of draft.evidence) {
    if (seen.has(id)) {
      add("unknown-evidence-id", `evidence movieId ${id} is listed more than once.`);
      continue;
    }
    seen.add(id);
    if (liked.has(id) && id !== context.target.movieId) continue;
    const neighbor = neighbors.get(id);
    const what =
      id === context.target.movieId
        ? "is the recommended movie itself"
        : neighbor
          ? `(${neighbor.title}) is a similar catalog movie the user has not rated`
          : "is unknown";
    add(
      "unknown-evidence-id",
      `evidence movieId ${id} ${what}, not one of the user's rated movies in <liked_movies>.`,
    );
  }
}

/**
 * The checks on the explanation's text alone, for a stream's sentences as
 * they arrive (the evidence comes later in the answer).
 */
export function checkText(text: string, context: ExplainContext): Violation[] {
  const { violations, add } = collector();
  checkProse(text, "The explanation", [context.target], context, vocabulary(context), add);
  return violations;
}

/**
 * Checks a draft against its context: format, evidence ids, then the
 * explanation's and every "why"'s placeholders and prose. Returns [] when the
 * draft is grounded; otherwise one Violation per problem (duplicates merged).
 */
export function checkGrounding(draft: ExplanationDraft, context: ExplainContext): Violation[] {
  const { violations, add } = collector();
  const vocab = vocabulary(context);
  checkFormat(draft, context, add);
  checkEvidence(draft, context, add);
  checkProse(draft.explanation, "The explanation", [context.target], context, vocab, add);
  for (const { movieId, why } of draft.evidence) {
    const cited = vocab.films.get(movieId);
    const subjects = cited ? [context.target, cited] : [context.target];
    const where = `The "why" for evidence movieId ${movieId}`;
    checkProse(why, where, subjects, context, vocab, add);
  }
  return violations;
}

function collector() {
  const violations: Violation[] = [];
  const add: Add = (kind, message) => {
    if (!violations.some((v) => v.message === message)) violations.push({ kind, message });
  };
  return { violations, add };
}
