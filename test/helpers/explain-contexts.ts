import type {
  ExplainContext,
  LikedMovie,
  MovieFacts,
} from "../../workers/services/explain/types.ts";

/** A catalog movie with only the facts a test names; the rest empty or unknown. */
export function movie(
  facts: Partial<MovieFacts> & Pick<MovieFacts, "movieId" | "title">,
): MovieFacts {
  return {
    year: null,
    genres: [],
    director: null,
    topCast: [],
    tags: [],
    overview: null,
    ...facts,
  };
}

/** A movie the user rated, sharing nothing with the target unless the test says so. */
export function liked(
  facts: Partial<LikedMovie> & Pick<LikedMovie, "movieId" | "title" | "rating">,
): LikedMovie {
  return {
    ...movie(facts),
    rating: facts.rating,
    similarity: facts.similarity ?? 0,
    shared: facts.shared ?? { director: false, cast: [], genres: [], tags: [] },
  };
}

/** The recommended movie the explanations are about. */
export const zodiac = movie({
  movieId: 53_519,
  title: "Zodiac",
  year: 2007,
  genres: ["Crime", "Drama", "Mystery", "Thriller"],
  director: "David Fincher",
  topCast: ["Jake Gyllenhaal", "Mark Ruffalo", "Robert Downey Jr."],
  tags: ["serial killer", "investigation"],
  overview:
    "A San Francisco cartoonist becomes an amateur detective obsessed with tracking down the Zodiac killer.",
});

/** Shares Zodiac's director, a tag and two genres. */
export const se7en = liked({
  movieId: 47,
  title: "Seven (a.k.a. Se7en)",
  year: 1995,
  genres: ["Mystery", "Thriller"],
  director: "David Fincher",
  topCast: ["Brad Pitt", "Morgan Freeman"],
  tags: ["serial killer"],
  overview: "Two detectives hunt a serial killer who uses the seven deadly sins as his motives.",
  rating: 5,
  similarity: 0.71,
  shared: { director: true, cast: [], genres: ["Mystery", "Thriller"], tags: ["serial killer"] },
});

/** Shares two of Zodiac's genres and nothing else. */
export const silence = liked({
  movieId: 593,
  title: "The Silence of the Lambs",
  year: 1991,
  genres: ["Crime", "Horror", "Thriller"],
  director: "Jonathan Demme",
  topCast: ["Jodie Foster", "Anthony Hopkins"],
  tags: ["hannibal lecter"],
  rating: 4.5,
  similarity: 0.64,
  shared: { director: false, cast: [], genres: ["Crime", "Thriller"], tags: [] },
});

/** Shares an actor and two genres with Zodiac. */
export const donnie = liked({
  movieId: 4878,
  title: "Donnie Darko",
  year: 2001,
  genres: ["Drama", "Mystery", "Sci-Fi"],
  director: "Richard Kelly",
  topCast: ["Jake Gyllenhaal", "Jena Malone"],
  tags: ["time travel"],
  rating: 4,
  similarity: 0.42,
  shared: { director: false, cast: ["Jake Gyllenhaal"], genres: ["Drama", "Mystery"], tags: [] },
});

/** Zodiac's catalog neighbour, which the user has not rated. */
export const prisoners = movie({
  movieId: 104_374,
  title: "Prisoners",
  year: 2013,
  genres: ["Drama", "Mystery", "Thriller"],
  director: "Denis Villeneuve",
  topCast: ["Hugh Jackman", "Jake Gyllenhaal"],
  tags: ["kidnapping"],
});

/**
 * User 7's context for Zodiac: Se7en, The Silence of the Lambs and Donnie
 * Darko liked, in that order, and Prisoners as the neighbour. Any field can be
 * replaced, the order of the liked movies for one.
 */
export function explainContext(overrides: Partial<ExplainContext> = {}): ExplainContext {
  return {
    userId: 7,
    target: zodiac,
    liked: [se7en, silence, donnie],
    neighbors: [prisoners],
    ...overrides,
  };
}
