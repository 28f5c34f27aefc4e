import { answerTokens, containsNormalized, normalizeAnswer, stripCitationMarkers } from './normalize.js';

/**
 * SQuAD exact match: 1 when the normalised prediction equals the normalised form of any accepted
 * answer, else 0. A missing prediction (`null`, e.g. after abstaining) scores 0.
 */
export function exactMatch(prediction: string | null, answers: readonly string[]): number {
  if (prediction === null) return 0;
  const predicted = normalizeAnswer(prediction);
  return answers.some((answer) => normalizeAnswer(answer) === predicted) ? 1 : 0;
}

/** SQuAD token F1 of a prediction against one answer: harmonic mean of token precision and recall (bag of tokens). */
export function tokenF1Single(prediction: string, answer: string): number {
  const predicted = answerTokens(prediction);
  const gold = answerTokens(answer);
  const counts = new Map<string, number>();
  for (const token of gold) counts.set(token, (counts.get(token) ?? 0) + 1);
  let same = 0;
  for (const token of predicted) {
    const left = counts.get(token) ?? 0;
    if (left > 0) {
      same++;
      counts.set(token, left - 1);
    }
  }
  if (same === 0) return 0;
  const precision = same / predicted.length;
  const recall = same / gold.length;
  return (2 * precision * recall) / (precision + recall);
}

/** SQuAD token F1: the best {@link tokenF1Single} over the accepted answers; `null` prediction scores 0. */
export function tokenF1(prediction: string | null, answers: readonly string[]): number {
  if (prediction === null) return 0;
  let best = 0;
  for (const answer of answers) best = Math.max(best, tokenF1Single(prediction, answer));
  return best;
}

/**
 * "Answer contained": some accepted answer occurs, as a run of whole normalised tokens, in the answer
 * text (citation markers removed first).
 */
export function answerContained(answerText: string, answers: readonly string[]): boolean {
  const text = stripCitationMarkers(answerText);
  return answers.some((answer) => containsNormalized(text, answer));
}
