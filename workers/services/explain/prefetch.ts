import { ApiError } from "../../errors.ts";
import { openDatabase } from "../database.ts";
import type { Services } from "../request-services.ts";
import { planExplanation } from "./explain.ts";

/** Generations at once in the background: the model's concurrency is the user's quota too. */
const PREFETCH_CONCURRENCY = 2;

/**
 * Generates (and caches) explanations for the top recommendations after the
 * response is sent (waitUntil), so "Why this?" on them is a cache hit. Never
 * throws: a failure only means the click generates it instead; a rate limit
 * stops the prefetch.
 */
export async function prefetchExplanations(
  services: Services,
  userId: number,
  movieIds: number[],
): Promise<void> {
  const queue = [...movieIds];
  let stopped = false;
  // Each worker has its own pool, so one's slow model call never queues the other's queries.
  const worker = async () => {
    const database = openDatabase(services.env);
    try {
      for (let id = queue.shift(); id !== undefined && !stopped; id = queue.shift()) {
        try {
          const plan = await planExplanation(database.db, services, userId, id);
          if (plan.kind === "generate") await plan.run();
        } catch (error) {
          if (error instanceof ApiError && error.code === "RATE_LIMITED") stopped = true;
          else console.warn(JSON.stringify({ prefetch: id, error: String(error) }));
        }
      }
    } finally {
      await database.close();
    }
  };
  await Promise.all(Array.from({ length: PREFETCH_CONCURRENCY }, worker));
}
