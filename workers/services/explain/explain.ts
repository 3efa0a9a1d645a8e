import { and, desc, eq, sql } from "drizzle-orm";
import { z } from "zod";
import { aiExplanations, movies, users } from "../../../core/db/schema.ts";
import type { WorkerEnv } from "../../env.ts";
import { ApiError } from "../../errors.ts";
import type { ExplanationBody } from "../../schemas.ts";
import type { Db } from "../database.ts";
import {
  type Reservation,
  reserveModelCalls,
  secondsToNextHour,
  settleModelCalls,
} from "../model-budget.ts";
import type { Services } from "../request-services.ts";
import {
  type ClaudeSettings,
  type Generation,
  type GenerationHooks,
  generateExplanation,
  MAX_ATTEMPTS,
} from "./generate.ts";
import { acquireLease, type LeaseKey, leaseHeld, releaseLease } from "./lease.ts";
import { PROMPT_VERSION } from "./prompt.ts";
import { retrieveContext } from "./retrieve.ts";
import type { ExplainContext, ExplanationDraft } from "./types.ts";

/** What the API returns (its schema in schemas.ts), and (without source) what the cache stores. */
export type Explanation = ExplanationBody;

type Stored = Pick<Explanation, "explanation" | "confidence" | "evidence">;

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

function claudeSettings({ claude, env }: Services): ClaudeSettings | undefined {
  return claude ? { ...claude, timeoutMs: env.EXPLAIN_TIMEOUT_MS } : undefined;
}

export type ExplainPlan =
  | { kind: "cached"; explanation: Explanation }
  | { kind: "generate"; run: (hooks?: GenerationHooks) => Promise<Explanation> };

const PlanState = z.object({
  ratingsVersion: z.coerce.number(),
  userExists: z.boolean(),
  movieExists: z.boolean(),
  cached: CachedRow.nullable(),
  callsThisHour: z.coerce.number(),
});

/**
 * Everything that can fail fast before a generation starts (unknown movie,
 * cache hit, rate limit), in one round trip, so a streaming response only
 * opens once there is something to stream.
 */
export async function planExplanation(
  db: Db,
  services: Services,
  userId: number,
  movieId: number,
): Promise<ExplainPlan> {
  const { env } = services;
  const result = await db.execute(sql`
    with u as (
      select coalesce((select ${users.ratingsVersion} from ${users} where ${users.id} = ${userId}), 0) as v,
             exists (select 1 from ${users} where ${users.id} = ${userId}) as present
    ),
    calls as (
      select coalesce((select b.calls from model_call_budget b
                        where b.purpose = 'explain' and b.user_id = ${userId}
                          and b.window_start = date_trunc('hour', now())), 0) as n
    )
    select u.v as "ratingsVersion", u.present as "userExists",
           exists (select 1 from ${movies} where ${movies.id} = ${movieId}) as "movieExists",
           (select json_build_object('explanation', e.explanation, 'model', e.model,
                                     'createdAt', e.created_at, 'expired', e.expires_at <= now())
              from ${aiExplanations} e
             where e.user_id = ${userId} and e.movie_id = ${movieId}
               and e.ratings_version = u.v and e.prompt_version = ${PROMPT_VERSION}) as cached,
           calls.n as "callsThisHour"
      from u, calls`);
  const state = PlanState.parse((result as unknown as { rows: unknown[] }).rows[0]);
  if (!state.movieExists) throw new ApiError("NOT_FOUND", `movie ${movieId} does not exist`);
  if (state.cached && !state.cached.expired)
    return { kind: "cached", explanation: fromRow(movieId, state.cached) };

  const claude = claudeSettings(services);
  // Only model calls cost money; the deterministic explainer is not limited.
  // Fails fast when a generation's calls cannot fit; the reservation itself
  // (generateOnce) is what holds under concurrency.
  if (claude && state.callsThisHour + MAX_ATTEMPTS > env.EXPLAIN_RATE_LIMIT) {
    throw rateLimited(env, secondsToNextHour());
  }
  const key = {
    userId,
    movieId,
    ratingsVersion: state.ratingsVersion,
    userExists: state.userExists,
  };
  return { kind: "generate", run: (hooks) => generateOnce(db, services, key, claude, hooks) };
}

