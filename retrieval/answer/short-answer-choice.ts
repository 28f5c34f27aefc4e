import { classOfKind, type QuestionAnalysis } from './question-analysis.js';
import type { ScoredSentence } from './sentence-scoring.js';
import { CANDIDATE_FEATURES, type AnswerCandidate } from './short-answer.js';
import { combine, logistic, type LinearModel } from './weighted-features.js';

/**
 * Features of a short-answer candidate for the fitted choice: its own phrase features, plus where it stands (its
 * rank in its sentence and its sentence's rank among the quoted ones), what kind of question asked, and how sure
 * the gate was of the sentence.
 */
export const SHORT_ANSWER_FEATURES = [
  ...CANDIDATE_FEATURES,
  /** The phrase ranker's own score, scaled to 0–1 (over 0–5). */
  'phraseScore',
  /** How far ahead of the next phrase of its sentence, scaled to 0–1 (over 0–2). */
  'leadInSentence',
  /** 1 for the top phrase of its sentence. */
  'topInSentence',
  /** 1 when its sentence is the best quoted one. */
  'inBestSentence',
  /** Its sentence's score relative to the best quoted sentence's, 0–1. */
  'sentenceShare',
  /** The gate's probability that the quoted sentences answer the question. */
  'gateProbability',
  /** The question asks a number or date. */
  'figureQuestion',
  /** The question asks a name of a person, place or organisation. */
  'namedQuestion',
  /** The question asks a "what" thing, an action, or yes/no: the sentence is usually the answer. */
  'openQuestion',
] as const;

export type ShortAnswerFeature = (typeof SHORT_ANSWER_FEATURES)[number];
export type ShortAnswerFeatures = Readonly<Record<ShortAnswerFeature, number>>;

/** The fitted short-answer model: the probability that a candidate is the answer, and the confidence to show it. */
export interface ShortAnswerModel extends LinearModel<ShortAnswerFeature> {
  /** A short answer is shown as the answer (`shortAnswerConfident`) at or above this probability. */
  readonly threshold: number;
}

/** A candidate with the fitted model's verdict. */
export interface ChosenCandidate {
  readonly candidate: AnswerCandidate;
  readonly features: ShortAnswerFeatures;
  readonly score: number;
  /** Probability that it is the answer. */
  readonly probability: number;
}

const clamp01 = (x: number): number => Math.min(1, Math.max(0, x));

/**
 * Ranks the answer phrases of the quoted sentences by the fitted probability that each is the answer, best first.
 * Deterministic: ties keep sentence order, then phrase order.
 */
export function chooseShortAnswer(quoted: readonly ScoredSentence[], analysis: QuestionAnalysis, gateProbability: number, model: ShortAnswerModel): ChosenCandidate[] {
  const kindClass = classOfKind(analysis.expected);
  const bestScore = quoted[0]?.score ?? 0;
  const out: ChosenCandidate[] = [];
  quoted.forEach((sentence, sentenceRank) => {
    sentence.answers.forEach((candidate, rank) => {
      const next = sentence.answers[rank + 1];
      const features: ShortAnswerFeatures = {
        ...candidate.features,
        phraseScore: clamp01(candidate.score / 5),
        leadInSentence: next ? clamp01((candidate.score - next.score) / 2) : 1,
        topInSentence: rank === 0 ? 1 : 0,
        inBestSentence: sentenceRank === 0 ? 1 : 0,
        sentenceShare: bestScore > 0 ? clamp01(sentence.score / bestScore) : 0,
        gateProbability,
        figureQuestion: kindClass === 'figure' ? 1 : 0,
        namedQuestion: kindClass === 'named' ? 1 : 0,
        openQuestion: kindClass === 'open' ? 1 : 0,
      };
      const score = combine(features, model);
      out.push({ candidate, features, score, probability: logistic(score) });
    });
  });
  // Stable sort: equal scores keep sentence, then phrase order.
  return out.sort((a, b) => b.score - a.score);
}
