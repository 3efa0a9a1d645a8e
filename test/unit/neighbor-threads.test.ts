import { describe, expect, it } from "vitest";
import {
  ITEM_ITEM_DEFAULTS,
  itemNeighbors,
  type RatingColumns,
} from "../../core/recs/item-item.ts";
import { neighborsInThreads } from "../../embed-pipeline/src/recs/neighbor-threads.ts";
import type { TripleColumns } from "../../embed-pipeline/src/recs/triples.ts";
import { mulberry32 } from "../../scripts/lib/random.ts";

/** 300 users rating a catalog of 400 films, popular films rated far more (as in MovieLens). */
function ratings(): RatingColumns {
  const random = mulberry32(18);
  const userIds: number[] = [];
  const movieIds: number[] = [];
  const stars: number[] = [];
  for (let user = 1; user <= 300; user++) {
    const seen = new Set<number>();
    const count = 5 + Math.floor(random() * 60);
    while (seen.size < count) seen.add(1 + Math.floor(400 * random() ** 2));
    for (const movie of seen) {
      userIds.push(user);
      movieIds.push(movie);
      stars.push(0.5 * (1 + Math.floor(random() * 10)));
    }
  }
  return {
    userIds: Int32Array.from(userIds),
    movieIds: Int32Array.from(movieIds),
    ratings: Float32Array.from(stars),
  };
}

/** Each movie's neighbours as "neighbour:score" in the order computed, keyed by movie. */
function byMovie(shares: TripleColumns[]): Map<number, string[]> {
  const rows = new Map<number, string[]>();
  for (const { a, b, value } of shares)
    a.forEach((movieId, k) => {
      const row = rows.get(movieId) ?? [];
      row.push(`${b[k]}:${value[k]}`);
      rows.set(movieId, row);
    });
  return rows;
}

describe("neighbours on worker threads", () => {
  const input = ratings();
  const expected = new Map<number, string[]>();
  for (const e of itemNeighbors(input)) {
    const row = expected.get(e.movieId) ?? [];
    row.push(`${e.neighborId}:${Math.fround(e.score)}`);
    expected.set(e.movieId, row);
  }

  it("has pairs to compare", () => {
    expect(expected.size).toBeGreaterThan(200);
  });

  it.each([1, 2, 3])("computes the same pairs, best first, on %i thread(s)", async (threads) => {
    const shares = await neighborsInThreads(input, ITEM_ITEM_DEFAULTS, threads);
    expect(shares).toHaveLength(threads);
    expect(byMovie(shares)).toEqual(expected);
  });
});
