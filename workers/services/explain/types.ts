/** What the explainer retrieves, generates and returns. Shared by retrieval, prompt, checks and fallback. */

/** Facts about one catalog movie, as stored in Postgres. */
export interface MovieFacts {
  movieId: number;
  title: string;
  year: number | null;
  genres: string[];
  director: string | null;
  topCast: string[];
  /** User tags, most used first, lower-cased. */
  tags: string[];
  overview: string | null;
}

/** One of the user's highly rated movies, with what it shares with the target. */
export interface LikedMovie extends MovieFacts {
  /** The user's own rating, 0.5-5. */
  rating: number;
  /** Cosine similarity of its embedding to the target's (0 when unknown). */
  similarity: number;
  shared: {
    director: boolean;
    cast: string[];
    genres: string[];
    tags: string[];
  };
}

/** Everything the explainer may use; nothing outside it may appear in an explanation. */
export interface ExplainContext {
  userId: number;
  target: MovieFacts;
  /** The user's movies rated >= 4, most relevant to the target first. */
  liked: LikedMovie[];
  /** The target's nearest neighbours in the catalog (not necessarily rated by the user). */
  neighbors: MovieFacts[];
}

export type { Confidence, ExplanationDraft } from "./draft.ts";

/** A grounding problem, phrased so it can be sent back to the model verbatim. */
export interface Violation {
  kind:
    | "unknown-evidence-id"
    | "unknown-id"
    | "invented-title"
    | "wrong-year"
    | "wrong-rating"
    | "wrong-director"
    | "wrong-genre"
    | "format";
  message: string;
}
