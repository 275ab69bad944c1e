/** Small statistics and timing helpers for the benchmarks: percentiles, medians, a wall clock with sub-ms precision. */

/** Nearest-rank percentile (p in 0..100) of the values; null for an empty list. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Milliseconds since the Unix epoch with sub-millisecond precision. performance.timeOrigin is the epoch time of
 * the process start, so this reads the same CLOCK_REALTIME a container on this machine reads with time.time_ns().
 */
export function epochMs(): number {
  return performance.timeOrigin + performance.now();
}

/** Runs `fn` and returns its duration in ms (monotonic clock). */
export async function timed<T>(fn: () => Promise<T> | T): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
}

export function round(value: number | null, digits: number): number | null {
  if (value === null || !Number.isFinite(value)) return null;
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
