/**
 * "dark thriller like Zodiac", "movies similar to Heat", "something like
 * spirited away", "films like the matrix but funnier": a reference film and
 * the words beside it. Only the shape is read here; the title is resolved
 * against the catalog (typo-tolerant) by the search, which falls back to an
 * ordinary search when no film answers to it.
 */
export interface LikeQuery {
  /** The words naming the reference film, as typed. */
  title: string;
  /** The other words ("dark thriller", "90s comedies", "funnier"), fillers dropped; "" when none. */
  rest: string;
  /** The words that made this a like query ("like Zodiac"), for the page's chip. */
  from: string;
}

const LIKE = /^(.*?)\b(like|similar to|in the vein of|along the lines of|reminiscent of)\s+(.+)$/i;

/** Words that say "a film" and nothing about which: dropped from the rest. */
const FILLER =
  /\b(movies?|films?|flicks?|something|anything|stuff|other|more|ones?|shows?( me)?|give me|recommend(ations)?|any|some|please|a|an|the)\b/gi;

/** In "like X but funnier", "but funnier" is no part of the title. */
const BUT = /\s+but\s+/i;

/** Words before "like" in a like query; a longer run is a description that says "like". */
const MAX_WORDS_BEFORE = 4;
/** Words in a reference title. */
const MAX_TITLE_WORDS = 8;

const words = (text: string) => text.trim().split(/\s+/).filter(Boolean);

/** The like query `query` is, or null. */
export function parseLike(query: string): LikeQuery | null {
  const match = LIKE.exec(query.trim());
  if (!match) return null;
  const [, before = "", connective = "", tail = ""] = match;
  if (words(before).length > MAX_WORDS_BEFORE) return null;
  const [title = "", ...after] = tail.split(BUT);
  const titleWords = words(title.replace(/[?!.,]+$/, ""));
  if (titleWords.length === 0 || titleWords.length > MAX_TITLE_WORDS) return null;
  const rest = [before, ...after]
    .join(" ")
    .replace(FILLER, " ")
    .replace(/[^\p{L}\p{N}'-]+/gu, " ")
    .trim()
    .replace(/\s+/g, " ");
  return {
    title: titleWords.join(" "),
    rest,
    from: `${connective} ${titleWords.join(" ")}`,
  };
}

/** How far the words beside the title move the reference film's vector. */
const WORDS_WEIGHT = 0.5;

/**
 * The vector a like query searches with: the reference film's whole-text
 * vector, moved towards the other words' when there are any ("dark
 * thriller"), unit length.
 */
export function likeVector(reference: ArrayLike<number>, words?: ArrayLike<number>): number[] {
  const v = Array.from(reference, (x, i) => x + WORDS_WEIGHT * (words?.[i] ?? 0));
  const norm = Math.hypot(...v) || 1;
  return v.map((x) => x / norm);
}
