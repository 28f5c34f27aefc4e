import { answerContained, exactMatch, tokenF1 } from './answer-metrics.js';
import { citationIsPrecise, citationIsValid, citationSupports, danglingMarkers, type CitationLike } from './citation-metrics.js';
import type { AbstentionReason, AnswerConfidence, GenerationReport } from '../../retrieval/types.js';
import { scoreGeneration, type GenerationScores } from './generation-metrics.js';
import { firstHitRank, type RetrievedPassage } from './retrieval-metrics.js';
import type { DocSpan } from './spans.js';

/** How deep retrieval is scored: recall@10 needs the top 10 passages. */
export const RETRIEVAL_DEPTH = 10;

/**
 * A short answer counts as right at this SQuAD token F1 (max over accepted answers) or above: "President Xi" for
 * "Xi Jinping" (F1 0.5) is right, "Beijing" for "Wang Xiaohong" (F1 0) is not. Half the tokens shared is where a
 * reader would still recognise the answer; exact match alone would call "2,700 officers" for "2,700" wrong.
 */
export const SHORT_ANSWER_RIGHT_F1 = 0.5;

/**
 * Why a question is wrong (its {@link QuestionScores.shownAnswerRight} verdict is false), first cause first:
 * retrieval, then abstention, then the answer, then its citations.
 */
export const FAILURE_KINDS = ['retrieval-miss', 'false-abstention', 'wrong-answer', 'unsupported', 'wrong-short-answer', 'invalid-citation', 'answered-unanswerable'] as const;

/**
 * One of {@link FAILURE_KINDS}: `retrieval-miss` no relevant passage among those the answerer saw;
 * `false-abstention` one was there but the system abstained; `wrong-answer` no accepted answer in the
 * answer text; `unsupported` the answer text has it but no cited quote does (short answer not shown);
 * `wrong-short-answer` the short answer was shown as the answer and is not right; `invalid-citation` a quote
 * does not match its offsets; `answered-unanswerable` an unanswerable question was answered.
 */
export type FailureKind = (typeof FAILURE_KINDS)[number];

/** The gold side of one question, as the scorer needs it. */
export interface GoldForScoring {
  readonly answers: readonly string[];
  readonly evidence: readonly string[];
  readonly answerable: boolean;
  readonly type: string;
  readonly goldSpans?: readonly DocSpan[];
}

/** The system side of one question: the relevant fields of an `ask --json` result. */
export interface OutputForScoring {
  readonly answer: string;
  readonly shortAnswer: string | null;
  /** The page shows `shortAnswer` as the answer only when this is true; otherwise the quote leads. */
  readonly shortAnswerConfident: boolean;
  readonly abstained: boolean;
  readonly citations: readonly CitationLike[];
  /** Copied onto the scores, for calibration and the gate curve. */
  readonly confidence?: AnswerConfidence;
  /** Copied onto the scores, for the table of abstention reasons. */
  readonly abstentionReason?: AbstentionReason | null;
  /** A generated answer's report: scored into `generation`. */
  readonly generation?: GenerationReport;
}

/**
 * Per-question scores, stored on every result line so summaries can be recomputed (and runs compared)
 * from result files alone. Answer and citation scores are `null` on unanswerable questions. Fields marked
 * optional are absent from files written before they existed; summaries leave them out of their metrics.
 */
export interface QuestionScores {
  readonly answerable: boolean;
  readonly type: string;
  /** 1-based rank of the first relevant passage within the top {@link RETRIEVAL_DEPTH}; `null` when none (or unanswerable). */
  readonly retrievalRank: number | null;
  /** SQuAD exact match of `shortAnswer` (0 when abstained or no short answer). */
  readonly exactMatch: number | null;
  /** SQuAD token F1 of `shortAnswer`, max over accepted answers. */
  readonly f1: number | null;
  /** An accepted answer occurs in the answer text (false when abstained). */
  readonly answerContained: boolean | null;
  /** An accepted answer occurs inside some cited quote (false when abstained). */
  readonly supported: boolean | null;
  readonly citations: number;
  /** Citations whose quote equals the document text at their offsets. */
  readonly validCitations: number;
  /** Marker numbers `n` of the citations that are not valid. */
  readonly invalidCitations: readonly number[];
  /** Citations overlapping an evidence span or containing an accepted answer; `null` on unanswerable questions. */
  readonly preciseCitations: number | null;
  /** `[n]` markers in the answer with no matching citation. */
  readonly danglingMarkers: number;
  readonly abstained: boolean;
  /** Wall-clock time of the ask, measured by the harness. */
  readonly latencyMs: number;
  /**
   * The earlier verdict, kept so old and new runs compare: answerable: not abstained, answer contained,
   * supported by a cited quote and every citation valid; unanswerable: abstained. It ignores the short answer,
   * which the page may show in bold as THE answer: use {@link shownAnswerRight}.
   */
  readonly correct: boolean;
  /** The page showed the short answer as the answer: answered and `shortAnswerConfident`. */
  readonly shortAnswerShown?: boolean;
  /** A short answer was given (shown or not). */
  readonly hasShortAnswer?: boolean;
  /**
   * The short answer is right: token F1 ≥ {@link SHORT_ANSWER_RIGHT_F1} against some accepted answer; `null` when
   * there is no short answer or the question is unanswerable.
   */
  readonly shortAnswerRight?: boolean | null;
  /**
   * What the user saw was right; the verdict that orders reports and compares runs. Answerable: answered, every
   * citation valid, and the short answer right when it was shown, or else a cited quote contains an accepted
   * answer. Unanswerable: abstained.
   */
  readonly shownAnswerRight?: boolean;
  /** The answer's calibrated confidences, copied from the result. */
  readonly confidence?: AnswerConfidence;
  /** Why it abstained, copied from the result; `null` when it answered. */
  readonly abstentionReason?: AbstentionReason | null;
  /** The first cause of a wrong {@link shownAnswerRight} verdict (of `correct` in older files); `null` when right. */
  readonly failure: FailureKind | null;
  /** Generated answers only: how its sentences fared. */
  readonly generation?: GenerationScores;
}

