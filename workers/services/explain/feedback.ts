import { sql } from "drizzle-orm";
import { aiExplanations, explanationFeedback } from "../../../core/db/schema.ts";
import { ApiError } from "../../errors.ts";
import type { Db } from "../database.ts";
import { latestExplanation } from "./explain.ts";

/**
 * Stores the user's verdict on the explanation they were shown last for this
 * movie; a second verdict on the same explanation replaces the first.
 */
export async function recordFeedback(
  db: Db,
  userId: number,
  movieId: number,
  verdict: { helpful: boolean; reason?: string | undefined },
) {
  const judged = await latestExplanation(db, userId, movieId);
  if (!judged)
    throw new ApiError(
      "NOT_FOUND",
      `no explanation of movie ${movieId} to judge; ask for one first`,
    );
  const values = {
    userId,
    movieId,
    explanationId: judged.id,
    source: judged.source,
    promptVersion: judged.promptVersion,
    helpful: verdict.helpful,
    reason: verdict.reason ?? null,
  };
  await db
    .insert(explanationFeedback)
    .values(values)
    .onConflictDoUpdate({
      target: [explanationFeedback.userId, explanationFeedback.explanationId],
      set: { helpful: values.helpful, reason: values.reason, createdAt: sql`now()` },
    });
  return { movieId, explanationId: judged.id, helpful: verdict.helpful, reason: values.reason };
}

/**
 * Per source and prompt version: explanations written, model calls and
 * tokens spent, verdicts and the helpful rate. How the team tunes prompts.
 */
export async function explanationStats(db: Db) {
  const produced = await db
    .select({
      source: aiExplanations.source,
      promptVersion: aiExplanations.promptVersion,
      explanations: sql<number>`count(*)::int`,
      modelCalls: sql<number>`coalesce(sum(${aiExplanations.modelCalls}), 0)::int`,
      inputTokens: sql<number>`coalesce(sum(${aiExplanations.inputTokens}), 0)::int`,
      cachedInputTokens: sql<number>`coalesce(sum(${aiExplanations.cachedInputTokens}), 0)::int`,
      outputTokens: sql<number>`coalesce(sum(${aiExplanations.outputTokens}), 0)::int`,
    })
    .from(aiExplanations)
    .groupBy(aiExplanations.source, aiExplanations.promptVersion);
  const judged = await db
    .select({
      source: explanationFeedback.source,
      promptVersion: explanationFeedback.promptVersion,
      verdicts: sql<number>`count(*)::int`,
      helpful: sql<number>`count(*) filter (where ${explanationFeedback.helpful})::int`,
    })
    .from(explanationFeedback)
    .groupBy(explanationFeedback.source, explanationFeedback.promptVersion);
  const key = (r: { source: string; promptVersion: string }) =>
    `${r.source}\u0000${r.promptVersion}`;
  type Row = (typeof produced)[number] & { verdicts: number; helpful: number };
  const rows = new Map<string, Row>();
  for (const r of produced) rows.set(key(r), { ...r, verdicts: 0, helpful: 0 });
  for (const r of judged) {
    const base = rows.get(key(r)) ?? {
      source: r.source,
      promptVersion: r.promptVersion,
      explanations: 0,
      modelCalls: 0,
      inputTokens: 0,
      cachedInputTokens: 0,
      outputTokens: 0,
    };
    rows.set(key(r), { ...base, verdicts: r.verdicts, helpful: r.helpful });
  }
  return [...rows.values()]
    .map((r) => ({
      ...r,
      helpfulRate: r.verdicts > 0 ? Number((r.helpful / r.verdicts).toFixed(3)) : null,
    }))
    .sort(
      (a, b) => a.promptVersion.localeCompare(b.promptVersion) || a.source.localeCompare(b.source),
    );
}
