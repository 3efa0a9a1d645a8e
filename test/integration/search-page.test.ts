import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { RRF_K } from "../../workers/services/fusion.ts";
import type { Ranking } from "../../workers/services/search-intent.ts";
import { type PageRequest, resolveTitle, searchPage } from "../../workers/services/search-page.ts";
import { createMigratedScratchDatabase, type createScratchDatabase } from "../helpers/databases.ts";

const MOVIES = [
  [
    1,
    "Toy Story",
    1995,
    ["Animation", "Children", "Comedy"],
    "A cowboy doll is threatened when a new spaceman figure supplants him as top toy in a boy's room.",
  ],
  [
    3,
    "The Godfather",
    1972,
    ["Crime", "Drama"],
    "The aging patriarch of an organized crime dynasty transfers control of his empire to his reluctant son.",
  ],
  [
    4,
    "Space Jam",
    1996,
    ["Animation", "Comedy"],
    "Michael Jordan helps the Looney Tunes win a basketball game against invading aliens.",
  ],
  [
    5,
    "Alien",
    1979,
    ["Horror", "Sci-Fi"],
    "The crew of a commercial spacecraft meets a deadly lifeform after answering a distress call.",
  ],
  [6, "Spaceballs", 1987, ["Comedy", "Sci-Fi"], null],
] as const;

const NONE = { genres: [] };
/** Plain reciprocal-rank fusion: every list votes 1, no prior, no boost, any word matches. */
const FLAT: Ranking = {
  intent: "short",
  weights: { title: 1, text: 1, dense: 1, related: 1 },
  textWeights: [0.1, 0.2, 0.4, 1],
  textCoverage: 0,
  rrfK: RRF_K,
  priorSimilarity: 0,
  priorBoost: 0,
  boostGenres: [],
  genreBoost: 0,
};
const rrf = (rank: number) => 1 / (RRF_K + rank);
const binomial = (n: number, k: number): number =>
  k === 0 ? 1 : (binomial(n, k - 1) * (n - k + 1)) / k;

