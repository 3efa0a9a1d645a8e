/**
 * What a query looks like, and how much each retrieval list counts for it.
 *
 * Reciprocal-rank fusion gives every list the same vote by default, so a
 * description's words that happen to be in some title ("thieves", "dreams",
 * "business") outrank the film the description means. Peers weight the
 * lists per query (weighted RRF, a semantic ratio); here the query's shape
 * sets the weights and what counts as a text match (docs/benchmarks.md,
 * search quality, has the measurements behind each number):
 *
 * - short (up to SHORT_WORDS words: titles, typos, names, topics): title,
 *   text and vector lists vote alike, a text hit must hold every word, and a
 *   near-exact title is still pinned first;
 * - description (longer): a text hit must hold most of the query's words
 *   and a word in the overview counts more than one in a title; the title
 *   list votes at 0.3, so a description's title words cannot beat a strong
 *   semantic match;
 * - vibe (mood words: "feel-good", "scary", "funny"): as a description, and
 *   films of the genres the mood names are lifted by a bounded factor;
 * - like ("dark thriller like Zodiac"): the reference film's neighbours by
 *   vector and by co-rating lead; the other words still count through the
 *   text list and move the vector query (hybrid-search.ts).
 *
 * The popularity and quality prior (movie_stats.search_prior, 0..1) enters
 * twice, both bounded: a vector hit's similarity gains at most
 * `priorSimilarity` (cosine) when the vector list is ordered, and a fused
 * score is scaled by at most 1 + `priorBoost`. Neither can lift a film that
 * no list found; among comparably relevant films the one people know wins.
 */

import { RRF_K } from "./fusion.ts";

export type SearchIntent = "short" | "description" | "vibe" | "like";

export interface Ranking {
  intent: SearchIntent;
  /** Votes of each list in the fusion: title trigrams, full text, vectors, co-rated neighbours. */
  weights: { title: number; text: number; dense: number; related: number };
  /**
   * How the text list weighs where a word matched, as ts_rank_cd's weights:
   * [other, overview, people and tags, titles] (the stored document's D, C, B, A).
   */
  textWeights: [number, number, number, number];
  /** The share of the query's words (stemmed, stop words out) a text hit must hold. */
  textCoverage: number;
  /** Reciprocal rank's k: a list's place r votes weight / (k + r); a lower k sharpens each list's head. */
  rrfK: number;
  /** At most this much cosine is added to a vector hit's similarity by the prior. */
  priorSimilarity: number;
  /** A fused score is multiplied by 1 + priorBoost * prior. */
  priorBoost: number;
  /** Genres a vibe asks for, and the factor (1 + genreBoost) films of any of them get. */
  boostGenres: string[];
  genreBoost: number;
}

/** Queries of this many words or fewer are read as titles, names or topics. */
export const SHORT_WORDS = 4;

/**
 * Mood words and the MovieLens genres they point to. Only words that are not
 * themselves a genre: "animated", "comedies", "horror" stay filters
 * (query-filters.ts).
 */
