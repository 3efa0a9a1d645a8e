import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { buildEmbeddingText, contentHash } from "../../core/catalog-text.ts";
import { readCatalogMovies } from "../../embed-pipeline/src/ingest/catalog.ts";
import { csvRows, InputFileError, type RowProblem } from "../../embed-pipeline/src/ingest/csv.ts";
import { checkSources, RatingRow } from "../../embed-pipeline/src/ingest/sources.ts";
import { writeDataFile } from "../helpers/data-dir.ts";

function dataDir(
  files: Partial<Record<"movies" | "ratings" | "tags" | "links" | "tmdb" | "imdb", string>>,
) {
  const dir = mkdtempSync(path.join(os.tmpdir(), "marquee-unit-"));
  for (const [key, content] of Object.entries(files)) {
    writeDataFile(dir, key as keyof typeof files, content);
  }
  return dir;
}

const movies = `movieId,title,genres
1,Toy Story (1995),Adventure|Animation|Children|Comedy|Fantasy
2571,"Matrix, The (1999)",Action|Sci-Fi|Thriller
3,Babylon 5,(no genres listed)
`;
const links = "movieId,imdbId,tmdbId\r\n1,0114709,862\r\n2571,0133093,603\r\n3,,\r\n";
const tmdb = `id,title,genre,original_language,overview,popularity,release_date,vote_average,vote_count
862,Toy Story,"Animation,Comedy",en,"Led by Woody, Andy's toys live happily.",100.5,1995-10-30,8,100
603,The Matrix,Action,en,"Set in the 22nd century, The Matrix tells the story of a computer hacker.",80,1999-03-30,8.2,100
`;
const imdb = `Poster_Link,Series_Title,Released_Year,Certificate,Runtime,Genre,IMDB_Rating,Overview,Meta_score,Director,Star1,Star2,Star3,Star4,No_of_Votes,Gross
x,The Matrix,1999,A,136 min,"Action, Sci-Fi",8.7,o,73,Lana Wachowski,Keanu Reeves,Laurence Fishburne,Carrie-Anne Moss,Hugo Weaving,1,1
x,Toy Story,1995,U,81 min,Animation,8.3,o,95,John Lasseter,Tom Hanks,Tim Allen,Don Rickles,Jim Varney,1,1
x,Apollo 13,PG,U,140 min,Drama,7.6,o,77,Ron Howard,Tom Hanks,Bill Paxton,Kevin Bacon,Gary Sinise,1,1
`;
const ratings =
  "userId,movieId,rating,timestamp\n1,1,4.0,964982703\n1,2571,5.0,964981247\n2,1,3.5,964982224\n";
const tags =
  "userId,movieId,tag,timestamp\n2,2571,Cyberpunk,1\n3,2571,cyberpunk ,2\n3,2571,philosophy,3\n3,1,pixar,4\n";

describe("the catalog's films", () => {
  it("joins TMDB through links.csv and IMDb through title + year", async () => {
    const catalog = await readCatalogMovies(dataDir({ movies, links, tmdb, imdb, ratings, tags }));
    expect(catalog.problems).toEqual([]);
    const matrix = catalog.movies.find((m) => m.id === 2571);
    expect(matrix).toMatchObject({
      title: "The Matrix",
      year: 1999,
      genres: ["Action", "Sci-Fi", "Thriller"],
      overview: expect.stringContaining("22nd century"),
      director: "Lana Wachowski",
      topCast: ["Keanu Reeves", "Laurence Fishburne", "Carrie-Anne Moss", "Hugo Weaving"],
      tags: ["cyberpunk", "philosophy"],
      tmdbId: 603,
      imdbId: "tt0133093",
      popularity: 80,
    });
    expect(matrix?.contentHash).toBe(await contentHash(buildEmbeddingText(matrix as never)));
    const babylon = catalog.movies.find((m) => m.id === 3);
    expect(babylon).toMatchObject({
      genres: [],
      year: null,
      overview: null,
      director: null,
      tmdbId: null,
    });
  });

  it("works without the optional enrichment files", async () => {
    const catalog = await readCatalogMovies(dataDir({ movies, ratings }));
    expect(catalog.movies).toHaveLength(3);
    expect(catalog.movies.every((m) => m.overview === null && m.director === null)).toBe(true);
  });

  it("reports a duplicate film and a tag of an unknown film with file and line", async () => {
    const twice = `${movies}1,Toy Story Again (1995),Comedy\n`;
    const badTags = `${tags}3,999,ghost,5\n`;
    const catalog = await readCatalogMovies(dataDir({ movies: twice, ratings, tags: badTags }));
    expect(catalog.movies.map((m) => m.id)).toEqual([1, 2571, 3]);
    expect(catalog.problems).toEqual([
      { file: "movielens-small/movies.csv", line: 5, message: "duplicate movieId 1" },
      { file: "movielens-small/tags.csv", line: 6, message: "unknown movieId 999" },
    ]);
  });

  it("streams a file's rows, reporting bad ones with file and line and keeping the good ones", async () => {
    const badRatings = [
      "userId,movieId,rating,timestamp",
      "1,1,4.0,964982703",
      "1,2571,4.2,964981247", // line 3: not a half star
      "x,1,3.0,1", // line 4: bad user id
      "1,2571,3.0,1",
      '1,"1,2', // line 6: an unclosed quote is a malformed row
    ].join("\n");
    const dir = dataDir({ movies, ratings: badRatings });
    const problems: RowProblem[] = [];
    const rows = [];
    for await (const row of csvRows(checkSources(dir).ratings, RatingRow, problems)) rows.push(row);
    expect(rows).toEqual([
      { line: 2, value: { userId: 1, movieId: 1, rating: 4, timestamp: 964982703 } },
      { line: 5, value: { userId: 1, movieId: 2571, rating: 3, timestamp: 1 } },
    ]);
    expect(problems.map((p) => `${p.file}:${p.line}`)).toEqual(
      [3, 4, 6].map((line) => `movielens-small/ratings.csv:${line}`),
    );
    const message = (line: number) => problems.find((p) => p.line === line)?.message;
    expect(message(3)).toMatch(/halves/);
    expect(message(4)).toMatch(/userId: expected a positive integer/);
    expect(message(6)).toMatch(/Quote Not Closed/);
  });

  it("stops before anything when a required file or column is missing", () => {
    expect(() => checkSources(dataDir({ movies }))).toThrow(InputFileError);
    expect(() => checkSources(dataDir({ movies }))).toThrow(/missing input file: .*ratings\.csv/);
    expect(() => checkSources(dataDir({ movies: "movieId,name\n1,x\n", ratings }))).toThrow(
      /movies\.csv: header lacks column\(s\) title, genres/,
    );
    expect(() => checkSources(dataDir({ movies, ratings, tmdb: "id,title\n" }))).toThrow(
      /top10K-TMDB-movies\.csv: header lacks column\(s\) overview, popularity/,
    );
    expect(() => checkSources("/nonexistent/marquee")).toThrow(/data folder not found/);
  });
});
