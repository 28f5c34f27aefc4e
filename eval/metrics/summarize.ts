import { summarizeLatency, type LatencySummary } from './latency.js';
import { meanReciprocalRank, recallAtK } from './retrieval-metrics.js';
import { FAILURE_KINDS, RETRIEVAL_DEPTH, type FailureKind, type QuestionScores } from './score-question.js';

/** Metrics of one slice of questions (all of them, or one question type). */
export interface SliceSummary {
  readonly questions: number;
  readonly answerable: number;
  readonly unanswerable: number;
  readonly retrieval: {
    readonly depth: number;
    readonly recallAt1: number | null;
    readonly recallAt5: number | null;
    readonly recallAt10: number | null;
    readonly mrr: number | null;
  };
  readonly answers: { readonly exactMatch: number | null; readonly f1: number | null; readonly answerContained: number | null };
  readonly citations: {
    readonly total: number;
    /** Valid citations / all citations (every question). */
    readonly validity: number | null;
    /** Answerable questions with an accepted answer inside a cited quote / answerable questions. */
    readonly support: number | null;
    /** Precise citations / citations, over answerable questions. */
    readonly precision: number | null;
    readonly danglingMarkers: number;
  };
  readonly abstention: {
    /** Abstained unanswerable questions / unanswerable questions. */
    readonly recall: number | null;
    /** Abstained answerable questions / answerable questions. */
    readonly falseAbstentionRate: number | null;
  };
  readonly latency: LatencySummary;
  /** Share of questions whose `correct` verdict is true. */
  readonly correct: number | null;
  /** Wrong questions by first cause. */
  readonly failures: Readonly<Record<FailureKind, number>>;
}

/** Metrics of a whole run and per question type. */
export interface EvalSummary extends SliceSummary {
  readonly byType: Readonly<Record<string, SliceSummary>>;
}

function mean(values: readonly number[]): number | null {
  return values.length === 0 ? null : values.reduce((a, b) => a + b, 0) / values.length;
}

function share(flags: readonly boolean[]): number | null {
  return flags.length === 0 ? null : flags.filter(Boolean).length / flags.length;
}

function ratio(numerator: number, denominator: number): number | null {
  return denominator === 0 ? null : numerator / denominator;
}

/** Aggregates per-question scores into one slice's metrics; `null` where a metric has no questions to count. */
export function summarizeSlice(scores: readonly QuestionScores[]): SliceSummary {
  const answerable = scores.filter((s) => s.answerable);
  const unanswerable = scores.filter((s) => !s.answerable);
  const ranks = answerable.map((s) => s.retrievalRank);
  const totalCitations = scores.reduce((n, s) => n + s.citations, 0);
  const answerableCitations = answerable.reduce((n, s) => n + s.citations, 0);
  return {
    questions: scores.length,
    answerable: answerable.length,
    unanswerable: unanswerable.length,
    retrieval: {
      depth: RETRIEVAL_DEPTH,
      recallAt1: recallAtK(ranks, 1),
      recallAt5: recallAtK(ranks, 5),
      recallAt10: recallAtK(ranks, 10),
      mrr: meanReciprocalRank(ranks),
    },
    answers: {
      exactMatch: mean(answerable.map((s) => s.exactMatch ?? 0)),
      f1: mean(answerable.map((s) => s.f1 ?? 0)),
      answerContained: share(answerable.map((s) => s.answerContained === true)),
    },
    citations: {
      total: totalCitations,
      validity: ratio(scores.reduce((n, s) => n + s.validCitations, 0), totalCitations),
      support: share(answerable.map((s) => s.supported === true)),
      precision: ratio(answerable.reduce((n, s) => n + (s.preciseCitations ?? 0), 0), answerableCitations),
      danglingMarkers: scores.reduce((n, s) => n + s.danglingMarkers, 0),
    },
    abstention: {
      recall: share(unanswerable.map((s) => s.abstained)),
      falseAbstentionRate: share(answerable.map((s) => s.abstained)),
    },
    latency: summarizeLatency(scores.map((s) => s.latencyMs)),
    correct: share(scores.map((s) => s.correct)),
    failures: Object.fromEntries(FAILURE_KINDS.map((kind) => [kind, scores.filter((s) => s.failure === kind).length])) as Record<FailureKind, number>,
  };
}

/** Aggregates per-question scores into the run summary, with a slice per question type (sorted by name). */
export function summarizeScores(scores: readonly QuestionScores[]): EvalSummary {
  const groups = new Map<string, QuestionScores[]>();
  for (const s of scores) {
    const list = groups.get(s.type) ?? [];
    list.push(s);
    groups.set(s.type, list);
  }
  const byType: Record<string, SliceSummary> = {};
  for (const type of [...groups.keys()].sort()) byType[type] = summarizeSlice(groups.get(type)!);
  return { ...summarizeSlice(scores), byType };
}

/** The flat metric names used by targets, the terminal table and comparisons. */
export const METRIC_NAMES = [
  'recallAt1',
  'recallAt5',
  'recallAt10',
  'mrr',
  'exactMatch',
  'f1',
  'answerContained',
  'citationValidity',
  'citationSupport',
  'citationPrecision',
  'abstentionRecall',
  'falseAbstentionRate',
  'correct',
  'latencyP50Ms',
  'latencyP95Ms',
  'latencyMaxMs',
  'questionsPerSecond',
] as const;

/** One of {@link METRIC_NAMES}. */
export type MetricName = (typeof METRIC_NAMES)[number];

/** Metrics where a lower value is better (for arrows in comparisons). */
export const LOWER_IS_BETTER: ReadonlySet<MetricName> = new Set(['falseAbstentionRate', 'latencyP50Ms', 'latencyP95Ms', 'latencyMaxMs']);

/** The slice's metrics under their flat names. */
export function flatMetrics(summary: SliceSummary): Record<MetricName, number | null> {
  return {
    recallAt1: summary.retrieval.recallAt1,
    recallAt5: summary.retrieval.recallAt5,
    recallAt10: summary.retrieval.recallAt10,
    mrr: summary.retrieval.mrr,
    exactMatch: summary.answers.exactMatch,
    f1: summary.answers.f1,
    answerContained: summary.answers.answerContained,
    citationValidity: summary.citations.validity,
    citationSupport: summary.citations.support,
    citationPrecision: summary.citations.precision,
    abstentionRecall: summary.abstention.recall,
    falseAbstentionRate: summary.abstention.falseAbstentionRate,
    correct: summary.correct,
    latencyP50Ms: summary.latency.p50Ms,
    latencyP95Ms: summary.latency.p95Ms,
    latencyMaxMs: summary.latency.maxMs,
    questionsPerSecond: summary.latency.questionsPerSecond,
  };
}
