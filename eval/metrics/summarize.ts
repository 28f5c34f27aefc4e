import { ABSTENTION_REASONS, type AbstentionReason } from '../../retrieval/types.js';
import { summarizeGeneration, type GenerationSummary } from './generation-metrics.js';
import { summarizeLatency, type LatencySummary } from './latency.js';
import { meanReciprocalRank, recallAtK } from './retrieval-metrics.js';
import { FAILURE_KINDS, RETRIEVAL_DEPTH, type FailureKind, type QuestionScores } from './score-question.js';

/** Equal-width confidence bins of the reliability diagrams: [0, 0.1), [0.1, 0.2), …, [0.9, 1]. */
export const CALIBRATION_BINS = 10;

/** Thresholds of the gate curve: 0.00, 0.05, …, 1.00. */
export const GATE_CURVE_THRESHOLDS: readonly number[] = Array.from({ length: 21 }, (_, i) => i / 20);

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
    /** Abstained unanswerable questions / abstentions: how often an abstention was called for. */
    readonly precision: number | null;
  };
  /** What a user experiences: the numbers to read first. */
  readonly headline: {
    /** Questions whose `shownAnswerRight` verdict is true / questions (answerable and unanswerable). */
    readonly shownAnswerRight: number | null;
    /** Same as `abstention.recall`. */
    readonly abstentionRecall: number | null;
    /** Same as `abstention.falseAbstentionRate`. */
    readonly falseAbstentionRate: number | null;
  };
  /** The short answers the page showed in bold as the answer (`shortAnswerShown`). */
  readonly shortAnswers: {
    /** Questions (answerable or not) where one was shown. */
    readonly shown: number;
    /** Answerable questions where one was shown. */
    readonly shownAnswerable: number;
    /** Of those, how many were right (`shortAnswerRight`; one shown on an unanswerable question is wrong). */
    readonly right: number;
    /** right / shown. */
    readonly precision: number | null;
    /** Shown short answers that match an accepted answer exactly (SQuAD EM) / shown. */
    readonly exactMatchPrecision: number | null;
    /** Answerable questions with a short answer shown / answerable questions. */
    readonly coverage: number | null;
  };
  readonly latency: LatencySummary;
  /** Share of questions whose legacy `correct` verdict is true (ignores what the short answer said). */
  readonly correct: number | null;
  /** Wrong questions by first cause. */
  readonly failures: Readonly<Record<FailureKind, number>>;
  /** Generated answers (`--answerer generative`) only: verification, invented facts, fallbacks and speed. */
  readonly generation?: GenerationSummary;
}

/** One equal-width bin of a reliability diagram. */
export interface CalibrationBin {
  /** Lower edge (inclusive). */
  readonly from: number;
  /** Upper edge (exclusive, except 1 in the last bin). */
  readonly to: number;
  readonly count: number;
  /** Mean confidence of the bin's questions; `null` when empty. */
  readonly meanConfidence: number | null;
  /** Share of the bin's questions whose label is right; `null` when empty. */
  readonly accuracy: number | null;
}

/** How well one confidence matches how often it is right. */
export interface CalibrationSummary {
  /** Questions counted (those with both a confidence and a label). */
  readonly questions: number;
  readonly bins: readonly CalibrationBin[];
  /** Expected calibration error: Σ over bins of (count / questions) · |accuracy − mean confidence|; `null` with no questions. */
  readonly expectedCalibrationError: number | null;
}

/** The abstention gate at one threshold on `confidence.answer`: abstain when the confidence is below it. */
export interface GateCurvePoint {
  readonly threshold: number;
  /** Unanswerable questions with confidence below the threshold / unanswerable questions. */
  readonly abstentionRecall: number | null;
  /** Answerable questions with confidence below the threshold / answerable questions. */
  readonly falseAbstentionRate: number | null;
  /** Unanswerable questions below the threshold / questions below it. */
  readonly abstentionPrecision: number | null;
}

