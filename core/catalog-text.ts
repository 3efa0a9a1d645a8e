/** The fields of a movie that go into its embedding; the pipeline and the Worker both use this. */
export interface EmbeddableMovie {
  title: string;
  year: number | null;
  genres: readonly string[];
  overview: string | null;
  director: string | null;
  topCast: readonly string[];
  tags: readonly string[];
}

/** How many user tags go into the text: the most used ones carry the signal. */
export const TAGS_IN_TEXT = 8;

/**
 * The one text that represents a movie in vector space. The overview comes
 * right after the title: mean pooling gives every word piece a vote, and
 * putting lists of names and genres first made description queries find the
 * right movie far less often (docs/benchmarks.md, search quality). A long
 * overview can push the tags past the 256-piece limit; titles never are.
 */
export function buildEmbeddingText(movie: EmbeddableMovie): string {
  const parts: string[] = [movie.year ? `${movie.title} (${movie.year}).` : `${movie.title}.`];
  if (movie.overview) parts.push(movie.overview.trim());
  if (movie.genres.length > 0) parts.push(`Genres: ${movie.genres.join(", ")}.`);
  if (movie.director) parts.push(`Directed by ${movie.director}.`);
  if (movie.topCast.length > 0) parts.push(`Starring ${movie.topCast.join(", ")}.`);
  if (movie.tags.length > 0) parts.push(`Tags: ${movie.tags.slice(0, TAGS_IN_TEXT).join(", ")}.`);
  return parts.join(" ");
}

/** A sentence shorter than this many words joins its neighbour: "He is." says nothing alone. */
const MIN_PASSAGE_WORDS = 6;

/** Titles and initials whose full stop ends no sentence ("Dr. Kathryn Railly", "U.S. currency"). */
const NOT_A_SENTENCE_END =
  /(?:\b(?:Mr|Mrs|Ms|Dr|St|Jr|Sr|Prof|Gen|Col|Capt|Lt|Sgt|vs|No)|\b[A-Z]|\.[A-Z])\.$/;

/**
 * An overview as the passages that get vectors of their own: its sentences,
 * with a sentence under MIN_PASSAGE_WORDS words joined to the one before
 * (or after, when it comes first). all-MiniLM-L6-v2 was trained on sentence
 * pairs: a one-line description of a film finds the sentence that tells the
 * same thing far better than the mean of a whole overview, names and genres
 * (docs/benchmarks.md, search quality). The pipeline and the Worker both
 * split with this, so a passage's index names the same sentence in both.
 */
export function overviewPassages(overview: string | null): string[] {
  const text = overview?.replace(/\s+/g, " ").trim() ?? "";
  if (!text) return [];
  const sentences: string[] = [];
  let current = "";
  for (const piece of text.split(/(?<=[.!?…])\s+(?=["'“‘(]?[A-Z0-9])/)) {
    current = current ? `${current} ${piece}` : piece;
    if (!NOT_A_SENTENCE_END.test(current)) {
      sentences.push(current);
      current = "";
    }
  }
  if (current) sentences.push(current);
  const words = (s: string) => s.split(" ").length;
  const passages: string[] = [];
  for (const sentence of sentences) {
    const last = passages.length - 1;
    if (
      last >= 0 &&
      (words(sentence) < MIN_PASSAGE_WORDS || words(passages[last] as string) < MIN_PASSAGE_WORDS)
    ) {
      passages[last] = `${passages[last]} ${sentence}`;
    } else {
      passages.push(sentence);
    }
  }
  return passages;
}

/**
 * The texts a movie is encoded from: its facts (the embedding text without
 * the overview: title, year, genres, people, tags) and each overview
 * passage. Its whole-text vector is the mean of all their word pieces
 * together, each part encoded on its own; each passage also keeps a vector
 * of its own (core/vector/passages.ts). Encoded apart, the parts cost the
 * word pieces of the whole text once, and the pooled whole-text vector
 * finds films from one-line descriptions more often than one pass over the
 * whole text (docs/benchmarks.md, search quality).
 */
export function movieParts(movie: EmbeddableMovie): { facts: string; passages: string[] } {
  return {
    facts: buildEmbeddingText({ ...movie, overview: null }),
    passages: overviewPassages(movie.overview),
  };
}

/** sha256 of a text, hex; Web Crypto so it runs in Node and in a Worker alike. */
export async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** The content hash of an embedded text: what a vector in Chroma was made from. */
export const contentHash = sha256Hex;
