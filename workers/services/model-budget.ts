import type { Queryable } from "./queryable.ts";

/** What the budget is for: a user's explanations, or search re-ranks (all users together). */
export type BudgetPurpose = "explain" | "rerank";

/** Re-ranks are anonymous: one budget for everyone. */
export const ANONYMOUS = 0;

export type Reservation =
  | { granted: true; calls: number; windowStart: string }
  | { granted: false; retryAfterSeconds: number };

/** Seconds until the next clock hour, when a spent budget renews (a Retry-After). */
export function secondsToNextHour(now = Date.now()): number {
  return Math.max(1, Math.ceil((3_600_000 - (now % 3_600_000)) / 1000));
}

/**
 * Sets aside `calls` model calls for `purpose` and `userId` in this clock
 * hour, if the hour's count stays within `limit`. One atomic upsert: the
 * update's WHERE re-reads the row under its lock, so of requests arriving
 * together exactly as many pass as the limit allows, whichever isolate
 * serves them (model_call_budget in core/db/schema.ts).
 */
export async function reserveModelCalls(
  db: Queryable,
  purpose: BudgetPurpose,
  userId: number,
  calls: number,
  limit: number,
): Promise<Reservation> {
  const { rows } = await db.query(
    `insert into model_call_budget as b (purpose, user_id, window_start, calls)
     select $1, $2, date_trunc('hour', now()), $3::int where $3::int <= $4::int
     on conflict (purpose, user_id, window_start)
       do update set calls = b.calls + excluded.calls where b.calls + excluded.calls <= $4::int
     returning b.window_start::text as "windowStart"`,
    [purpose, userId, calls, limit],
  );
  const row = rows[0] as { windowStart: string } | undefined;
  return row
    ? { granted: true, calls, windowStart: row.windowStart }
    : { granted: false, retryAfterSeconds: secondsToNextHour() };
}

/** Gives back the calls a reservation set aside but did not make. */
export async function settleModelCalls(
  db: Queryable,
  purpose: BudgetPurpose,
  userId: number,
  reservation: { calls: number; windowStart: string },
  used: number,
): Promise<void> {
  const unused = reservation.calls - used;
  if (unused <= 0) return;
  await db.query(
    `update model_call_budget set calls = greatest(calls - $4::int, 0)
      where purpose = $1 and user_id = $2 and window_start = $3::timestamptz`,
    [purpose, userId, reservation.windowStart, unused],
  );
}
