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

/** The fitted choice model: the probability that a candidate is the answer, used to rank the candidates. */
export type ShortAnswerModel = LinearModel<ShortAnswerFeature>;

/**
 * Features of the chosen short answer for the confidence model, which is fitted on the chosen answers alone (a
 * choice made among several candidates is less sure than its pointwise probability says).
 */
export const SHORT_ANSWER_CONFIDENCE_FEATURES = [
  /** The choice model's probability for it. */
  'choiceProbability',
  /** Its logit's lead over the runner-up candidate's, scaled to 0–1 (over 0–5); 1 when it is the only one. */
  'choiceMargin',
  'gateProbability',
  'figureQuestion',
  'namedQuestion',
  'openQuestion',
  'typeFit',
  /** How many candidates there were, scaled to 0–1 (over 0–20). */
  'candidates',
] as const;

export type ShortAnswerConfidenceFeature = (typeof SHORT_ANSWER_CONFIDENCE_FEATURES)[number];
export type ShortAnswerConfidenceFeatures = Readonly<Record<ShortAnswerConfidenceFeature, number>>;

/** The fitted confidence model of the chosen short answer, and the probability at which it is shown as the answer. */
export interface ShortAnswerConfidenceModel extends LinearModel<ShortAnswerConfidenceFeature> {
  /** A short answer is shown as the answer (`shortAnswerConfident`) at or above this probability. */
  readonly threshold: number;
}

/** The confidence model's features for the best of `ranked` (best first, from {@link chooseShortAnswer}). */
export function shortAnswerConfidenceFeatures(ranked: readonly Pick<ChosenCandidate, 'features' | 'score' | 'probability'>[]): ShortAnswerConfidenceFeatures | null {
  const top = ranked[0];
  if (!top) return null;
  const second = ranked[1];
  return {
    choiceProbability: top.probability,
    choiceMargin: second ? clamp01((top.score - second.score) / 5) : 1,
    gateProbability: top.features.gateProbability,
    figureQuestion: top.features.figureQuestion,
    namedQuestion: top.features.namedQuestion,
    openQuestion: top.features.openQuestion,
    typeFit: top.features.typeFit,
    candidates: clamp01(ranked.length / 20),
  };
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
