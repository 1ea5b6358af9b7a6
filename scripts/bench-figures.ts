/** Small helpers the benchmark's child scripts share: percentiles, rounding, megabytes. */

/** Nearest-rank percentile (p in 0..1) of unsorted samples; NaN when there are none. */
export function pct(samples: readonly number[], p: number): number {
  if (samples.length === 0) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}

export const r2 = (x: number) => Math.round(x * 100) / 100;
export const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);
