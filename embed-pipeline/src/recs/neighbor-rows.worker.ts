import { parentPort, workerData } from "node:worker_threads";
import {
  type CoRatings,
  type ItemItemOptions,
  neighborRows,
  type RowShare,
} from "../../../core/recs/item-item.ts";
import { Triples } from "./triples.ts";

/** One thread of neighborsInThreads: its share of the rows, posted back as columns. */
const { co, options, share } = workerData as {
  co: CoRatings;
  options: ItemItemOptions;
  share: RowShare;
};
const pairs = new Triples();
neighborRows(co, options, share, (movieId, neighborId, score) =>
  pairs.push(movieId, neighborId, score),
);
const columns = pairs.columns();
parentPort?.postMessage(columns, [columns.a.buffer, columns.b.buffer, columns.value.buffer]);
