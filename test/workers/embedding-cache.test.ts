import { afterEach, describe, expect, it, vi } from "vitest";
import { cachedEmbedding } from "../../workers/services/embedding-cache.ts";
import type { QueryEmbedder } from "../../workers/services/query-embedder.ts";

/** An embedder that counts its calls and answers [length, 1, 2]. */
function countingEmbedder() {
  const calls: string[] = [];
  const embedder: Pick<QueryEmbedder, "embed"> = {
    embed: async (text) => {
      calls.push(text);
      return new Float32Array([text.length, 1, 2]);
    },
  };
  return { calls, load: async () => embedder };
}

/** An empty Cache API in place of the data centre's, with the given write. */
function emptyCache(put: () => Promise<void> = async () => {}) {
  const cache = { match: vi.fn(async () => undefined), put: vi.fn(put) };
  vi.stubGlobal("caches", { open: async () => cache });
  return cache;
}

afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

describe("cachedEmbedding", () => {
  it("embeds a query once per isolate, whatever its spacing and case", async () => {
    const cache = emptyCache();
    const { calls, load } = countingEmbedder();
    const first = await cachedEmbedding("m", "Toy  Story reuse", load, () => {});
    const again = await cachedEmbedding("m", "toy story REUSE", load, () => {});
    expect(calls).toEqual(["Toy  Story reuse"]);
    expect(first.cache).toBe("miss");
    expect(again).toEqual({ vector: first.vector, cache: "isolate" });
    expect(cache.put).toHaveBeenCalledTimes(1);
  });

  it("serves the vector when the Cache API write fails, and logs it instead of leaving a rejected promise", async () => {
    // A full or unavailable cache.
    const cache = emptyCache(async () => {
      throw new Error("cache unavailable");
    });
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const { load } = countingEmbedder();
    const background: Promise<unknown>[] = [];
    const { vector, cache: source } = await cachedEmbedding(
      "m",
      "a failing cache write",
      load,
      (promise) => background.push(promise),
    );
    expect(source).toBe("miss");
    expect(Array.from(vector)).toEqual([21, 1, 2]);
    expect(cache.put).toHaveBeenCalledTimes(1);
    // What waitUntil was given settles without rejecting.
    await expect(Promise.all(background)).resolves.toEqual([undefined]);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('"degraded":"embedding-cache"'));
  });
});
