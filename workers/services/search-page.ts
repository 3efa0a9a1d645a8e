import { z } from "zod";
import type { MatchSource } from "./fusion.ts";
import type { DenseHit, LikeReference } from "./hybrid-search.ts";
import type { MovieSummary } from "./movie-summary.ts";
import type { SearchFilters } from "./query-filters.ts";
import type { Queryable } from "./queryable.ts";
import type { Ranking } from "./search-intent.ts";

/** Trigram similarity above which a title counts as the one asked for. */
const NEAR_EXACT_TITLE = 0.8;

/** Title hits taken into fusion (full-text and vector hits: `candidates`). */
const TITLE_CANDIDATES = 10;

/** A filter's SQL parameters: genres (all required), first year, last year; null = unset. */
function filterParams(f: SearchFilters) {
  return [f.genres.length ? f.genres : null, f.yearFrom ?? null, f.yearTo ?? null];
}

export interface PageRequest {
  query: string;
  /** Filters on full-text and vector hits: explicit ones and those read from the query. */
  filters: SearchFilters;
  /**
   * The explicit filters alone: what holds instead of `filters` when the query
   * names a film that `filters` would exclude (a title, not a request).
   */
  explicitFilters: SearchFilters;
  /** Vector hits, nearest first, with their similarities; empty when the vector side failed. */
  dense: Pick<DenseHit, "movieId" | "similarity">[];
  /** True when `dense` holds only movies that pass `filters` (an unfiltered query, or Chroma searched within them). */
  denseFiltered: boolean;
  /** How much each list counts, the prior and the vibe's genres (search-intent.ts). */
  ranking: Ranking;
  /** A like query's reference film: left out of the page, its co-rated neighbours a list. */
  reference: number | null;
  /** Whether to look the query up among titles. */
  withTitles: boolean;
  /** Hits taken from each of full-text and vector retrieval before fusion. */
  candidates: number;
  offset: number;
  limit: number;
}

const PageRow = z.object({
  movie_id: z.number(),
  title: z.string(),
  year: z.number().nullable(),
  genres: z.array(z.string()),
  overview: z.string().nullable(),
  score: z.number(),
  by_title: z.boolean(),
  by_text: z.boolean(),
  by_vector: z.boolean(),
  highlight: z.string().nullable(),
});

export interface SearchPage {
  /** The page, best first: each movie with its fused score and how it was found. */
  movies: (MovieSummary & {
    score: number;
    matchedBy: MatchSource[];
    highlight: string | null;
  })[];
  /** Movies in the fused list: more pages exist when it is past offset + limit. */
  total: number;
  /** Vector hits that passed `filters` (all of them when `denseFiltered`). */
  denseSurvivors: number;
  /**
   * True when the query names a film that the filters read from it would
   * exclude ("All Quiet on the Western Front"): the words are a title, so only
   * `explicitFilters` (the explicit ones) were applied.
   */
  filtersDropped: boolean;
}

const Counts = z.object({
  total: z.number(),
  dense_survivors: z.number(),
  filters_dropped: z.boolean(),
});

/**
 * A search's Postgres side in one round trip: full-text hits over the stored
 * document; trigram title hits ("godfahter" -> The Godfather) among the films
 * found through their title words (marquee_title_candidates, migrations 0013-0014:
 * the lookup does not read every title); the vector
 * hits; every list under the same filters, unless the query names a film its
 * inferred filters would exclude, when only the explicit ones hold
 * (`filtersDropped`); reciprocal-rank fusion of the three lists (ties by
 * movie id, so paging is stable), a near-exact title first; and the page's
 * display fields, with a highlighted overview fragment where the text matched
 * (ts_headline re-parses an overview, so only the page's get one).
 *
 * One query rather than retrieval, then fusion here, then the page's details:
 * each round trip costs the Worker, Neon's proxy and Postgres more CPU than
 * the fusion does. And a function (marquee_search_page, migrations/0013), so
 * that Postgres plans it once per connection, not on every search
 * (docs/benchmarks.md).
 */
