import { EMBEDDING_DIMENSIONS } from "./model.ts";

/**
 * Attention-masked mean pooling followed by L2 normalisation, exactly what
 * sentence-transformers' Pooling + Normalize modules do for this model.
 * `hidden` is last_hidden_state, row-major [batch, sequence, dimensions].
 */
export function meanPoolAndNormalize(
  hidden: Float32Array,
  attentionMask: BigInt64Array,
  batchSize: number,
  sequenceLength: number,
  dimensions: number = EMBEDDING_DIMENSIONS,
): Float32Array[] {
  if (hidden.length !== batchSize * sequenceLength * dimensions) {
    throw new Error(
      `hidden state has ${hidden.length} values, expected ${batchSize}x${sequenceLength}x${dimensions}`,
    );
  }
  const vectors: Float32Array[] = [];
  for (let row = 0; row < batchSize; row++) {
    // Accumulate in float64: a long text sums 256 values per dimension.
    const sum = new Float64Array(dimensions);
    let tokens = 0;
    for (let t = 0; t < sequenceLength; t++) {
      if (attentionMask[row * sequenceLength + t] === 0n) continue;
      tokens++;
      const base = (row * sequenceLength + t) * dimensions;
      for (let d = 0; d < dimensions; d++) sum[d] = (sum[d] ?? 0) + (hidden[base + d] ?? 0);
    }
    const count = Math.max(tokens, 1e-9);
    let norm = 0;
    for (let d = 0; d < dimensions; d++) {
      const mean = (sum[d] ?? 0) / count;
      sum[d] = mean;
      norm += mean * mean;
    }
    // sentence-transformers clamps the norm at 1e-12 (torch.nn.functional.normalize).
    const scale = 1 / Math.max(Math.sqrt(norm), 1e-12);
    const vector = new Float32Array(dimensions);
    for (let d = 0; d < dimensions; d++) vector[d] = (sum[d] ?? 0) * scale;
    vectors.push(vector);
  }
  return vectors;
}

/** Cosine similarity of two vectors of equal length. */
export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length mismatch: ${a.length} vs ${b.length}`);
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  return dot / Math.sqrt(na * nb);
}
