import { GATE_FEATURES, type GateFeature, type GateModel } from '../../retrieval/answer/evidence-gate.js';
import { SHORT_ANSWER_CONFIDENCE_FEATURES, SHORT_ANSWER_FEATURES, shortAnswerConfidenceFeatures, type ChosenCandidate, type ShortAnswerConfidenceFeature, type ShortAnswerFeature, type ShortAnswerModel } from '../../retrieval/answer/short-answer-choice.js';
import { combine, logistic, type LinearModel } from '../../retrieval/answer/weighted-features.js';
import type { AnswerTrace } from '../../retrieval/types.js';
import { tokenF1 } from '../metrics/answer-metrics.js';
import { citationSupports } from '../metrics/citation-metrics.js';
import type { TrainingRow } from './logistic-regression.js';

/** Token F1 at or above which a short answer counts as right (the eval's definition). */
export const RIGHT_SHORT_ANSWER_F1 = 0.5;

/** What a training row is read from: a result line asked with `explain`, with its gold side. */
export interface TracedResult {
  readonly id?: string;
  readonly abstained: boolean;
  readonly citations: readonly { readonly quote: string }[];
  readonly trace?: AnswerTrace;
  readonly gold: { readonly answers: readonly string[]; readonly answerable: boolean };
}

function pick<K extends string>(names: readonly K[], values: Readonly<Record<string, number>>): Record<K, number> {
  return Object.fromEntries(names.map((n) => [n, values[n] ?? 0])) as Record<K, number>;
}

/** The gate's probability for a traced result under `gate` (a newly fitted model), 0 when it never reached the gate. */
export function gateProbabilityOf(result: TracedResult, gate: LinearModel<GateFeature>): number {
  return result.trace ? logistic(combine(pick(GATE_FEATURES, result.trace.gate.features), gate)) : 0;
}

/**
 * Gate rows: the gate's features of every question that reached the gate, labelled 1 when the quoted sentences
 * hold an accepted answer (0 for an answerable question quoted wrongly and for every unanswerable one). The results
 * must come from a run whose gate answered everything (threshold 0), so each answerable question has quotes to judge.
 */
export function gateRows(results: readonly TracedResult[], weightOf: (result: TracedResult) => number = () => 1): TrainingRow<GateFeature>[] {
  const rows: TrainingRow<GateFeature>[] = [];
  for (const r of results) {
    if (!r.trace) continue;
    const right = r.gold.answerable && !r.abstained && r.citations.some((c) => citationSupports({ ...c, n: 0, docId: '', start: 0, end: 0 }, r.gold.answers));
    rows.push({ features: pick(GATE_FEATURES, r.trace.gate.features), label: right ? 1 : 0, weight: weightOf(r) });
  }
  return rows;
}

/**
 * Short-answer rows: every traced candidate of every answered answerable question, labelled 1 when its token F1
 * against an accepted answer reaches {@link RIGHT_SHORT_ANSWER_F1}. Its `gateProbability` is recomputed under
 * `gate`, the newly fitted gate, since the run that traced it used another one.
 */
export function shortAnswerRows(results: readonly TracedResult[], gate: GateModel): TrainingRow<ShortAnswerFeature>[] {
  const rows: TrainingRow<ShortAnswerFeature>[] = [];
  for (const r of results) {
    if (!r.trace || r.abstained || !r.gold.answerable) continue;
    const gateProbability = gateProbabilityOf(r, gate);
    for (const candidate of r.trace.shortAnswers) {
      const features = { ...pick(SHORT_ANSWER_FEATURES, candidate.features), gateProbability };
      rows.push({ features, label: tokenF1(candidate.text, r.gold.answers) >= RIGHT_SHORT_ANSWER_F1 ? 1 : 0 });
    }
  }
  return rows;
}

/** Mean feature values of the rows labelled 1: what a right answer typically looks like (for the gate's reasons). */
export function meanOfPositives<K extends string>(rows: readonly TrainingRow<K>[], names: readonly K[]): Record<K, number> {
  const positives = rows.filter((r) => r.label === 1);
  return Object.fromEntries(names.map((n) => [n, positives.length === 0 ? 0 : positives.reduce((s, r) => s + (r.features[n] ?? 0), 0) / positives.length])) as Record<K, number>;
}

/** The traced candidates of an answered question re-ranked under a new gate and choice model, best first. */
export function rerankTracedCandidates(result: TracedResult, gate: GateModel, choice: ShortAnswerModel): (Omit<ChosenCandidate, 'candidate'> & { readonly text: string })[] {
  if (!result.trace) return [];
  const gateProbability = gateProbabilityOf(result, gate);
  return result.trace.shortAnswers
    .map((c) => {
      const features = { ...pick(SHORT_ANSWER_FEATURES, c.features), gateProbability };
      const score = combine(features, choice);
      return { text: c.text, features, score, probability: logistic(score) };
    })
    .sort((a, b) => b.score - a.score);
}

/**
 * Short-answer confidence rows: the chosen (top re-ranked) answer of every answered answerable question the new gate
 * lets through, labelled by whether it is right.
 */
export function shortAnswerConfidenceRows(results: readonly TracedResult[], gate: GateModel, choice: ShortAnswerModel): TrainingRow<ShortAnswerConfidenceFeature>[] {
  const rows: TrainingRow<ShortAnswerConfidenceFeature>[] = [];
  for (const r of results) {
    if (!r.trace || r.abstained || !r.gold.answerable) continue;
    if (gateProbabilityOf(r, gate) < gate.threshold) continue;
    const ranked = rerankTracedCandidates(r, gate, choice);
    const features = shortAnswerConfidenceFeatures(ranked);
    if (!features) continue;
    rows.push({ features: pick(SHORT_ANSWER_CONFIDENCE_FEATURES, features), label: tokenF1(ranked[0]!.text, r.gold.answers) >= RIGHT_SHORT_ANSWER_F1 ? 1 : 0 });
  }
  return rows;
}
