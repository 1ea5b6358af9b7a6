/** Small helpers the benchmark's scripts share: percentiles, rounding, megabytes, a child's environment. */
import os from 'node:os';

/** Nearest-rank percentile (p in 0..1) of unsorted samples; NaN when there are none. */
export function pct(samples: readonly number[], p: number): number {
  if (samples.length === 0) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}

export const r2 = (x: number) => Math.round(x * 100) / 100;
export const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);

/**
 * The environment of a bench child script: a minimal one plus `env`. It keeps this run's temporary
 * folder (TMPDIR, where tsx keeps its cache) rather than a /tmp shared with other runs, and HOME
 * only when it is set.
 */
export function benchChildEnv(env: Record<string, string>): Record<string, string> {
  return { PATH: process.env.PATH ?? '', ...(process.env.HOME !== undefined && { HOME: process.env.HOME }), TMPDIR: os.tmpdir(), ...env };
}
