import { and, desc, eq, sql } from "drizzle-orm";
import { z } from "zod";
import { aiExplanations, movies, users } from "../../../core/db/schema.ts";
import type { WorkerEnv } from "../../env.ts";
import { ApiError } from "../../errors.ts";
import type { Db } from "../database.ts";
import { type ClaudeSettings, type GenerationHooks, generateExplanation } from "./generate.ts";
import { PROMPT_VERSION } from "./prompt.ts";
import { catalogTitlesAmong, retrieveContext } from "./retrieve.ts";
import type { Confidence, ExplainContext, ExplanationDraft } from "./types.ts";

/** What the API returns, and (without source) what the cache stores. */
export interface Explanation {
  movieId: number;
  explanation: string;
  confidence: Confidence;
  evidence: { movieId: number; title: string; yourRating: number; why: string }[];
  source: "claude" | "cache" | "fallback";
  model: string;
  generatedAt: string;
}

type Stored = Pick<Explanation, "explanation" | "confidence" | "evidence">;

const RATE_WINDOW_MS = 3_600_000;

function fromRow(
  movieId: number,
  row: { explanation: unknown; model: string; createdAt: Date },
): Explanation {
  return {
    movieId,
    ...(row.explanation as Stored),
    source: "cache",
    model: row.model,
    generatedAt: row.createdAt.toISOString(),
  };
}

const CachedRow = z.object({
  explanation: z.unknown(),
  model: z.string(),
  createdAt: z.coerce.date(),
  expired: z.boolean(),
});

/** The cache key: user, movie, the user's ratings version, the prompt version. */
function cacheKey(userId: number, movieId: number, ratingsVersion: number) {
  return and(
    eq(aiExplanations.userId, userId),
    eq(aiExplanations.movieId, movieId),
    eq(aiExplanations.ratingsVersion, ratingsVersion),
    eq(aiExplanations.promptVersion, PROMPT_VERSION),
  );
}

/** The row cached under this key, expired or not. */
async function cachedRow(
  db: Pick<Db, "select">,
  userId: number,
  movieId: number,
  ratingsVersion: number,
) {
  const [row] = await db
    .select({
      explanation: aiExplanations.explanation,
      model: aiExplanations.model,
      createdAt: aiExplanations.createdAt,
      expired: sql<boolean>`${aiExplanations.expiresAt} <= now()`,
    })
    .from(aiExplanations)
    .where(cacheKey(userId, movieId, ratingsVersion));
  return row;
}

/** Evidence with the titles and the user's own ratings from the context. */
function present(draft: ExplanationDraft, context: ExplainContext): Stored {
  const liked = new Map(context.liked.map((m) => [m.movieId, m]));
  return {
    explanation: draft.explanation,
    confidence: draft.confidence,
    evidence: draft.evidence.flatMap((e) => {
      const movie = liked.get(e.movieId);
      return movie
        ? [{ movieId: e.movieId, title: movie.title, yourRating: movie.rating, why: e.why }]
        : [];
    }),
  };
}

export function claudeSettings(env: WorkerEnv): ClaudeSettings | undefined {
  if (!env.ANTHROPIC_API_KEY) return undefined;
  return {
    apiKey: env.ANTHROPIC_API_KEY,
    baseURL: env.ANTHROPIC_BASE_URL,
    model: env.ANTHROPIC_MODEL,
    timeoutMs: env.EXPLAIN_TIMEOUT_MS,
  };
}

export type ExplainPlan =
  | { kind: "cached"; explanation: Explanation }
  | { kind: "generate"; run: (hooks?: GenerationHooks) => Promise<Explanation> };

const PlanState = z.object({
  ratingsVersion: z.coerce.number(),
  userExists: z.boolean(),
  movieExists: z.boolean(),
  cached: CachedRow.nullable(),
  recentCalls: z.coerce.number(),
  oldestCall: z.coerce.date().nullable(),
});

/**
 * Everything that can fail fast before a generation starts (unknown movie,
 * cache hit, rate limit), in one round trip, so a streaming response only
 * opens once there is something to stream.
 */
