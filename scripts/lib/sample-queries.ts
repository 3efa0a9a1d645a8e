/**
 * Thirty searches as people type them: titles, typos, descriptions, a like
 * query, genres with decades, topics and names. bench:search times them;
 * the soak test's crowd sends them.
 */
export const SAMPLE_QUERIES = [
  "Toy Story",
  "godfahter",
  "the one where toys come alive",
  "dark thriller like Zodiac",
  "90s comedies",
  "animated movies from 2010",
  "westerns before 1980",
  "space adventure",
  "heist inside dreams",
  "pulp fiction",
  "matrix",
  "a shark terrorizes a beach town",
  "romantic comedy in new york",
  "horror after 2000",
  "jurasic park",
  "courtroom drama",
  "time travel",
  "zombie apocalypse",
  "boxing underdog",
  "robots that feel",
  "mafia family",
  "superhero team",
  "lord of the rings",
  "coming of age summer",
  "war movies",
  "serial killer detective",
  "talking animals",
  "high school musical",
  "stanley kubrick",
  "pixar",
];
