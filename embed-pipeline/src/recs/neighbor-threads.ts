import os from "node:os";
import { Worker } from "node:worker_threads";
import {
  type Allocate,
  type CoRatings,
  coRatings,
  eachNeighbor,
  type ItemItemOptions,
  type RatingColumns,
  type RowShare,
} from "../../../core/recs/item-item.ts";
import { type TripleColumns, Triples } from "./triples.ts";

/** The co-rating arrays in SharedArrayBuffers: every thread reads the one copy. */
const SHARED: Allocate = {
  int32: (length) => new Int32Array(new SharedArrayBuffer(length * 4)),
  float64: (length) => new Float64Array(new SharedArrayBuffer(length * 8)),
};

/** One thread per core this process may use. */
export function defaultNeighborThreads(): number {
  return os.availableParallelism();
}

/**
 * Every eligible movie's neighbours, its rows shared out over `threads`
 * worker threads (movie i to thread i mod threads), each movie's best first;
 * one thread computes here, with no worker. The rows are the build's whole
 * cost and independent of each other (100x: 10 million ratings, up to
 * 972,400 rows), so they scale with the cores; the pairs are the same
 * whatever the split (a test compares).
 */
export async function neighborsInThreads(
  ratings: RatingColumns,
  options: ItemItemOptions,
  threads: number,
): Promise<TripleColumns[]> {
  if (threads <= 1) {
    const pairs = new Triples();
    eachNeighbor(ratings, options, (a, b, score) => pairs.push(a, b, score));
    return [pairs.columns()];
  }
  const co = coRatings(ratings, options, SHARED);
  const workers: Worker[] = [];
  try {
    return await Promise.all(
      Array.from({ length: threads }, (_, index) =>
        rowsInWorker(co, options, { index, count: threads }, workers),
      ),
    );
  } finally {
    // After a failure the other threads would compute on for nothing.
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

function rowsInWorker(
  co: CoRatings,
  options: ItemItemOptions,
  share: RowShare,
  workers: Worker[],
): Promise<TripleColumns> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL("./neighbor-rows.worker.ts", import.meta.url), {
      workerData: { co, options, share },
      // The worker is TypeScript, as the pipeline is: tsx (this project's own,
      // whatever the working directory) loads it, whoever started us.
      execArgv: ["--import", import.meta.resolve("tsx")],
    });
    workers.push(worker);
    worker.once("message", resolve);
    worker.once("error", reject);
    worker.once("exit", (code) =>
      reject(new Error(`neighbour thread ${share.index + 1} of ${share.count} exited (${code})`)),
    );
  });
}
