import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { connect } from "../../embed-pipeline/src/db/connect.ts";
import { migrate } from "../../embed-pipeline/src/db/migrate.ts";
import { RRF_K } from "../../workers/services/fusion.ts";
import { type PageRequest, searchPage } from "../../workers/services/search-page.ts";
import { createScratchDatabase } from "../helpers/databases.ts";

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
const rrf = (rank: number) => 1 / (RRF_K + rank);

/** The Postgres half of a search against a five-movie catalog. */
describe("searchPage: retrieval, fusion and the page in one Postgres query", () => {
  let scratch: Awaited<ReturnType<typeof createScratchDatabase>>;
  let pool: pg.Pool;
  const search = (request: Partial<PageRequest> & { query: string }) =>
    searchPage(pool, {
      filters: NONE,
      explicitFilters: NONE,
      dense: [],
      denseFiltered: true,
      candidates: 50,
      offset: 0,
      limit: 10,
      ...request,
    });

  beforeAll(async () => {
    scratch = await createScratchDatabase(inject("postgresUrl"));
    const connection = await connect({ databaseUrl: scratch.url, pgliteDir: "" });
    await migrate(connection);
    await connection.close();
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
});
