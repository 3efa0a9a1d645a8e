import type { Queryable } from "../queryable.ts";

/** An explanation's cache key: the lease is on it. */
export interface LeaseKey {
  userId: number;
  movieId: number;
  ratingsVersion: number;
  promptVersion: string;
}

const keyParams = (key: LeaseKey) => [
  key.userId,
  key.movieId,
  key.ratingsVersion,
  key.promptVersion,
];

/**
 * Takes the lease on `key` for `holder` when nobody holds it or the holder's
 * lease expired; true when `holder` has it now. One atomic upsert: of
 * requests arriving together, exactly one gets it.
 */
export async function acquireLease(
  db: Queryable,
  key: LeaseKey,
  holder: string,
  ttlMs: number,
): Promise<boolean> {
  const { rows } = await db.query(
    `insert into explanation_leases as l
       (user_id, movie_id, ratings_version, prompt_version, holder, expires_at)
     values ($1, $2, $3, $4, $5, now() + make_interval(secs => $6::float8 / 1000))
     on conflict (user_id, movie_id, ratings_version, prompt_version)
       do update set holder = excluded.holder, expires_at = excluded.expires_at
       where l.expires_at < now()
     returning l.holder`,
    [...keyParams(key), holder, ttlMs],
  );
  return (rows[0] as { holder: string } | undefined)?.holder === holder;
}

/** Whether someone holds a live lease on `key`. */
export async function leaseHeld(db: Queryable, key: LeaseKey): Promise<boolean> {
  const { rows } = await db.query(
    `select 1 from explanation_leases
      where user_id = $1 and movie_id = $2 and ratings_version = $3 and prompt_version = $4
        and expires_at >= now()`,
    keyParams(key),
  );
  return rows.length > 0;
}

/** Gives the lease back, if `holder` still has it. */
export async function releaseLease(db: Queryable, key: LeaseKey, holder: string): Promise<void> {
  await db.query(
    `delete from explanation_leases
      where user_id = $1 and movie_id = $2 and ratings_version = $3 and prompt_version = $4
        and holder = $5`,
    [...keyParams(key), holder],
  );
}
