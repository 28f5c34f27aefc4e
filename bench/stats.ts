/**
 * Latency summaries and the small formatting helpers every benchmark table uses.
 */
import { percentile as nearestRank } from '../eval/metrics/latency.js';

/** Nearest-rank percentile, as the eval harness computes it (`eval/metrics/latency.ts`); NaN for no values. */
export function percentile(values: readonly number[], p: number): number {
  return nearestRank(values, p) ?? Number.NaN;
}

/** Distribution of a set of timings, in milliseconds. */
export interface Summary {
  readonly count: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
  readonly mean: number;
}

/** Summarises timings (milliseconds). */
export function summarize(values: readonly number[]): Summary {
  const mean = values.length ? values.reduce((a, b) => a + b, 0) / values.length : Number.NaN;
  return {
    count: values.length,
    p50: percentile(values, 50),
    p95: percentile(values, 95),
    p99: percentile(values, 99),
    max: values.length ? Math.max(...values) : Number.NaN,
    mean,
  };
}

/** The median, for repeated whole-run timings. */
export const median = (values: readonly number[]): number => percentile(values, 50);

/** The median of repeated whole-run figures and their range. */
export interface Spread {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  /** The figures, in the order they were measured. */
  readonly runs: readonly number[];
}

/** Median and range of repeated whole-run figures; NaN for none. */
export function spread(values: readonly number[]): Spread {
  return { median: median(values), min: values.length ? Math.min(...values) : Number.NaN, max: values.length ? Math.max(...values) : Number.NaN, runs: [...values] };
}

/** `12.3 (11.0–13.1)`: the median and, in brackets, the range, each formatted by `format`. */
export function spreadText(value: Spread, format: (n: number) => string): string {
  return value.runs.length > 1 ? `${format(value.median)} (${format(value.min)}–${format(value.max)})` : format(value.median);
}

/** Milliseconds with a precision that suits their size: `0.042`, `1.27`, `48.3`, `1234`. */
export function ms(value: number): string {
  if (!Number.isFinite(value)) return '–';
  const abs = Math.abs(value);
  if (abs >= 100) return value.toFixed(0);
  if (abs >= 10) return value.toFixed(1);
  if (abs >= 1) return value.toFixed(2);
  return value.toFixed(3);
}

/** A ratio as `×1.23`; `–` when undefined. */
export function times(value: number): string {
  if (!Number.isFinite(value)) return '–';
  return `×${value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2)}`;
}

/** Bytes as B / KiB / MiB / GiB. */
export function bytes(value: number): string {
  if (!Number.isFinite(value)) return '–';
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let v = value;
  let unit = 0;
  while (Math.abs(v) >= 1024 && unit < units.length - 1) {
    v /= 1024;
    unit++;
  }
  return `${unit === 0 ? v.toFixed(0) : v.toFixed(v >= 100 ? 0 : 1)} ${units[unit]}`;
}

/** `Date.now()`-free high-resolution stopwatch: `const stop = stopwatch(); ...; stop()` gives milliseconds. */
export function stopwatch(): () => number {
  const start = performance.now();
  return () => performance.now() - start;
}
