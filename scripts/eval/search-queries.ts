import { readFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";

/**
 * Judged queries written the way people describe films, kept beside the
 * evaluation (scripts/eval/search-queries.json):
 * - paraphrases: a well-known film's premise as its overview tells it,
 *   retold in other words, without the title's or the overview's
 *   distinctive words (check-queries.ts reports every shared word);
 * - memory: a well-known film as people recall it, by scenes and details the
 *   catalog does not hold ("the horse head in the bed"), same word rule: what
 *   a retriever over this catalog's text cannot know, measured apart;
 * - like: "<words> like <film>", judged by shared genre and neighbours;
 * - vibes: a mood or kind of film, judged by genre and popularity.
 */
export const JudgedQueries = z.object({
  paraphrases: z.array(z.object({ query: z.string().min(1), movieId: z.number().int() })),
  memory: z.array(z.object({ query: z.string().min(1), movieId: z.number().int() })),
  like: z.array(z.object({ query: z.string().min(1), reference: z.number().int() })),
  vibes: z.array(z.object({ query: z.string().min(1), genres: z.array(z.string()).min(1) })),
});
export type JudgedQueries = z.infer<typeof JudgedQueries>;

export function loadJudgedQueries(): JudgedQueries {
  const file = path.join(import.meta.dirname, "search-queries.json");
  return JudgedQueries.parse(JSON.parse(readFileSync(file, "utf8")));
}
