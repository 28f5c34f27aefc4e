import type { MetricName } from '../metrics/summarize.js';

/** Human labels of the flat metrics, shared by the terminal table, HTML report and comparisons. */
export const METRIC_LABELS: Readonly<Record<MetricName, string>> = {
  shownAnswerRight: 'shown answer right',
  abstentionRecall: 'abstention recall',
  falseAbstentionRate: 'false abstention rate',
  shortAnswerPrecision: 'short answer precision',
  shortAnswerCoverage: 'short answer coverage',
  shortAnswerExactMatchPrecision: 'short answer exact precision',
  recallAt1: 'retrieval recall@1',
  recallAt5: 'retrieval recall@5',
  recallAt10: 'retrieval recall@10',
  mrr: 'retrieval MRR',
  exactMatch: 'short answer exact match',
  f1: 'short answer F1',
  answerContained: 'answer contained',
  citationValidity: 'citation validity',
  citationSupport: 'citation support',
  citationPrecision: 'citation precision',
  abstentionPrecision: 'abstention precision',
  expectedCalibrationError: 'answer calibration error (ECE)',
  shortAnswerCalibrationError: 'short answer calibration error (ECE)',
  correct: 'legacy "correct" (ignores short answer)',
  latencyP50Ms: 'latency p50 (ms)',
  latencyP95Ms: 'latency p95 (ms)',
  latencyMaxMs: 'latency max (ms)',
  questionsPerSecond: 'questions / s',
};

/** Formats a metric value: ratios with 3 decimals, milliseconds with 1, rates with 1; `n/a` for null. */
export function formatMetric(metric: MetricName, value: number | null): string {
  if (value === null) return 'n/a';
  if (metric.endsWith('Ms') || metric === 'questionsPerSecond') return value.toFixed(1);
  return value.toFixed(3);
}

/** Formats a ratio-or-null with 3 decimals. */
export function formatRatio(value: number | null): string {
  return value === null ? 'n/a' : value.toFixed(3);
}

/** Pads cells into aligned columns (first column left-aligned, the rest right-aligned). */
export function alignColumns(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, [...cell].length)));
  return rows
    .map((row) => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ').trimEnd())
    .join('\n');
}
