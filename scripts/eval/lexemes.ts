import type { Queryable } from "../../workers/services/queryable.ts";

/**
 * A lexeme shared with the catalog counts as distinctive when fewer than this
 * share of films use it in their title or overview ("shark", "dreams"); the
 * rest ("man", "young", "find") say little about which film is meant.
 */
export const DISTINCTIVE_SHARE = 0.01;

/** How many films use each lexeme (Postgres' English stemmer) in their title or overview. */
export async function lexemeFilmCounts(
  pool: Queryable,
): Promise<{ counts: Map<string, number>; films: number }> {
  const { rows } = await pool.query(
    `select word, ndoc from ts_stat($$select to_tsvector('english', title || ' ' || coalesce(overview, '')) from movies$$)`,
    [],
  );
  const { rows: total } = await pool.query("select count(*)::int as n from movies", []);
  return {
    counts: new Map((rows as { word: string; ndoc: number }[]).map((r) => [r.word, r.ndoc])),
    films: (total[0] as { n: number }).n,
  };
}

/** The lexemes a query shares with one film's title and overview, distinctive ones apart. */
export async function sharedLexemes(
  pool: Queryable,
  query: string,
  movieId: number,
  frequency: { counts: Map<string, number>; films: number },
): Promise<{ distinctive: string[]; common: string[] }> {
  const { rows } = await pool.query(
    `select array(select unnest(tsvector_to_array(to_tsvector('english', $1)))
                  intersect
                  select unnest(tsvector_to_array(to_tsvector('english', m.title || ' ' || coalesce(m.overview, ''))))
                  order by 1) as shared
       from movies m where m.id = $2`,
    [query, movieId],
  );
  const shared = (rows[0] as { shared: string[] } | undefined)?.shared ?? [];
  const isDistinctive = (w: string) =>
    (frequency.counts.get(w) ?? 0) < DISTINCTIVE_SHARE * frequency.films;
  return {
    distinctive: shared.filter(isDistinctive),
    common: shared.filter((w) => !isDistinctive(w)),
  };
}
