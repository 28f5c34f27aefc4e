/**
 * Nearest-rank percentile: the smallest value with at least `p`% of the values at or below it
 * (p50 of [1,2,3,4] is 2). `null` for no values.
 */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  if (!(p > 0 && p <= 100)) throw new RangeError(`percentile must be in (0, 100], got ${p}`);
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** Latency figures of a run, in milliseconds. */
export interface LatencySummary {
  readonly p50Ms: number | null;
  readonly p95Ms: number | null;
  readonly maxMs: number | null;
  readonly meanMs: number | null;
  /** Questions answered per second of asking: count / (sum of per-question wall times / 1000); questions run one at a time. */
  readonly questionsPerSecond: number | null;
}

/** Summarises per-question wall-clock latencies of a sequential run. */
export function summarizeLatency(latenciesMs: readonly number[]): LatencySummary {
  if (latenciesMs.length === 0) return { p50Ms: null, p95Ms: null, maxMs: null, meanMs: null, questionsPerSecond: null };
  const total = latenciesMs.reduce((a, b) => a + b, 0);
  return {
    p50Ms: percentile(latenciesMs, 50),
    p95Ms: percentile(latenciesMs, 95),
    maxMs: Math.max(...latenciesMs),
    meanMs: total / latenciesMs.length,
    questionsPerSecond: total > 0 ? latenciesMs.length / (total / 1000) : null,
  };
}

/** Equal-width histogram of latencies for the report: `bins` buckets from 0 to the maximum. */
export function latencyHistogram(latenciesMs: readonly number[], bins = 20): { readonly from: number; readonly to: number; readonly count: number }[] {
  if (latenciesMs.length === 0) return [];
  const max = Math.max(...latenciesMs);
  const width = max > 0 ? max / bins : 1;
  const counts = new Array<number>(bins).fill(0);
  for (const value of latenciesMs) counts[Math.min(bins - 1, Math.floor(value / width))]!++;
  return counts.map((count, i) => ({ from: i * width, to: (i + 1) * width, count }));
}
