/**
 * Nearest-rank percentiles of `values` (each p in 0..1; 1 is the maximum),
 * sorted once; NaN for an empty list. The rule every benchmark here reports by.
 */
export function percentiles(values: readonly number[], ps: readonly number[]): number[] {
  const sorted = [...values].sort((a, b) => a - b);
  return ps.map(
    (p) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? Number.NaN,
  );
}
