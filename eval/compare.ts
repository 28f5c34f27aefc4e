import { flatMetrics, LOWER_IS_BETTER, METRIC_NAMES, summarizeScores, type EvalSummary, type MetricName } from './metrics/summarize.js';
import { alignColumns, formatMetric, METRIC_LABELS } from './report/format.js';
import type { EvalResultLine } from './run-eval.js';

/** One metric in both runs. */
export interface MetricDelta {
  readonly metric: MetricName;
  readonly a: number | null;
  readonly b: number | null;
  /** `b - a`; `null` when either side is missing. */
  readonly delta: number | null;
}

/** A question whose right/wrong verdict differs between the runs. */
export interface FlippedQuestion {
  readonly id: string;
  readonly question: string;
  readonly type: string;
  readonly shortAnswerA: string | null;
  readonly shortAnswerB: string | null;
  readonly gold: readonly string[];
}

/** The difference between two result files. */
export interface Comparison {
  readonly summaryA: EvalSummary;
  readonly summaryB: EvalSummary;
  readonly metrics: readonly MetricDelta[];
  /** Right in A, wrong in B: regressions. */
  readonly rightToWrong: readonly FlippedQuestion[];
  /** Wrong in A, right in B: improvements. */
  readonly wrongToRight: readonly FlippedQuestion[];
  /** Ids only one file has; their scores still count in that file's summary. */
  readonly onlyInA: readonly string[];
  readonly onlyInB: readonly string[];
}

/**
 * The verdict questions are matched on: `shownAnswerRight` (what the user saw was right) when both files carry it,
 * else the legacy `correct`, so a file written before the short answer was judged still compares.
 */
function verdictOf(a: readonly EvalResultLine[], b: readonly EvalResultLine[]): (r: EvalResultLine) => boolean {
  const judged = [...a, ...b].every((r) => r.scores.shownAnswerRight !== undefined);
  return judged ? (r) => r.scores.shownAnswerRight === true : (r) => r.scores.correct;
}

/**
 * Compares two runs from their result lines: every metric recomputed from the stored per-question scores
 * (so both sides are computed by the same code), and the questions matched by id whose right/wrong verdict
 * flipped (`shownAnswerRight`, or `correct` when either file predates it).
 */
export function compareResults(a: readonly EvalResultLine[], b: readonly EvalResultLine[]): Comparison {
  const right = verdictOf(a, b);
  const summaryA = summarizeScores(a.map((r) => r.scores));
  const summaryB = summarizeScores(b.map((r) => r.scores));
  const ma = flatMetrics(summaryA);
  const mb = flatMetrics(summaryB);
  const metrics = METRIC_NAMES.map((metric) => {
    const va = ma[metric];
    const vb = mb[metric];
    return { metric, a: va, b: vb, delta: va === null || vb === null ? null : vb - va };
  });
  const byIdB = new Map(b.map((r) => [r.id ?? r.question, r]));
  const idsA = new Set(a.map((r) => r.id ?? r.question));
  const rightToWrong: FlippedQuestion[] = [];
  const wrongToRight: FlippedQuestion[] = [];
  for (const ra of a) {
    const id = ra.id ?? ra.question;
    const rb = byIdB.get(id);
    if (!rb || right(ra) === right(rb)) continue;
    const flipped: FlippedQuestion = { id, question: ra.question, type: ra.scores.type, shortAnswerA: ra.shortAnswer, shortAnswerB: rb.shortAnswer, gold: ra.gold.answers };
    (right(ra) ? rightToWrong : wrongToRight).push(flipped);
  }
  return {
    summaryA,
    summaryB,
    metrics,
    rightToWrong,
    wrongToRight,
    onlyInA: [...idsA].filter((id) => !byIdB.has(id)),
    onlyInB: [...byIdB.keys()].filter((id) => !idsA.has(id)),
  };
}

function signed(metric: MetricName, delta: number | null): string {
  if (delta === null) return 'n/a';
  const text = formatMetric(metric, Math.abs(delta));
  if (Number(text) === 0) return `±${text}`;
  const better = LOWER_IS_BETTER.has(metric) ? delta < 0 : delta > 0;
  return `${delta > 0 ? '+' : '−'}${text} ${better ? '▲' : '▼'}`;
}

function flipLine(f: FlippedQuestion): string {
  const show = (s: string | null) => (s === null ? '–' : JSON.stringify(s));
  return `  ${f.id} [${f.type}] ${f.question}\n      short answer ${show(f.shortAnswerA)} → ${show(f.shortAnswerB)}; gold ${f.gold.length ? f.gold.map((g) => JSON.stringify(g)).join(' | ') : '(unanswerable)'}`;
}

/** The comparison as text: a metric table (▲ better, ▼ worse) and the flipped questions. */
export function formatComparison(c: Comparison, labels: { a: string; b: string }): string {
  const rows: string[][] = [['metric', 'A', 'B', 'B − A']];
  for (const m of c.metrics) rows.push([METRIC_LABELS[m.metric], formatMetric(m.metric, m.a), formatMetric(m.metric, m.b), signed(m.metric, m.delta)]);
  const out = [`A = ${labels.a} (${c.summaryA.questions} questions)`, `B = ${labels.b} (${c.summaryB.questions} questions)`, '', alignColumns(rows), ''];
  out.push(`right → wrong: ${c.rightToWrong.length}`);
  for (const f of c.rightToWrong) out.push(flipLine(f));
  out.push(`wrong → right: ${c.wrongToRight.length}`);
  for (const f of c.wrongToRight) out.push(flipLine(f));
  if (c.onlyInA.length || c.onlyInB.length) out.push('', `only in A: ${c.onlyInA.length}, only in B: ${c.onlyInB.length} (not compared question by question)`);
  return `${out.join('\n')}\n`;
}