/** Metrics of a whole run and per question type. */
export interface EvalSummary extends SliceSummary {
  /** Reliability of the two calibrated confidences (run-level only). */
  readonly calibration: {
    /** `confidence.answer` against "a cited quote contains an accepted answer", over answered questions (answered unanswerable ones count as wrong). */
    readonly answer: CalibrationSummary;
    /** `confidence.shortAnswer` against `shortAnswerRight`, over questions with a short answer (on unanswerable ones it is wrong). */
    readonly shortAnswer: CalibrationSummary;
  };
  /** Each reason's abstentions on answerable questions (false abstentions) and on unanswerable ones (correct abstentions). */
  readonly abstentionReasons: Readonly<Record<AbstentionReason, { readonly falseAbstentions: number; readonly correctAbstentions: number }>>;
  /** Abstention recall, false abstention and precision if the gate's threshold were each of {@link GATE_CURVE_THRESHOLDS}. */
  readonly gateCurve: readonly GateCurvePoint[];
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
  const judged = scores.filter((s) => s.shownAnswerRight !== undefined);
  const shown = scores.filter((s) => s.shortAnswerShown === true);
  const shownRight = shown.filter((s) => s.shortAnswerRight === true).length;
  const abstentions = scores.filter((s) => s.abstained);
  const abstentionRecall = share(unanswerable.map((s) => s.abstained));
  const falseAbstentionRate = share(answerable.map((s) => s.abstained));
  const answerableWithShown = answerable.filter((s) => s.shortAnswerShown !== undefined);
  const generation = summarizeGeneration(scores.map((s) => s.generation));
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
      recall: abstentionRecall,
      falseAbstentionRate,
      precision: ratio(abstentions.filter((s) => !s.answerable).length, abstentions.length),
    },
    headline: {
      shownAnswerRight: share(judged.map((s) => s.shownAnswerRight === true)),
      abstentionRecall,
      falseAbstentionRate,
    },
    shortAnswers: {
      shown: shown.length,
      shownAnswerable: shown.filter((s) => s.answerable).length,
      right: shownRight,
      precision: ratio(shownRight, shown.length),
      exactMatchPrecision: ratio(shown.filter((s) => s.exactMatch === 1).length, shown.length),
      coverage: ratio(shown.filter((s) => s.answerable).length, answerableWithShown.length),
    },
    latency: summarizeLatency(scores.map((s) => s.latencyMs)),
    correct: share(scores.map((s) => s.correct)),
    failures: Object.fromEntries(FAILURE_KINDS.map((kind) => [kind, scores.filter((s) => s.failure === kind).length])) as Record<FailureKind, number>,
    ...(generation ? { generation } : {}),
  };
}

/** Reliability of a confidence: equal-width bins of (confidence, right) pairs and their expected calibration error. */
export function calibrate(pairs: readonly { readonly confidence: number; readonly right: boolean }[], bins = CALIBRATION_BINS): CalibrationSummary {
  const groups = Array.from({ length: bins }, () => ({ count: 0, confidence: 0, right: 0 }));
  for (const { confidence, right } of pairs) {
    const bin = groups[Math.min(bins - 1, Math.max(0, Math.floor(confidence * bins)))]!;
    bin.count++;
    bin.confidence += confidence;
    bin.right += right ? 1 : 0;
  }
  let ece = 0;
  const summary = groups.map((g, i) => {
    const meanConfidence = g.count ? g.confidence / g.count : null;
    const accuracy = g.count ? g.right / g.count : null;
    if (meanConfidence !== null && accuracy !== null) ece += (g.count / pairs.length) * Math.abs(accuracy - meanConfidence);
    return { from: i / bins, to: (i + 1) / bins, count: g.count, meanConfidence, accuracy };
  });
  return { questions: pairs.length, bins: summary, expectedCalibrationError: pairs.length ? ece : null };
}

