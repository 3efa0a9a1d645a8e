import { sha256Hex } from "../../core/catalog-text.ts";
import type { QueryEmbedder } from "./query-embedder.ts";

const LRU_SIZE = 512;
const lru = new Map<string, Float32Array>();

/** Normalised so "Toy  Story" and "toy story" share one embedding. */
function cacheKey(model: string, text: string): string {
  return `${model}\u0000${text.trim().replace(/\s+/g, " ").toLowerCase()}`;
}

async function cacheUrl(key: string): Promise<string> {
  return `https://embeddings.marquee.internal/${await sha256Hex(key)}`;
}

/**
 * Repeated queries reuse their embedding: first the isolate's LRU, then the
 * data centre's Cache API, and only then the model.
 */
export async function cachedEmbedding(
  model: string,
  text: string,
  embedder: () => Promise<Pick<QueryEmbedder, "embed">>,
  waitUntil: (promise: Promise<unknown>) => void,
): Promise<{ vector: Float32Array; cache: "isolate" | "colo" | "miss" }> {
  const key = cacheKey(model, text);
  const hit = lru.get(key);
  if (hit) {
    lru.delete(key);
    lru.set(key, hit);
    return { vector: hit, cache: "isolate" };
  }
  const url = await cacheUrl(key);
  const cache = typeof caches === "undefined" ? undefined : await caches.open("embeddings");
  const stored = await cache?.match(url);
  let vector: Float32Array;
  let source: "colo" | "miss";
  if (stored) {
    vector = new Float32Array(await stored.arrayBuffer());
    source = "colo";
  } else {
    vector = await (await embedder()).embed(text);
    source = "miss";
    const response = new Response(vector.slice().buffer, {
      headers: { "Cache-Control": "public, max-age=604800" },
    });
    // The vector is served either way; a failed write only costs a later isolate an embedding.
    if (cache)
      waitUntil(
        cache.put(url, response).catch((error: unknown) => {
          console.warn(JSON.stringify({ degraded: "embedding-cache", error: String(error) }));
        }),
      );
  }
  lru.set(key, vector);
  if (lru.size > LRU_SIZE) lru.delete(lru.keys().next().value as string);
  return { vector, cache: source };
}
