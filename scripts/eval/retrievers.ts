import type { Collection } from "chromadb";
import { queryMovies, vectorMovieDetails } from "../../core/vector/movies-collection.ts";
import { queryPassages } from "../../core/vector/passages.ts";
import type { OnnxEmbedder } from "../../embed-pipeline/src/embed/embedder.ts";
import type { Retrievers } from "../../workers/services/hybrid-search.ts";
import { likeVector } from "../../workers/services/like-query.ts";
import type { Queryable } from "../../workers/services/queryable.ts";
import { allMoviesMatching, resolveTitle, searchPage } from "../../workers/services/search-page.ts";

/** Which lists a search fuses: all of them, the vector list alone, or the text and title lists alone. */
export type Lists = "all" | "dense" | "lexical";

/**
 * The Worker's retrievers in Node, for the evaluation: the same Chroma
 * queries and Postgres function, with the query embedded by onnxruntime-node
 * on the Worker's int8 file.
 */
export function nodeRetrievers(
  pool: Queryable,
  stores: { movies: Collection; passages: Collection },
  embedder: OnnxEmbedder,
  lists: Lists = "all",
): Retrievers {
  const embed = async (text: string) => (await embedder.embed([text]))[0] as Float32Array;
  const withDense = lists !== "lexical";
  return {
    nearest: async (query, limit, scope) => {
      if (!withDense) return [];
      const vector = await embed(query);
      return scope?.ids
        ? queryMovies(stores.movies, vector, limit, scope)
        : queryPassages(stores.passages, vector, limit, scope?.where);
    },
    similar: async (reference, words, limit) => {
      if (!withDense) return [];
      const got = await stores.movies.get({ ids: [String(reference)], include: ["embeddings"] });
      const whole = got.embeddings[0];
      if (!whole) throw new Error(`no vector for movie ${reference}`);
      const vector = likeVector(whole, words ? await embed(words) : undefined);
      return queryPassages(stores.passages, vector, limit);
    },
    resolveTitle: (title) => resolveTitle(pool, title),
    page: (request) => {
      const { weights } = request.ranking;
      const only =
        lists === "dense"
          ? { ...weights, title: 0, text: 0, related: 0 }
          : lists === "lexical"
            ? { ...weights, dense: 0, related: 0 }
            : weights;
      return searchPage(pool, {
        ...request,
        withTitles: request.withTitles && only.title > 0,
        ranking: { ...request.ranking, weights: only },
      });
    },
    allMatching: (filters, max) => allMoviesMatching(pool, filters, max),
    vectorDetails: (ids) => vectorMovieDetails(stores.movies, ids),
  };
}