/** Everything needed to score one question. */
export interface ScoreQuestionInput {
  readonly gold: GoldForScoring;
  readonly output: OutputForScoring;
  /** Passages to score retrieval on, best first (at least the top {@link RETRIEVAL_DEPTH} when available). */
  readonly passages: readonly RetrievedPassage[];
  /** How many of `passages` the answerer saw (the ask's top-K); a first hit below that is a retrieval miss. @default passages.length */
  readonly seenPassages?: number;
  /** Evidence located in the corpus; citations overlapping them are precise. */
  readonly evidenceSpans: readonly DocSpan[];
  readonly documentText: (docId: string) => string | undefined;
  readonly latencyMs: number;
}

/** Scores one answered question; pure and deterministic. */
export function scoreQuestion(input: ScoreQuestionInput): QuestionScores {
  const { gold, output } = input;
  const invalidCitations = output.citations.filter((c) => !citationIsValid(c, input.documentText)).map((c) => c.n);
  const validCitations = output.citations.length - invalidCitations.length;
  const answered = !output.abstained;
  const shortAnswerShown = answered && output.shortAnswerConfident && output.shortAnswer !== null;
  const common = {
    answerable: gold.answerable,
    type: gold.type,
    citations: output.citations.length,
    validCitations,
    invalidCitations,
    danglingMarkers: danglingMarkers(output.answer, output.citations).length,
    abstained: output.abstained,
    latencyMs: input.latencyMs,
    shortAnswerShown,
    hasShortAnswer: output.shortAnswer !== null,
    ...(output.confidence ? { confidence: { answer: output.confidence.answer, shortAnswer: output.confidence.shortAnswer } } : {}),
    ...(output.generation ? { generation: scoreGeneration(output.generation) } : {}),
    ...(output.abstentionReason !== undefined ? { abstentionReason: output.abstentionReason } : {}),
  };
  if (!gold.answerable) {
    const correct = output.abstained;
    return {
      ...common,
      retrievalRank: null,
      exactMatch: null,
      f1: null,
      answerContained: null,
      supported: null,
      preciseCitations: null,
      correct,
      shortAnswerRight: null,
      shownAnswerRight: correct,
      failure: correct ? null : 'answered-unanswerable',
    };
  }
  const retrievalRank = firstHitRank(input.passages.slice(0, RETRIEVAL_DEPTH), { evidence: gold.evidence, goldSpans: gold.goldSpans });
  const contained = answered && answerContained(output.answer, gold.answers);
  const supported = answered && output.citations.some((c) => citationSupports(c, gold.answers));
  const preciseCitations = output.citations.filter((c) => citationIsPrecise(c, input.evidenceSpans, gold.answers)).length;
  const allValid = validCitations === output.citations.length;
  const correct = answered && contained && supported && allValid;
  const f1 = tokenF1(output.shortAnswer, gold.answers);
  const shortAnswerRight = output.shortAnswer === null ? null : f1 >= SHORT_ANSWER_RIGHT_F1;
  // What the page leads with: the bold short answer when shown, else the quoted sentence.
  const leadIsRight = shortAnswerShown ? shortAnswerRight === true : supported;
  const shownAnswerRight = answered && allValid && leadIsRight;
  const seen = input.seenPassages ?? input.passages.length;
  const failure: FailureKind | null = shownAnswerRight
    ? null
    : retrievalRank === null || retrievalRank > seen
      ? 'retrieval-miss'
      : !answered
        ? 'false-abstention'
        : leadIsRight
          ? 'invalid-citation'
          : !contained
            ? 'wrong-answer'
            : shortAnswerShown
              ? 'wrong-short-answer'
              : 'unsupported';
  return {
    ...common,
    retrievalRank,
    exactMatch: answered ? exactMatch(output.shortAnswer, gold.answers) : 0,
    f1: answered ? f1 : 0,
    answerContained: contained,
    supported,
    preciseCitations,
    correct,
    shortAnswerRight,
    shownAnswerRight,
    failure,
  };
}