export async function searchPage(pool: Queryable, request: PageRequest): Promise<SearchPage> {
  const { query, filters, explicitFilters, dense, denseFiltered, ranking } = request;
  const { weights } = ranking;
  const { rows } = await pool.query(
    `select * from marquee_search_page(${Array.from({ length: 25 }, (_, i) => `$${i + 1}`).join(", ")})`,
    [
      query,
      ...filterParams(filters),
      ...filterParams(explicitFilters),
      request.candidates,
      TITLE_CANDIDATES,
      request.withTitles,
      dense.map((h) => h.movieId),
      dense.map((h) => h.similarity),
      denseFiltered,
      request.reference,
      [weights.title, weights.text, weights.dense, weights.related],
      ranking.textWeights,
      ranking.textCoverage,
      ranking.priorSimilarity,
      ranking.priorBoost,
      ranking.boostGenres,
      ranking.genreBoost,
      ranking.rrfK,
      NEAR_EXACT_TITLE,
      request.offset,
      request.limit,
    ],
  );
  const counts = Counts.parse(rows[0]);
  return {
    total: counts.total,
    denseSurvivors: counts.dense_survivors,
    filtersDropped: counts.filters_dropped,
    // An empty page is one row of counts with no movie.
    movies: rows
      .filter((row) => (row as { movie_id: unknown }).movie_id !== null)
      .map((row) => {
        const { movie_id, by_title, by_text, by_vector, ...movie } = PageRow.parse(row);
        const matchedBy: MatchSource[] = [];
        if (by_title) matchedBy.push("title");
        if (by_text) matchedBy.push("text");
        if (by_vector) matchedBy.push("vector");
        return { movieId: movie_id, ...movie, matchedBy };
      }),
  };
}

/**
 * The catalog film a typed title names, typo-tolerant ("spirted away",
 * "lebowksi", "se7en" for Seven's alternate title), and how many of the
 * typed words named it: the longest run of leading words that names a film
 * wins ("toy story for my kids" names Toy Story with two words). A title
 * matches by the best of its trigram similarity (leading articles aside)
 * and the typed words' similarity to a stretch of it, at least
 * REFERENCE_SIMILARITY; the most rated film wins a tie. Only the films found
 * through their title words are compared (marquee_title_candidates: the
 * lookup does not grow with the catalog). One query for every run of words.
 */
export async function resolveTitle(
  pool: Queryable,
  title: string,
): Promise<(Omit<LikeReference, "from"> & { words: number }) | null> {
  const words = title.toLowerCase().split(/\s+/).filter(Boolean);
  // The whole title, then with up to MAX_DROPPED trailing words left off.
  const runs = words
    .slice(0, MAX_DROPPED + 1)
    .map((_, i) => words.slice(0, words.length - i).join(" "))
    .filter(Boolean);
  const { rows } = await pool.query(
    `with typed as (select run, cardinality(string_to_array(run, ' ')) as words
                     from unnest($1::text[]) as run),
          found as (select t.run, t.words, c.id
                      from typed t cross join lateral unnest(marquee_title_candidates(t.run, $3::real)) as c(id)),
          named as (
            select m.id, f.run, f.words, lower(m.title) as name
              from found f join movies m on m.id = f.id
            union all
            select m.id, f.run, f.words, marquee_alternate_titles(m.alternate_titles)
              from found f join movies m on m.id = f.id
             where cardinality(m.alternate_titles) > 0)
     select m.id, m.title, m.year, n.words
       from named n join movies m on m.id = n.id left join movie_stats s on s.movie_id = n.id
      where greatest(similarity(regexp_replace(n.name, '^(the|a|an) ', ''),
                                regexp_replace(n.run, '^(the|a|an) ', '')),
                     word_similarity(n.run, n.name)) >= $2
      order by n.words desc,
               greatest(similarity(regexp_replace(n.name, '^(the|a|an) ', ''),
                                   regexp_replace(n.run, '^(the|a|an) ', '')),
                        word_similarity(n.run, n.name)) desc,
               coalesce(s.ratings_count, 0) desc, m.id
      limit 1`,
    [runs, REFERENCE_SIMILARITY, CANDIDATE_SHARE],
  );
  const row = rows[0] as
    | { id: number; title: string; year: number | null; words: number }
    | undefined;
  return row ? { movieId: row.id, title: row.title, year: row.year, words: row.words } : null;
}

/** Trailing words a like query's title may carry that are not part of it ("for my kids"). */
const MAX_DROPPED = 3;

/** How alike a like query's title and a film's must be (measured on the judged like queries). */
const REFERENCE_SIMILARITY = 0.5;

/**
 * The share of a run's trigrams a candidate title must hold
 * (marquee_title_candidates, migrations 0013-0014): below what REFERENCE_SIMILARITY
 * asks, as the similarity is taken with leading articles dropped.
 */
const CANDIDATE_SHARE = 0.3;

/** Every movie that passes `filters`, or null when more than `max` do (see filtered-dense.ts). */
export async function allMoviesMatching(
  pool: Queryable,
  filters: SearchFilters,
  max: number,
): Promise<number[] | null> {
  const { rows } = await pool.query(
    `select m.id from movies m
      where marquee_passes_filter(m.genres, m.year, $1, $2, $3)
      limit $4`,
    [...filterParams(filters), max + 1],
  );
  return rows.length > max ? null : (rows as { id: number }[]).map((r) => Number(r.id));
}
