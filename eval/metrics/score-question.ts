import { answerContained, exactMatch, tokenF1 } from './answer-metrics.js';
import { citationIsPrecise, citationIsValid, citationSupports, danglingMarkers, type CitationLike } from './citation-metrics.js';
import { firstHitRank, type RetrievedPassage } from './retrieval-metrics.js';
import type { DocSpan } from './spans.js';

/** How deep retrieval is scored: recall@10 needs the top 10 passages. */
export const RETRIEVAL_DEPTH = 10;

/** Why a question is wrong, first cause first: retrieval, then abstention, then the answer, then its citations. */
export const FAILURE_KINDS = ['retrieval-miss', 'false-abstention', 'wrong-answer', 'unsupported', 'invalid-citation', 'answered-unanswerable'] as const;

/**
 * One of {@link FAILURE_KINDS}: `retrieval-miss` no relevant passage among those the answerer saw;
 * `false-abstention` one was there but the system abstained; `wrong-answer` no accepted answer in the
 * answer text; `unsupported` the answer text has it but no cited quote does; `invalid-citation` a quote
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
  readonly abstained: boolean;
  readonly citations: readonly CitationLike[];
}

/**
 * Per-question scores, stored on every result line so summaries can be recomputed (and runs compared)
 * from result files alone. Answer and citation scores are `null` on unanswerable questions.
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
   * The right/wrong verdict used to order reports and compare runs. Answerable: not abstained, answer
   * contained, supported by a cited quote and every citation valid. Unanswerable: abstained.
   */
  readonly correct: boolean;
  /** The first cause of a wrong verdict; `null` when correct. */
  readonly failure: FailureKind | null;
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
  const common = {
    answerable: gold.answerable,
    type: gold.type,
    citations: output.citations.length,
    validCitations,
    invalidCitations,
    danglingMarkers: danglingMarkers(output.answer, output.citations).length,
    abstained: output.abstained,
    latencyMs: input.latencyMs,
  };
  if (!gold.answerable) {
    const correct = output.abstained;
    return { ...common, retrievalRank: null, exactMatch: null, f1: null, answerContained: null, supported: null, preciseCitations: null, correct, failure: correct ? null : 'answered-unanswerable' };
  }
  const retrievalRank = firstHitRank(input.passages.slice(0, RETRIEVAL_DEPTH), { evidence: gold.evidence, goldSpans: gold.goldSpans });
  const answered = !output.abstained;
  const contained = answered && answerContained(output.answer, gold.answers);
  const supported = answered && output.citations.some((c) => citationSupports(c, gold.answers));
  const preciseCitations = output.citations.filter((c) => citationIsPrecise(c, input.evidenceSpans, gold.answers)).length;
  const correct = answered && contained && supported && validCitations === output.citations.length;
  const seen = input.seenPassages ?? input.passages.length;
  const failure: FailureKind | null = correct
    ? null
    : retrievalRank === null || retrievalRank > seen
      ? 'retrieval-miss'
      : !answered
        ? 'false-abstention'
        : !contained
          ? 'wrong-answer'
          : !supported
            ? 'unsupported'
            : 'invalid-citation';
  return {
    ...common,
    retrievalRank,
    exactMatch: answered ? exactMatch(output.shortAnswer, gold.answers) : 0,
    f1: answered ? tokenF1(output.shortAnswer, gold.answers) : 0,
    answerContained: contained,
    supported,
    preciseCitations,
    correct,
    failure,
  };
}
