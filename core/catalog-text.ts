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

/** sha256 of a text, hex; Web Crypto so it runs in Node and in a Worker alike. */
export async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** The content hash of an embedded text: what a vector in Chroma was made from. */
export const contentHash = sha256Hex;
