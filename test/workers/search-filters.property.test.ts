import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { passesFilters } from "../../workers/services/query-filters.ts";
import { query, request, uploadModel } from "./helpers.ts";

const Page = z.object({
  results: z.array(
    z.object({ movieId: z.number(), genres: z.array(z.string()), year: z.number().nullable() }),
  ),
  filters: z.object({
    effective: z.object({
      genres: z.array(z.string()),
      yearFrom: z.number().optional(),
      yearTo: z.number().optional(),
    }),
  }),
  nextCursor: z.string().nullable(),
});

// How people put decades and genres into a query (query-filters.ts reads these).
const DECADES = ["80s", "90s", "1970s", "from the 90s", "2000s", "before 1980", "after 1995"];
const GENRE_WORDS = [
  "comedies",
  "horror",
  "sci-fi",
  "thriller",
  "westerns",
  "animated",
  "war movies",
];
const GENRES = ["Action", "Comedy", "Drama", "Horror", "Romance", "Sci-Fi", "Thriller", "Children"];
const PAGES = 3;

beforeAll(uploadModel);

describe("every search result satisfies the filters in force", () => {
  it("for generated queries mixing titles, decades, genres and explicit parameters, on every page", async () => {
    const titles = (await query<{ title: string }>("select title from movies order by id")).map(
      (r) => r.title,
    );
    const word = (items: string[]) => fc.option(fc.constantFrom(...items), { nil: undefined });
    const searches = fc.record({
      title: word(titles),
      decade: word(DECADES),
      genreWord: word(GENRE_WORDS),
      order: fc.boolean(),
      genres: fc.subarray(GENRES, { maxLength: 2 }),
      years: fc.option(
        fc
          .tuple(fc.integer({ min: 1900, max: 2018 }), fc.integer({ min: 0, max: 40 }))
          .map(([from, span]) => ({ from, to: Math.min(from + span, 2025) })),
        { nil: undefined },
      ),
      onlyFrom: fc.boolean(),
      limit: fc.constantFrom(5, 10, 20),
    });
    let pagesChecked = 0;
    let rowsChecked = 0;
    await fc.assert(
      fc.asyncProperty(searches, async (s) => {
        const words = [s.decade, s.genreWord].filter((w): w is string => w !== undefined);
        if (s.title) words[s.order ? "push" : "unshift"](s.title);
        const q = words.join(" ") || "movies";
        const params = new URLSearchParams({ q, limit: String(s.limit) });
        for (const genre of s.genres) params.append("genre", genre);
        if (s.years) {
          params.set("yearFrom", String(s.years.from));
          if (!s.onlyFrom) params.set("yearTo", String(s.years.to));
        }
        let cursor: string | null = null;
        for (let page = 0; page < PAGES; page++) {
          if (cursor) params.set("cursor", cursor);
          const response = await request(`/api/search?${params}`);
          expect(response.status, `${params}`).toBe(200);
          const body = Page.parse(await response.json());
          for (const result of body.results) {
            expect(
              passesFilters(result, body.filters.effective),
              `${params}: movie ${result.movieId} (${result.year}, ${result.genres.join("|")}) is outside ${JSON.stringify(body.filters.effective)}`,
            ).toBe(true);
          }
          pagesChecked++;
          rowsChecked += body.results.length;
          cursor = body.nextCursor;
          if (!cursor) break;
        }
      }),
      { numRuns: 300 },
    );
    // The property held over real pages, not empty ones.
    expect(pagesChecked).toBeGreaterThanOrEqual(300);
    expect(rowsChecked).toBeGreaterThan(1_000);
  }, 600_000);
});
