import type { AbstentionReason } from '../../retrieval/types.js';
import { SHORT_ANSWER_RIGHT_F1, type FailureKind } from '../metrics/score-question.js';
import type { MetricName } from '../metrics/summarize.js';

/*
 * Every figure the HTML report shows is defined on the page, in plain words, from this file: one entry per metric,
 * abstention reason, failure cause and table column. The README's Evaluation section says the same at more length.
 */

/**
 * Plain-language definitions of the flat metrics, shown next to every number in the HTML report (the README's
 * Metrics table says the same at more length).
 */
export const METRIC_DEFINITIONS: Readonly<Record<MetricName, string>> = {
  shownAnswerRight:
    `Share of all questions where what the page showed was right. For a question the documents answer: it answered, every quote matches the document, and the lead is right: the bold short answer when one is shown (token F1 ≥ ${SHORT_ANSWER_RIGHT_F1} against an accepted answer), otherwise a quoted sentence that contains an accepted answer. For a question the documents do not answer: it declined.`,
  abstentionRecall: 'Of the questions the documents do not answer, the share it declined to answer.',
  falseAbstentionRate: 'Of the questions the documents do answer, the share it declined anyway. Lower is better.',
  shortAnswerPrecision:
    `Of the short answers shown in bold as the answer, the share that are right (token F1 ≥ ${SHORT_ANSWER_RIGHT_F1} against an accepted answer). One shown for a question the documents do not answer counts as wrong.`,
  shortAnswerCoverage: 'Of the questions the documents answer, the share where a short answer was shown in bold (otherwise the quoted sentence leads).',
  shortAnswerExactMatchPrecision: 'Of the short answers shown, the share that equal an accepted answer exactly (after SQuAD normalisation).',
  recallAt1: 'Share of answerable questions whose first retrieved passage contains the evidence.',
  recallAt5: 'Share of answerable questions with a passage containing the evidence among the first 5 retrieved.',
  recallAt10: 'Share of answerable questions with a passage containing the evidence among the first 10 retrieved.',
  mrr: 'Mean over answerable questions of 1 / rank of the first passage containing the evidence (0 when not in the top 10).',
  exactMatch: 'SQuAD exact match of the short answer, shown or not, averaged over answerable questions (0 when it declined or gave none).',
  f1: 'SQuAD token F1 of the short answer, shown or not: the overlap of its words with the best accepted answer, averaged over answerable questions.',
  answerContained: 'Share of answerable questions whose answer text contains an accepted answer.',
  citationValidity: 'Share of all citations whose quote is exactly the document text at the cited offsets.',
  citationSupport: 'Share of answerable questions where some quoted sentence contains an accepted answer.',
  citationPrecision: 'Share of citations on answerable questions that overlap the evidence or contain an accepted answer.',
  abstentionPrecision: 'Of the questions it declined, the share the documents really do not answer.',
  expectedCalibrationError:
    'How far the answer confidence is from how often the quote holds the answer: the gap between mean confidence and accuracy in each of 10 confidence bins, weighted by the bin size. 0 is perfect; lower is better.',
  shortAnswerCalibrationError: 'The same calibration error for the short-answer confidence against "the short answer is right". Lower is better.',
  correct:
    'The earlier verdict: answered, the answer text and a quote contain an accepted answer, every quote valid (unanswerable: declined). It ignores whether the bold short answer is right, so it overstates what users see; kept to compare with old runs.',
  latencyP50Ms: 'Median time to answer one question (retrieval and answer), in milliseconds.',
  latencyP95Ms: '95% of questions were answered within this many milliseconds.',
  latencyMaxMs: 'The slowest question, in milliseconds.',
  questionsPerSecond: 'Questions answered per second, one at a time.',
};

/** What each abstention reason means, for the report's table of reasons (see ABSTENTION_REASONS in retrieval/types.ts). */
export const REASON_DEFINITIONS: Readonly<Record<AbstentionReason, string>> = {
  NO_QUESTION_TERMS: 'The question has no word to look for ("What is it?" with nothing earlier to say what "it" is).',
  NO_MATCHING_PASSAGE: 'No retrieved sentence shares a word with the question.',
  WEAK_EVIDENCE: 'The best sentence shares too little of the question to be answering it.',
  MISSING_KEY_TERM: 'A name or figure the question insists on is not in or next to the evidence.',
  SCOPE_MISMATCH: 'The question asks about a part (a country, a year) the evidence does not mention, while the documents mention it elsewhere.',
  SUBJECT_MISMATCH: 'The evidence is about the question\'s subject but states another fact about it.',
  NO_ANSWER_OF_TYPE: 'A "how many" or "when" question, and no number or date in the evidence.',
  GENERATOR_ABSTAINED: 'Generative answers: the language model replied that the given passages do not answer.',
};

/** What each first cause of a wrong question means. */
export const FAILURE_DEFINITIONS: Readonly<Record<FailureKind, string>> = {
  'retrieval-miss': 'No passage the answerer saw contains the evidence.',
  'false-abstention': 'The evidence was retrieved but it declined to answer.',
  'wrong-answer': 'The answer text contains no accepted answer.',
  unsupported: 'No short answer was shown and no quoted sentence contains an accepted answer (the text around the quotes has it).',
  'wrong-short-answer': `The short answer was shown in bold as the answer and is wrong (token F1 below ${SHORT_ANSWER_RIGHT_F1}).`,
  'invalid-citation': 'What was shown is right, but a quote is not the document text at its offsets.',
  'answered-unanswerable': 'It answered a question the documents do not answer.',
};

/** The per-type table's columns (TYPE_ROW_HEADERS) in plain words. */
export const TYPE_COLUMN_DEFINITIONS: Readonly<Record<string, string>> = {
  n: 'questions of this type',
  ans: 'of which the documents answer',
  'shown right': 'shown answer right',
  'SA prec.': 'short answer precision: right among the short answers shown in bold',
  'SA cov.': 'short answer coverage: answerable questions with a short answer shown',
  contained: 'answer contained: the answer text contains an accepted answer',
  support: 'citation support: a quote contains an accepted answer',
  F1: 'mean token F1 of the short answer (shown or not)',
  EM: 'mean exact match of the short answer (shown or not)',
  'R@5': 'retrieval recall@5',
  'abst.recall': 'abstention recall',
  'false abst.': 'false abstention rate',
};
