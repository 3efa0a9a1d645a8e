import { EMBEDDING_DIMENSIONS } from "./model.ts";

/** One text's pooled word pieces before the division: mean pooling is `sum / tokens`. */
export interface PooledSum {
  sum: Float64Array;
  tokens: number;
}

/**
 * The attention-masked sum of each row's token states, and its token count.
 * `hidden` is last_hidden_state, row-major [batch, sequence, dimensions].
 * Kept apart from the division so that texts encoded separately can be pooled
 * together (normalizedMean of several parts).
 */
export function sumPool(
  hidden: Float32Array,
  attentionMask: BigInt64Array,
  batchSize: number,
  sequenceLength: number,
  dimensions: number = EMBEDDING_DIMENSIONS,
): PooledSum[] {
  if (hidden.length !== batchSize * sequenceLength * dimensions) {
    throw new Error(
      `hidden state has ${hidden.length} values, expected ${batchSize}x${sequenceLength}x${dimensions}`,
    );
  }
  const pooled: PooledSum[] = [];
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
    pooled.push({ sum, tokens });
  }
  return pooled;
}

/**
 * The mean of every token of `parts` together, L2-normalised: for one part,
 * exactly what sentence-transformers' Pooling + Normalize modules do for
 * this model; for several, the mean over all their word pieces.
 */
export function normalizedMean(parts: readonly PooledSum[]): Float32Array {
  const dimensions = parts[0]?.sum.length ?? EMBEDDING_DIMENSIONS;
  const mean = new Float64Array(dimensions);
  let tokens = 0;
  for (const part of parts) {
    tokens += part.tokens;
    for (let d = 0; d < dimensions; d++) mean[d] = (mean[d] ?? 0) + (part.sum[d] ?? 0);
  }
  const count = Math.max(tokens, 1e-9);
  let norm = 0;
  for (let d = 0; d < dimensions; d++) {
    const value = (mean[d] ?? 0) / count;
    mean[d] = value;
    norm += value * value;
  }
  // sentence-transformers clamps the norm at 1e-12 (torch.nn.functional.normalize).
  const scale = 1 / Math.max(Math.sqrt(norm), 1e-12);
  return Float32Array.from(mean, (value) => value * scale);
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