const VIBES: [RegExp, string[]][] = [
  [/\b(funny|hilarious|laugh(s|ter)?|silly|goofy|cheer (me )?up|light-?hearted)\b/i, ["Comedy"]],
  [
    /\b(scary|spooky|creepy|frightening|terrifying|chilling|haunting|halloween)\b/i,
    ["Horror", "Thriller"],
  ],
  [
    /\b(feel-?good|heart-?warming|uplifting|wholesome|cozy|cosy|sweet)\b/i,
    ["Comedy", "Children", "Romance"],
  ],
  [/\b(family|kids|children'?s?|for my (son|daughter|kids))\b/i, ["Children", "Animation"]],
  [/\b(romantic|love stor(y|ies)|date night)\b/i, ["Romance"]],
  [/\b(dark|gritty|bleak|grim|noir-?ish|brooding)\b/i, ["Crime", "Thriller", "Film-Noir"]],
  [/\b(sad|tear-?jerkers?|weepies?|emotional|moving|make me cry)\b/i, ["Drama", "Romance"]],
  [/\b(exciting|thrilling|action-?packed|adrenaline|explosive)\b/i, ["Action", "Thriller"]],
  [/\b(mind-?bending|trippy|cerebral|twisty|puzzling)\b/i, ["Sci-Fi", "Mystery", "Thriller"]],
  [/\b(suspenseful|tense|nail-?biting|edge of (my|your) seat)\b/i, ["Thriller", "Mystery"]],
  [/\b(epic|sweeping|grand)\b/i, ["Adventure", "War", "Drama"]],
  [/\b(whimsical|magical|enchanting|fairy-?tale)\b/i, ["Fantasy", "Animation", "Children"]],
];

/** The genres the query's mood words point to. */
export function readVibes(query: string): { genres: string[] } {
  const genres = new Set<string>();
  for (const [pattern, named] of VIBES) {
    if (pattern.test(query)) for (const genre of named) genres.add(genre);
  }
  return { genres: [...genres] };
}

const wordCount = (query: string) => query.trim().split(/\s+/).filter(Boolean).length;

/** ts_rank_cd's own weights: a word in a title counts most (a title or a name was typed). */
const TITLES_FIRST: Ranking["textWeights"] = [0.1, 0.2, 0.4, 1];
/**
 * For a description, a word in the overview counts most and one that merely
 * appears in a title least: "selfless guy's small lending business" is about
 * It's a Wonderful Life, not Risky Business (docs/benchmarks.md).
 */
const OVERVIEW_FIRST: Ranking["textWeights"] = [0.1, 1, 0.4, 0.1];

/**
 * A text hit of a description holds at least this share of its words, and of
 * a short query all of them: a long query's one or two common words ("gold",
 * "business", "killing") match hundreds of films, and the film whose title
 * holds them would outrank the film the description means. With only real
 * matches left in it, the text list can vote as much as the vector list
 * (docs/benchmarks.md, search quality: the weights and shares measured).
 */
const DESCRIPTION_COVERAGE = 0.6;
const SHORT_COVERAGE = 1;

/** Each intent's weights; a vibe's genres are the query's own (rankingFor). */
const RANKINGS: Record<SearchIntent, Omit<Ranking, "intent" | "boostGenres">> = {
  short: {
    weights: { title: 1, text: 1, dense: 1, related: 0 },
    textWeights: TITLES_FIRST,
    textCoverage: SHORT_COVERAGE,
    rrfK: RRF_K,
    priorSimilarity: 0.05,
    priorBoost: 0.2,
    genreBoost: 0,
  },
  description: {
    weights: { title: 0.3, text: 1, dense: 1, related: 0 },
    textWeights: OVERVIEW_FIRST,
    textCoverage: DESCRIPTION_COVERAGE,
    rrfK: RRF_K,
    priorSimilarity: 0.1,
    priorBoost: 0.3,
    genreBoost: 0,
  },
  vibe: {
    weights: { title: 0.2, text: 1, dense: 1, related: 0 },
    textWeights: OVERVIEW_FIRST,
    textCoverage: DESCRIPTION_COVERAGE,
    rrfK: RRF_K,
    priorSimilarity: 0.1,
    priorBoost: 0.5,
    genreBoost: 0.5,
  },
  like: {
    weights: { title: 0, text: 0.5, dense: 1, related: 1 },
    textWeights: OVERVIEW_FIRST,
    textCoverage: DESCRIPTION_COVERAGE,
    rrfK: RRF_K,
    priorSimilarity: 0.05,
    priorBoost: 0.3,
    genreBoost: 0,
  },
};

/** How a query is ranked: its intent and the fusion's weights for it. */
export function rankingFor(query: string, like = false): Ranking {
  const vibes = like ? [] : readVibes(query).genres;
  const intent: SearchIntent = like
    ? "like"
    : vibes.length > 0
      ? "vibe"
      : wordCount(query) <= SHORT_WORDS
        ? "short"
        : "description";
  return { intent, ...RANKINGS[intent], boostGenres: vibes };
}
