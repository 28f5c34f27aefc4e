/**
 * Keeps the candidate questions the documents really answer: each is asked through the pipeline as a reader would ask
 * it, and only those answered (not abstained) with a citation into the document the question came from are
 * suggested. A suggestion that led to "The documents don't say." would teach a new reader that the tool does not work.
 */
import { throwIfAborted, VerbatimError } from '../errors.js';
import type { AskResult } from '../types.js';
import type { QuestionCandidate } from './question-candidates.js';

/** A starter question the documents answer. */
export interface SuggestedQuestion {
  readonly question: string;
  /** The document it is about (and that its answer cites). */
  readonly docId: string;
}

/** Options of {@link answeredQuestions}. */
export interface AnsweredQuestionsOptions {
  /** In order of preference, as `questionCandidates` returns them. */
  readonly candidates: readonly QuestionCandidate[];
  /** Asks a question with no history: `pipeline.ask`. */
  readonly ask: (request: { readonly question: string; readonly signal?: AbortSignal }) => Promise<Pick<AskResult, 'abstained' | 'citations'>>;
  /** Most questions returned. @default 4 */
  readonly limit?: number;
  /** Most candidates asked, so a corpus whose candidates mostly fail costs a bounded number of asks. @default 12 */
  readonly maxAsks?: number;
  /**
   * A further test of an answer, after it cites the candidate's document: a follow-up answered only by what the
   * reader was already shown adds nothing. @default every such answer is kept
   */
  readonly accepts?: (result: Pick<AskResult, 'abstained' | 'citations'>, candidate: QuestionCandidate) => boolean;
  readonly signal?: AbortSignal;
}

/** A refusal (a busy server, a deadline: status 503) or a stop: asking the next candidate would fare no better. */
function endsTheSearch(error: unknown): boolean {
  return VerbatimError.isInstance(error) && (error.status === 503 || error.code === 'ABORTED');
}

/**
 * The first `limit` candidates the pipeline answers from their own document, in order; asks them one at a time. A
 * candidate whose ask fails counts as unanswered (an answerer may fail on one question and not the next), unless every
 * ask failed: then the first failure is thrown, since the pipeline itself is broken.
 * @throws the error of a refusal or a stop at once.
 */
export async function answeredQuestions(options: AnsweredQuestionsOptions): Promise<SuggestedQuestion[]> {
  const limit = options.limit ?? 4;
  const maxAsks = options.maxAsks ?? 12;
  const out: SuggestedQuestion[] = [];
  let asked = 0;
  const failures: unknown[] = [];
  for (const candidate of options.candidates.slice(0, maxAsks)) {
    if (out.length >= limit) break;
    throwIfAborted(options.signal);
    asked += 1;
    let result: Pick<AskResult, 'abstained' | 'citations'>;
    try {
      result = await options.ask({ question: candidate.question, signal: options.signal });
    } catch (error) {
      if (endsTheSearch(error)) throw error;
      failures.push(error);
      continue;
    }
    const answered = !result.abstained && result.citations.some((c) => c.docId === candidate.docId);
    if (answered && (options.accepts?.(result, candidate) ?? true)) out.push({ question: candidate.question, docId: candidate.docId });
  }
  if (asked > 0 && failures.length === asked) throw failures[0];
  return out;
}
