/**
 * How an answer's calibrated confidence is shown (the chat page and `npm run ask` word it the same way), and the
 * one rule for when the short answer may lead. Pure functions of the result, no DOM.
 */
import type { AskResult } from '../../retrieval/types.js';

/** The fields of a result these helpers read. */
type Scored = Pick<AskResult, 'abstained' | 'shortAnswer' | 'shortAnswerConfident' | 'confidence'>;

/**
 * A probability as a whole percentage. Strictly between 0 and 1 it stays within 1–99%, so a rounded 0.997 never
 * reads as a certain "100%" and a small 0.004 never as an impossible "0%".
 */
export function percent(probability: number): string {
  if (!Number.isFinite(probability)) return '?%';
  const p = Math.min(1, Math.max(0, probability));
  const rounded = Math.round(p * 100);
  return `${p > 0 && p < 1 ? Math.min(99, Math.max(1, rounded)) : rounded}%`;
}

/** The short answer to put first, or null: only a confident one on an answered question is shown as the answer. */
export function leadingShortAnswer(result: Scored): string | null {
  return !result.abstained && result.shortAnswerConfident && result.shortAnswer ? result.shortAnswer : null;
}

/** What the confidence label says, and what it means in full (the tooltip and the screen-reader text). */
export interface ConfidenceLabel {
  /** Short and visible, e.g. "Confidence 94% · short answer 87%". */
  readonly text: string;
  /** One sentence saying what the percentages promise. */
  readonly explanation: string;
}

/**
 * The label of an answer's confidence. The percentages are calibrated, so the explanation says exactly what they
 * promise: of answers given with this confidence, about that share are right.
 */
export function confidenceLabel(result: Scored): ConfidenceLabel {
  const answer = percent(result.confidence.answer);
  if (result.abstained && result.confidence.answer === 0) {
    // Abstentions decided before any sentence was scored (nothing to look for, no passage shares a word).
    return { text: 'Confidence 0%: no evidence to weigh', explanation: 'No retrieved sentence could be weighed as an answer.' };
  }
  if (result.abstained) {
    return {
      text: `Confidence ${answer}, too low to answer`,
      explanation: `The evidence scored ${answer}: of answers given with this confidence, about ${answer} are right, which is below what answering needs.`,
    };
  }
  const short = leadingShortAnswer(result);
  if (short !== null) {
    const shortPercent = percent(result.confidence.shortAnswer);
    return {
      text: `Confidence ${answer} · short answer ${shortPercent}`,
      explanation: `Of answers given with this confidence, about this share are right: ${answer} for the quoted sentences, ${shortPercent} for the short answer.`,
    };
  }
  return {
    text: `Confidence ${answer}`,
    explanation: `Of answers given with this confidence, about ${answer} are right (that the quoted sentences hold the answer).`,
  };
}

/** What retrieval searched with, when it is not the question as asked (a follow-up read against the conversation). */
export function searchedFor(result: Pick<AskResult, 'question' | 'retrievalQuery'>): string | null {
  const query = result.retrievalQuery?.trim();
  return query && query !== result.question.trim() ? query : null;
}
