/** Candidate thresholds: 0.01 … 0.99. */
const GRID = Array.from({ length: 99 }, (_, i) => (i + 1) / 100);

/** A probability with whether the question it scores should be answered. */
export interface ScoredQuestion {
  readonly probability: number;
  readonly answerable: boolean;
}

/** What one gate threshold does on a set of questions. */
export interface GateOperatingPoint {
  readonly threshold: number;
  /** Unanswerable questions abstained on / unanswerable questions. */
  readonly abstentionRecall: number;
  /** Answerable questions abstained on / answerable questions. */
  readonly falseAbstention: number;
}

/**
 * The gate threshold minimising `falseAbstentionCost × false abstention + (1 − abstention recall)` on the training
 * questions: a missed answer costs more than an answer to an unanswerable question, which still quotes its sources.
 * @param falseAbstentionCost how many missed abstentions one false abstention is worth. @default 2
 */
export function chooseGateThreshold(questions: readonly ScoredQuestion[], falseAbstentionCost = 2): GateOperatingPoint {
  const answerable = questions.filter((q) => q.answerable);
  const unanswerable = questions.filter((q) => !q.answerable);
  let best: GateOperatingPoint | null = null;
  let bestCost = Infinity;
  for (const threshold of GRID) {
    const falseAbstention = answerable.length === 0 ? 0 : answerable.filter((q) => q.probability < threshold).length / answerable.length;
    const abstentionRecall = unanswerable.length === 0 ? 1 : unanswerable.filter((q) => q.probability < threshold).length / unanswerable.length;
    const cost = falseAbstentionCost * falseAbstention + (1 - abstentionRecall);
    if (cost < bestCost - 1e-12) {
      bestCost = cost;
      best = { threshold, abstentionRecall, falseAbstention };
    }
  }
  return best!;
}

/** A short answer's probability and whether it was right. */
export interface ScoredShortAnswer {
  readonly probability: number;
  readonly right: boolean;
}

/** What one short-answer threshold does: share of shown answers that are right, and share of answers shown. */
export interface ShortAnswerOperatingPoint {
  readonly threshold: number;
  readonly precision: number;
  readonly coverage: number;
}

/**
 * The lowest short-answer threshold whose shown answers reach `minPrecision` on the training questions (the most
 * answers shown at that precision); the threshold of highest precision when none reaches it.
 */
export function chooseShortAnswerThreshold(answers: readonly ScoredShortAnswer[], minPrecision: number): ShortAnswerOperatingPoint {
  const points = GRID.map((threshold) => {
    const shown = answers.filter((a) => a.probability >= threshold);
    return { threshold, precision: shown.length === 0 ? 0 : shown.filter((a) => a.right).length / shown.length, coverage: answers.length === 0 ? 0 : shown.length / answers.length };
  });
  return points.find((p) => p.precision >= minPrecision && p.coverage > 0) ?? points.reduce((a, b) => (b.precision > a.precision ? b : a));
}