/** The Postgres half of a search against a five-movie catalog. */
describe("searchPage: retrieval, fusion and the page in one Postgres query", () => {
  let scratch: Awaited<ReturnType<typeof createScratchDatabase>>;
  let pool: pg.Pool;
  /** A request with every list voting alike and no prior, unless a test says otherwise; `dense` as ids, nearest first. */
  const search = ({
    dense = [],
    similarities,
    ranking,
    ...request
  }: Partial<Omit<PageRequest, "dense" | "ranking">> & {
    query: string;
    dense?: number[];
    similarities?: number[];
    ranking?: Partial<Ranking>;
  }) =>
    searchPage(pool, {
      filters: NONE,
      explicitFilters: NONE,
      dense: dense.map((movieId, i) => ({
        movieId,
        similarity: similarities?.[i] ?? 0.9 - i / 100,
      })),
      denseFiltered: true,
      ranking: { ...FLAT, ...ranking },
      reference: null,
      withTitles: true,
      candidates: 50,
      offset: 0,
      limit: 10,
      ...request,
    });

  beforeAll(async () => {
    scratch = await createMigratedScratchDatabase(inject("postgresUrl"));
    pool = new pg.Pool({ connectionString: scratch.url });
    for (const [id, title, year, genres, overview] of MOVIES) {
      await pool.query(
        "insert into movies (id, title, year, genres, overview, content_hash) values ($1, $2, $3, $4, $5, 'x')",
        [id, title, year, genres, overview],
      );
    }
  });
  afterAll(async () => {
    await pool?.end();
    await scratch?.drop();
  });

  it("sums 1 / (k + rank) over the lists that found a movie and says which did", async () => {
    const page = await search({ query: "patriarch", dense: [5, 3] });
    expect(page.movies.map((m) => [m.movieId, m.matchedBy, m.score])).toEqual([
      [3, ["text", "vector"], rrf(1) + rrf(2)],
      [5, ["vector"], rrf(1)],
    ]);
    expect(page.total).toBe(2);
    expect(page.denseSurvivors).toBe(2);
  });

  it("breaks ties by movie id, so the same input always gives the same order", async () => {
    const page = await search({ query: "patriarch", dense: [5] });
    expect(page.movies.map((m) => [m.movieId, m.score])).toEqual([
      [3, rrf(1)],
      [5, rrf(1)],
    ]);
  });

  it("returns the page's display fields, highlighting only the text matches", async () => {
    const page = await search({ query: "patriarch", dense: [5, 3] });
    expect(page.movies[0]).toMatchObject({
      title: "The Godfather",
      year: 1972,
      genres: ["Crime", "Drama"],
      overview: MOVIES[1][4],
    });
    expect(page.movies[0]?.highlight).toContain("<b>patriarch</b>");
    expect(page.movies[1]?.highlight).toBeNull();
  });

  it("finds a title through a typo", async () => {
    const page = await search({ query: "godfahter" });
    expect(page.movies[0]).toMatchObject({ movieId: 3, matchedBy: ["title"] });
  });

  it("puts the movie the query names first", async () => {
    const page = await search({ query: "alien", dense: [4, 5] });
    expect(page.movies[0]).toMatchObject({ movieId: 5, matchedBy: ["title", "text", "vector"] });
    expect(page.filtersDropped).toBe(false);
  });

  it("keeps title hits that fail the filters off the page", async () => {
    // "spaceballs comedies" made Comedy a filter; "Space Jam" is a title hit that passes it, Alien is not.
    const page = await search({ query: "space", filters: { genres: ["Comedy"] } });
    expect(page.movies.length).toBeGreaterThan(0);
    for (const movie of page.movies) expect(movie.genres).toContain("Comedy");
    const dated = await search({ query: "alien space", filters: { genres: [], yearFrom: 1990 } });
    for (const movie of dated.movies) expect(movie.year).toBeGreaterThanOrEqual(1990);
    expect(dated.filtersDropped).toBe(false);
  });

  it("drops the filters read from a query that names a film they exclude, and says so", async () => {
    // As "All Quiet on the Western Front" reads as a request for Westerns.
    const page = await search({
      query: "alien",
      filters: { genres: ["Comedy"] },
      dense: [4, 5],
      denseFiltered: false,
    });
    expect(page.filtersDropped).toBe(true);
    expect(page.movies.map((m) => m.movieId)).toEqual([5, 4]);
    // Explicit filters are the user's own: a title never overrides them.
    const explicit = await search({
      query: "alien",
      filters: { genres: ["Comedy"] },
      explicitFilters: { genres: ["Comedy"] },
      dense: [4, 5],
      denseFiltered: false,
    });
    expect(explicit.filtersDropped).toBe(false);
    expect(explicit.movies.map((m) => m.movieId)).toEqual([4]);
  });

  it("keeps the vector hits that pass the filters, ranked among themselves, and counts them", async () => {
    const unchecked = await search({
      query: "zzzz",
      filters: { genres: ["Comedy"], yearFrom: 1990 },
      dense: [5, 6, 4, 1],
      denseFiltered: false,
    });
    expect(unchecked.movies.map((m) => [m.movieId, m.score])).toEqual([
      [4, rrf(1)],
      [1, rrf(2)],
    ]);
    expect(unchecked.denseSurvivors).toBe(2);
    const checked = await search({
      query: "zzzz",
      filters: { genres: ["Comedy"] },
      dense: [5, 6],
      denseFiltered: true,
    });
    expect(checked.movies.map((m) => m.movieId)).toEqual([5, 6]);
    expect(checked.denseSurvivors).toBe(2);
  });

  it("takes at most `candidates` vector hits", async () => {
    const page = await search({ query: "zzzz", dense: [6, 5, 4, 1], candidates: 2 });
    expect(page.movies.map((m) => m.movieId)).toEqual([6, 5]);
    expect(page.denseSurvivors).toBe(4);
  });

  it("drops vector hits Postgres does not know before ranking", async () => {
    const page = await search({ query: "zzzz", dense: [999, 5] });
    expect(page.movies.map((m) => [m.movieId, m.score])).toEqual([[5, rrf(1)]]);
  });

  it("pages through the fused list and counts all of it", async () => {
    const dense = [6, 5, 4, 1, 3];
    const second = await search({ query: "zzzz", dense, offset: 1, limit: 2 });
    expect(second.movies.map((m) => m.movieId)).toEqual([5, 4]);
    expect(second.total).toBe(5);
    const past = await search({ query: "zzzz", dense, offset: 10, limit: 2 });
    expect(past.movies).toEqual([]);
    expect(past.total).toBe(5);
  });

  it("answers a query of stop words without text hits", async () => {
    const page = await search({ query: "the", dense: [1] });
    expect(page.movies.map((m) => m.movieId)).toContain(1);
    expect(page.movies.flatMap((m) => m.matchedBy)).not.toContain("text");
  });

  it("weighs each list's vote as the ranking says", async () => {
    const page = await search({
      query: "patriarch",
      dense: [5, 3],
      ranking: { weights: { title: 1, text: 0.5, dense: 2, related: 0 } },
    });
    expect(page.movies.map((m) => [m.movieId, m.score])).toEqual([
      [3, 0.5 * rrf(1) + 2 * rrf(2)],
      [5, 2 * rrf(1)],
    ]);
  });

  it("keeps only text hits that hold the required share of the query's words", async () => {
    // "crime" is in The Godfather's overview, "cowboy" in Toy Story's: each holds one of two words.
    const any = await search({ query: "crime cowboy" });
    expect(any.movies.map((m) => m.movieId).sort()).toEqual([1, 3]);
    const both = await search({ query: "crime cowboy", ranking: { textCoverage: 1 } });
    expect(both.movies).toEqual([]);
    const dynasty = await search({ query: "crime dynasty", ranking: { textCoverage: 1 } });
    expect(dynasty.movies.map((m) => m.movieId)).toEqual([3]);
  });

  it("finds through the index exactly the documents that hold the required number of words", async () => {
    // marquee_text_filter (migration 0010): every subset below 20 clauses, disjoint groups above.
    const words = ["alpha", "bravo", "charli", "delta", "echo", "foxtrot", "golf", "hotel"];
    let seed = 7;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed / 2_147_483_648;
    };
    for (let trial = 0; trial < 60; trial++) {
      const asked = words.filter(() => random() < 0.6);
      if (asked.length === 0) continue;
      const need = 1 + Math.floor(random() * asked.length);
      const documents = Array.from({ length: 20 }, () => words.filter(() => random() < 0.4));
      const { rows } = await pool.query<{ doc: string[]; found: boolean }>(
        `select doc, array_to_tsvector(doc) @@ marquee_text_filter($1::text[], $2) as found
           from unnest($3::text[]) as d(joined), lateral string_to_array(joined, ' ') as doc`,
        [asked, need, documents.map((d) => d.join(" "))],
      );
      for (const { doc, found } of rows) {
        const held = asked.filter((w) => doc.includes(w)).length;
        // Exact below 20 subsets; above, a necessary condition: never a document with enough words missed.
        if (held >= need) expect(found, `${doc} for ${need} of ${asked}`).toBe(true);
        const subsets = binomial(asked.length, asked.length - need + 1);
        if (subsets <= 20) expect(found, `${doc} for ${need} of ${asked}`).toBe(held >= need);
      }
    }
  });

  it("orders the vector hits by similarity plus the bounded prior", async () => {
    await pool.query(
      "insert into movie_stats (movie_id, ratings_count, likes_count, mean_rating, search_prior) values (4, 100, 80, 4.5, 0.9), (6, 2, 1, 3, 0.05)",
    );
    try {
      // Space Jam is 0.02 behind Spaceballs; a prior of 0.9 at 0.05 a unit puts it ahead.
      const close = await search({
        query: "zzzz",
        dense: [6, 4],
        similarities: [0.62, 0.6],
        ranking: { priorSimilarity: 0.05 },
      });
      expect(close.movies.map((m) => m.movieId)).toEqual([4, 6]);
      // 0.2 behind is more than the prior can make up.
      const far = await search({
        query: "zzzz",
        dense: [6, 4],
        similarities: [0.8, 0.6],
        ranking: { priorSimilarity: 0.05 },
      });
      expect(far.movies.map((m) => m.movieId)).toEqual([6, 4]);
      // The fused score is scaled by at most 1 + priorBoost.
      const boosted = await search({ query: "zzzz", dense: [4], ranking: { priorBoost: 0.5 } });
      expect(boosted.movies[0]?.score).toBeCloseTo(rrf(1) * (1 + 0.5 * 0.9), 6);
    } finally {
      await pool.query("delete from movie_stats");
    }
  });

  it("lifts a vibe's genres by the boost", async () => {
    const page = await search({
      query: "zzzz",
      dense: [4, 5],
      ranking: { boostGenres: ["Horror"], genreBoost: 0.5 },
    });
    expect(page.movies.map((m) => [m.movieId, m.score])).toEqual([
      [5, rrf(2) * 1.5],
      [4, rrf(1)],
    ]);
  });

  it("leaves a like query's reference out and fuses its co-rated neighbours", async () => {
    await pool.query(
      "insert into movie_neighbors (movie_id, neighbor_id, score) values (4, 6, 0.9), (4, 1, 0.5)",
    );
    try {
      const page = await search({ query: "", dense: [4, 1], reference: 4, withTitles: false });
      expect(page.movies.map((m) => [m.movieId, m.score])).toEqual([
        [1, rrf(2) + rrf(2)],
        [6, rrf(1)],
      ]);
    } finally {
      await pool.query("delete from movie_neighbors");
    }
  });

  it("resolves a typed title to the film it names, typos included", async () => {
    expect(await resolveTitle(pool, "godfahter")).toEqual({
      movieId: 3,
      title: "The Godfather",
      year: 1972,
      words: 1,
    });
    // The longest run of leading words that names a film; the words after it are other words.
    const withMore = await resolveTitle(pool, "toy story for my kids");
    expect(withMore?.movieId).toBe(1);
    expect(withMore?.words).toBeLessThan(5);
    expect(await resolveTitle(pool, "a film nobody made")).toBeNull();
  });
});

