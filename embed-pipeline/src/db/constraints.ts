import type pg from "pg";

export interface Constraint {
  name: string;
  /** As Postgres restates it: "FOREIGN KEY (movie_id) REFERENCES movies(id) ON DELETE CASCADE". */
  definition: string;
}

/**
 * `table`'s constraints of the given kinds (pg_constraint.contype: p, u, x,
 * c, f), read from the live table so that the migrations stay their one
 * declaration; keys and checks before foreign keys, whose checks their
 * indexes serve.
 */
export async function constraintsOf(
  client: pg.ClientBase,
  table: string,
  kinds: readonly ("p" | "u" | "x" | "c" | "f")[],
): Promise<Constraint[]> {
  const { rows } = await client.query<Constraint>(
    `select conname as name, pg_get_constraintdef(oid) as definition from pg_constraint
      where conrelid = $1::regclass and contype = any($2::"char"[])
      order by contype = 'f', conname`,
    [table, kinds],
  );
  return rows;
}

/**
 * Runs `load` (inside the transaction `client` is in) with `table`'s foreign
 * keys dropped, and adds them back after: each is then checked in one pass
 * over the table instead of by a trigger for every row written (Postgres'
 * advice for bulk loads, "Populating a Database"). A row that breaks a key
 * fails the add, and the transaction with it. Dropping a key locks the table
 * against readers until commit, so this is for a table that holds nothing
 * yet: a first ingest.
 */
export async function withForeignKeysAfter<T>(
  client: pg.ClientBase,
  table: string,
  load: () => Promise<T>,
): Promise<T> {
  const keys = await constraintsOf(client, table, ["f"]);
  for (const key of keys) await client.query(`alter table ${table} drop constraint ${key.name}`);
  const result = await load();
  for (const key of keys) await addConstraint(client, table, key, `the rows of ${table}`);
  return result;
}

/**
 * Adds `constraint` to `table` (under `as`, its own name unless given),
 * checking the rows already there in one pass; when one breaks it, the error
 * says which rows (`rows`) broke which constraint, by its declared name.
 */
export async function addConstraint(
  client: pg.ClientBase,
  table: string,
  constraint: Constraint,
  rows: string,
  as = constraint.name,
): Promise<void> {
  await client
    .query(`alter table ${table} add constraint ${as} ${constraint.definition}`)
    .catch((cause: Error) => {
      throw new Error(`${rows} break ${constraint.name}: ${cause.message}`, { cause });
    });
}