/** The gate curve: at each threshold, what abstaining below it on `confidence.answer` would give (questions without a confidence are left out). */
export function gateCurve(scores: readonly QuestionScores[], thresholds: readonly number[] = GATE_CURVE_THRESHOLDS): GateCurvePoint[] {
  const rated = scores.filter((s) => s.confidence !== undefined);
  const answerable = rated.filter((s) => s.answerable);
  const unanswerable = rated.filter((s) => !s.answerable);
  return thresholds.map((threshold) => {
    const below = (s: QuestionScores) => s.confidence!.answer < threshold;
    const caught = unanswerable.filter(below).length;
    const lost = answerable.filter(below).length;
    return {
      threshold,
      abstentionRecall: ratio(caught, unanswerable.length),
      falseAbstentionRate: ratio(lost, answerable.length),
      abstentionPrecision: ratio(caught, caught + lost),
    };
  });
}

function calibrationOf(scores: readonly QuestionScores[]): EvalSummary['calibration'] {
  const answer: { confidence: number; right: boolean }[] = [];
  const shortAnswer: { confidence: number; right: boolean }[] = [];
  for (const s of scores) {
    if (!s.confidence) continue;
    if (!s.abstained) answer.push({ confidence: s.confidence.answer, right: s.answerable && s.supported === true });
    if (s.hasShortAnswer) shortAnswer.push({ confidence: s.confidence.shortAnswer, right: s.answerable && s.shortAnswerRight === true });
  }
  return { answer: calibrate(answer), shortAnswer: calibrate(shortAnswer) };
}

function abstentionReasonsOf(scores: readonly QuestionScores[]): EvalSummary['abstentionReasons'] {
  const counts = Object.fromEntries(ABSTENTION_REASONS.map((r) => [r, { falseAbstentions: 0, correctAbstentions: 0 }])) as Record<AbstentionReason, { falseAbstentions: number; correctAbstentions: number }>;
  for (const s of scores) {
    const row = s.abstained && s.abstentionReason ? counts[s.abstentionReason] : undefined;
    if (!row) continue;
    if (s.answerable) row.falseAbstentions++;
    else row.correctAbstentions++;
  }
  return counts;
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
  return { ...summarizeSlice(scores), calibration: calibrationOf(scores), abstentionReasons: abstentionReasonsOf(scores), gateCurve: gateCurve(scores), byType };
}

/** The flat metric names used by targets, the terminal table and comparisons; the headline first. */
export const METRIC_NAMES = [
  'shownAnswerRight',
  'abstentionRecall',
  'falseAbstentionRate',
  'shortAnswerPrecision',
  'shortAnswerCoverage',
  'shortAnswerExactMatchPrecision',
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
  'abstentionPrecision',
  'expectedCalibrationError',
  'shortAnswerCalibrationError',
  'correct',
  'latencyP50Ms',
  'latencyP95Ms',
  'latencyMaxMs',
  'questionsPerSecond',
] as const;

/** One of {@link METRIC_NAMES}. */
export type MetricName = (typeof METRIC_NAMES)[number];

/** Metrics where a lower value is better (for arrows in comparisons). */
export const LOWER_IS_BETTER: ReadonlySet<MetricName> = new Set(['falseAbstentionRate', 'expectedCalibrationError', 'shortAnswerCalibrationError', 'latencyP50Ms', 'latencyP95Ms', 'latencyMaxMs']);

/** The slice's metrics under their flat names; the calibration errors are run-level, `null` for a type's slice. */
export function flatMetrics(summary: SliceSummary & Partial<Pick<EvalSummary, 'calibration'>>): Record<MetricName, number | null> {
  return {
    shownAnswerRight: summary.headline.shownAnswerRight,
    shortAnswerPrecision: summary.shortAnswers.precision,
    shortAnswerCoverage: summary.shortAnswers.coverage,
    shortAnswerExactMatchPrecision: summary.shortAnswers.exactMatchPrecision,
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
    abstentionPrecision: summary.abstention.precision,
    expectedCalibrationError: summary.calibration?.answer.expectedCalibrationError ?? null,
    shortAnswerCalibrationError: summary.calibration?.shortAnswer.expectedCalibrationError ?? null,
    correct: summary.correct,
    latencyP50Ms: summary.latency.p50Ms,
    latencyP95Ms: summary.latency.p95Ms,
    latencyMaxMs: summary.latency.maxMs,
    questionsPerSecond: summary.latency.questionsPerSecond,
  };
}