export async function planExplanation(
  db: Db,
  env: WorkerEnv,
  userId: number,
  movieId: number,
): Promise<ExplainPlan> {
  const result = await db.execute(sql`
    with u as (
      select coalesce((select ${users.ratingsVersion} from ${users} where ${users.id} = ${userId}), 0) as v,
             exists (select 1 from ${users} where ${users.id} = ${userId}) as present
    ),
    calls as (
      select count(*) as n, min(${aiExplanations.createdAt}) as oldest
        from ${aiExplanations}
       where ${aiExplanations.userId} = ${userId} and ${aiExplanations.modelCalls} > 0
         and ${aiExplanations.createdAt} > now() - interval '1 hour'
    )
    select u.v as "ratingsVersion", u.present as "userExists",
           exists (select 1 from ${movies} where ${movies.id} = ${movieId}) as "movieExists",
           (select json_build_object('explanation', e.explanation, 'model', e.model,
                                     'createdAt', e.created_at, 'expired', e.expires_at <= now())
              from ${aiExplanations} e
             where e.user_id = ${userId} and e.movie_id = ${movieId}
               and e.ratings_version = u.v and e.prompt_version = ${PROMPT_VERSION}) as cached,
           calls.n as "recentCalls", calls.oldest as "oldestCall"
      from u, calls`);
  const state = PlanState.parse((result as unknown as { rows: unknown[] }).rows[0]);
  if (!state.movieExists) throw new ApiError("NOT_FOUND", `movie ${movieId} does not exist`);
  if (state.cached && !state.cached.expired)
    return { kind: "cached", explanation: fromRow(movieId, state.cached) };

  const claude = claudeSettings(env);
  // Only model calls cost money; the deterministic explainer is not limited.
  if (claude && state.recentCalls >= env.EXPLAIN_RATE_LIMIT) {
    const freesAt = (state.oldestCall?.getTime() ?? Date.now()) + RATE_WINDOW_MS;
    throw new ApiError(
      "RATE_LIMITED",
      `at most ${env.EXPLAIN_RATE_LIMIT} new explanations per hour; cached ones are still served`,
      { retryAfterSeconds: Math.max(1, Math.ceil((freesAt - Date.now()) / 1000)) },
    );
  }
  const key = {
    userId,
    movieId,
    ratingsVersion: state.ratingsVersion,
    userExists: state.userExists,
  };
  return { kind: "generate", run: (hooks) => generateOnce(db, env, key, claude, hooks) };
}

interface ExplanationKey {
  userId: number;
  movieId: number;
  ratingsVersion: number;
  userExists: boolean;
}

/**
 * Generates and caches under a transaction-scoped advisory lock on (user,
 * movie): concurrent identical requests, in this isolate or any other, wait
 * for the first and are answered from its cache row. One generation, not
 * several.
 */
async function generateOnce(
  db: Db,
  env: WorkerEnv,
  key: ExplanationKey,
  claude: ClaudeSettings | undefined,
  hooks: GenerationHooks = {},
): Promise<Explanation> {
  const { userId, movieId, ratingsVersion } = key;
  const timings = hooks.timings ?? {};
  let mark = Date.now();
  const lap = (name: string) => {
    const now = Date.now();
    timings[name] = now - mark;
    mark = now;
  };
  // Retrieval first, on the pool; inside the transaction only its own
  // connection is used (the embedded database's socket server queues other
  // connections while a transaction is open).
  const context = await retrieveContext(db, env, userId, movieId);
  lap("retrieve");
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${userId}::int, ${movieId}::int)`);
    const existing = await cachedRow(tx, userId, movieId, ratingsVersion);
    lap("lock");
    if (existing && !existing.expired) {
      const hit = fromRow(movieId, existing);
      hooks.onDelta?.(hit.explanation);
      return hit;
    }
    const generation = await generateExplanation(
      context,
      claude,
      (candidates) => catalogTitlesAmong(tx, candidates),
      hooks,
    );
    lap("generate");
    const stored = present(generation.draft, context);
    // An expired row with the same key is replaced by a new row (a new id),
    // so feedback on the old text stays attached to what was judged.
    if (existing) await tx.delete(aiExplanations).where(cacheKey(userId, movieId, ratingsVersion));
    if (!key.userExists) await tx.insert(users).values({ id: userId }).onConflictDoNothing();
    const [row] = await tx
      .insert(aiExplanations)
      .values({
        userId,
        movieId,
        ratingsVersion,
        promptVersion: PROMPT_VERSION,
        explanation: stored,
        source: generation.source,
        model: generation.model,
        modelCalls: generation.modelCalls,
        inputTokens: generation.usage.input,
        cachedInputTokens: generation.usage.cached,
        outputTokens: generation.usage.output,
        expiresAt: sql`now() + make_interval(secs => ${env.EXPLAIN_TTL_DAYS * 86_400})`,
      })
      .returning({ createdAt: aiExplanations.createdAt });
    lap("store");
    return {
      movieId,
      ...stored,
      source: generation.source,
      model: generation.model,
      generatedAt: (row?.createdAt ?? new Date()).toISOString(),
    };
  });
}

/** The latest explanation of a movie for a user, for feedback. */
export async function latestExplanation(db: Db, userId: number, movieId: number) {
  const [row] = await db
    .select({
      id: aiExplanations.id,
      source: aiExplanations.source,
      promptVersion: aiExplanations.promptVersion,
    })
    .from(aiExplanations)
    .where(and(eq(aiExplanations.userId, userId), eq(aiExplanations.movieId, movieId)))
    .orderBy(desc(aiExplanations.createdAt), desc(aiExplanations.id))
    .limit(1);
  return row;
}