/**
 * The title lookup through the vocabulary of title words (migration 0013):
 * typed words corrected against it, films found by their words, only those
 * compared with the query, on a catalog where common words are common; the
 * titles that can be most alike read first (migration 0014).
 */
describe("marquee_title_candidates: a title lookup that does not read every title", () => {
  let scratch: Awaited<ReturnType<typeof createScratchDatabase>>;
  let pool: pg.Pool;
  const candidates = async (query: string) =>
    (
      await pool.query<{ title: string }>(
        `select m.title from unnest(marquee_title_candidates($1, 0.3)) as c(id)
           join movies m on m.id = c.id order by m.title`,
        [query],
      )
    ).rows.map((r) => r.title);
  const insert = (id: number, title: string, alternates: string[] = []) =>
    pool.query(
      "insert into movies (id, title, alternate_titles, content_hash) values ($1, $2, $3, 'x')",
      [id, title, alternates],
    );

  beforeAll(async () => {
    scratch = await createMigratedScratchDatabase(inject("postgresUrl"));
    pool = new pg.Pool({ connectionString: scratch.url });
    await insert(1, "Toy Story");
    await insert(2, "The Matrix");
    await insert(3, "The Lord of the Rings");
    await insert(4, "The Ring");
    await insert(5, "Seven", ["Se7en"]);
    await insert(6, "Time Traveler");
    // "the" and "story" in a hundred more titles, as common words are in a large catalog.
    for (let i = 0; i < 100; i++) await insert(100 + i, `The Story of Thing ${i}`);
  });
  afterAll(async () => {
    await pool?.end();
    await scratch?.drop();
  });

  it("keeps the vocabulary of title words as films are written", async () => {
    const words = async () =>
      (await pool.query<{ word: string }>("select word from title_words")).rows.map((r) => r.word);
    expect(await words()).toEqual(expect.arrayContaining(["toy", "story", "se7en", "traveler"]));
    await pool.query("update movies set title = 'Zyzzyva Returns' where id = 6");
    expect(await words()).toEqual(expect.arrayContaining(["zyzzyva", "returns"]));
    await pool.query("update movies set title = 'Time Traveler' where id = 6");
  });

  it("corrects a typed word against the vocabulary", async () => {
    expect(await candidates("matirx")).toEqual(["The Matrix"]);
    expect(await candidates("the matirx")).toContain("The Matrix");
  });

  it("takes a word's longer and shorter forms ('travel' -> traveler, 'rings' -> ring)", async () => {
    expect(await candidates("time travel")).toContain("Time Traveler");
    expect(await candidates("rings")).toEqual(["The Lord of the Rings", "The Ring"]);
  });

  it("looks up alternate titles by their words too", async () => {
    expect(await candidates("se7en")).toEqual(["Seven"]);
  });

  it("never selects a title by a word too light to make it alike ('the', 'of')", async () => {
    const found = await candidates("the lord of the rings");
    expect(found).toContain("The Lord of the Rings");
    // "the" alone is 4 of its 18 trigrams, under the 0.3 a title hit needs.
    expect(found).not.toContain("The Matrix");
    expect(await candidates("the one where toys come alive")).not.toContain("The Matrix");
  });

  it("answers a long query without enumerating every set of its words", async () => {
    // 32 words: the sets of them that reach the bound run to millions; a description this long names no title.
    const words = Array.from(
      { length: 30 },
      (_, i) => `word${String.fromCharCode(97 + (i % 26))}${i}`,
    );
    expect(await candidates(["toy", "story", ...words].join(" "))).toEqual([]);
  });

  it("answers with the titles holding every word when there are enough of them", async () => {
    const found = await candidates("story thing");
    expect(found).toHaveLength(100);
    expect(found).not.toContain("Toy Story");
  });

  it("finds the most alike titles first, however many less alike ones hold the word", async () => {
    // 2,100 long titles with "summer", written before the short one: more than the
    // step that reads titles holding only some of the words would read in the table's order.
    await pool.query(
      `insert into movies (id, title, content_hash)
       select 1000 + i, 'Summer of a Long and Quite Forgotten Story Told by Everybody, Number ' || i, 'x'
         from generate_series(1, 2100) as i`,
    );
    await insert(5000, "Summer Days");
    try {
      const found = await candidates("summer nights");
      expect(found).toContain("Summer Days");
      // The long titles cannot be a third alike to it, so none was read.
      expect(found).toHaveLength(1);
    } finally {
      await pool.query("delete from movies where id >= 1000");
    }
  });

  it("bounds a title's likeness by its length class (migration 0014)", async () => {
    // similarity(title, query) <= the bound of the title's class, for every title and query.
    const { rows } = await pool.query<{
      title: string;
      query: string;
      similarity: number;
      bound: number;
    }>(
      `select m.title, q.query, similarity(lower(m.title), lower(q.query)) as similarity,
              marquee_title_class_bound(marquee_title_class(m.title),
                                        cardinality(show_trgm(q.query))::real) as bound
         from movies m,
              unnest(array['toy story', 'the', 'matrix reloaded again', 'the lord of the rings',
                           'a very long query about the story of things']) as q(query)`,
    );
    expect(rows.length).toBeGreaterThan(500);
    for (const row of rows) expect(row.similarity).toBeLessThanOrEqual(row.bound + 1e-6);
  });

  it("indexes each title word with its title's class (0014's definition, restated by 0015)", async () => {
    const { rows } = await pool.query<{ title: string; tokens: string; expected: string }>(
      `select t.title, marquee_title_tokens(t.title, t.alternates)::text as tokens,
              array_to_tsvector(array(
                select w || '/' || marquee_title_class(t.title)
                  from unnest(tsvector_to_array(marquee_title_vector(t.title, t.alternates))) as w
              ))::text as expected
         from (select title, alternate_titles from movies
               union all
               values ('The Godfather', array['Il padrino']), ('Schindler''s List', '{}'),
                      ('L''Odyssée d''Ulysse', array['Ulysses'' Odyssey']), ('$', '{}'),
                      ('', '{}'), ('Se7en', array['Seven', 'Se7en'])) as t(title, alternates)`,
    );
    expect(rows.length).toBeGreaterThan(6);
    for (const row of rows) expect(row.tokens, row.title).toBe(row.expected);
    expect(rows.find((r) => r.title === "The Godfather")?.tokens).toBe(
      "'godfather/11' 'il/11' 'padrino/11' 'the/11'",
    );
  });

  it("always holds the exact title, even one with no words to look up", async () => {
    await insert(7, "$");
    try {
      expect(await candidates("$")).toEqual(["$"]);
    } finally {
      await pool.query("delete from movies where id = 7");
    }
  });
});