interface ExplanationKey {
  userId: number;
  movieId: number;
  ratingsVersion: number;
  userExists: boolean;
}

/** How often a request waiting for another's generation looks for its cache row. */
const WAIT_POLL_MS = 150;

/**
 * Generates and caches one explanation per key, whichever isolate the
 * concurrent requests reach: the request holding the key's lease (lease.ts)
 * generates, the others wait for its cache row. No transaction is open while
 * the model writes: the lease is a row with an expiry, taken and given back
 * in single statements, and the explanation is stored in one short
 * transaction afterwards. A holder that dies frees the key when its lease
 * expires (the model's timeout for every attempt, and a margin).
 *
 * Model calls are reserved from the user's hourly budget before the first
 * call (every attempt's worth) and the unused ones given back after, so
 * concurrent requests cannot overrun it (model-budget.ts).
 */
async function generateOnce(
  db: Db,
  services: Services,
  key: ExplanationKey,
  claude: ClaudeSettings | undefined,
  hooks: GenerationHooks = {},
): Promise<Explanation> {
  const { env } = services;
  const { userId, movieId, ratingsVersion } = key;
  const lease: LeaseKey = { userId, movieId, ratingsVersion, promptVersion: PROMPT_VERSION };
  const client = db.$client;
  const timings = hooks.timings ?? {};
  let mark = Date.now();
  const lap = (name: string) => {
    const now = Date.now();
    timings[name] = now - mark;
    mark = now;
  };
  const context = await retrieveContext(db, services, userId, movieId);
  lap("retrieve");
  const holder = crypto.randomUUID();
  const leaseMs = env.EXPLAIN_TIMEOUT_MS * MAX_ATTEMPTS + 10_000;
  const cached = async () => {
    const row = await cachedRow(db, userId, movieId, ratingsVersion);
    return row && !row.expired ? fromRow(movieId, row) : undefined;
  };
  const served = (hit: Explanation) => {
    lap("lock");
    hooks.onDelta?.(hit.explanation);
    return hit;
  };
  while (!(await acquireLease(client, lease, holder, leaseMs))) {
    // Another request generates this one: its cache row is the answer.
    const hit = await cached();
    if (hit) return served(hit);
    if (!(await leaseHeld(client, lease))) continue; // it gave up: try to take over
    await new Promise((resolve) => setTimeout(resolve, WAIT_POLL_MS));
  }
  try {
    const hit = await cached();
    if (hit) return served(hit);
    lap("lock");
    let reservation: Reservation | undefined;
    if (claude) {
      reservation = await reserveModelCalls(
        client,
        "explain",
        userId,
        MAX_ATTEMPTS,
        env.EXPLAIN_RATE_LIMIT,
      );
      if (!reservation.granted) throw rateLimited(env, reservation.retryAfterSeconds);
    }
    let generation: Generation | undefined;
    try {
      generation = await generateExplanation(context, claude, hooks);
    } finally {
      if (reservation?.granted)
        await settleModelCalls(
          client,
          "explain",
          userId,
          reservation,
          generation?.modelCalls ?? MAX_ATTEMPTS,
        ).catch((error: unknown) =>
          console.warn(JSON.stringify({ explain: "budget not settled", error: String(error) })),
        );
    }
    lap("generate");
    const stored = present(generation.draft, context);
    const createdAt = await db.transaction(async (tx) => {
      // An expired row with the same key is replaced by a new row (a new id),
      // so feedback on the old text stays attached to what was judged.
      await tx.delete(aiExplanations).where(cacheKey(userId, movieId, ratingsVersion));
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
      return row?.createdAt ?? new Date();
    });
    lap("store");
    return {
      movieId,
      ...stored,
      source: generation.source,
      model: generation.model,
      generatedAt: createdAt.toISOString(),
    };
  } finally {
    await releaseLease(client, lease, holder).catch(() => {});
  }
}

function rateLimited(env: WorkerEnv, retryAfterSeconds: number): ApiError {
  return new ApiError(
    "RATE_LIMITED",
    `at most ${env.EXPLAIN_RATE_LIMIT} model calls per hour for your explanations; cached ones are still served`,
    { retryAfterSeconds },
  );
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
