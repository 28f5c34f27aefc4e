import type { ContextualizedQuestion } from '../conversation/contextualize-question.js';
import type { Answer, ChatTurn, GeneratedSentence, Passage } from '../types.js';
import type { GeneratorStatus } from '../pipeline.js';
import type { Reranker } from './reranker.js';

/** Everything an answerer may use to answer one question. */
export interface AnswerRequest {
  readonly question: string;
  /** Earlier turns, oldest first. */
  readonly history: readonly ChatTurn[];
  /** The question read against the history (rewritten follow-up, carried subject), as retrieval used it; read again from `history` when absent. */
  readonly context?: ContextualizedQuestion;
  /** Retrieved passages, best first. */
  readonly passages: readonly Passage[];
  /** The full text of an indexed document (citations are offsets into it). */
  readonly documentText: (docId: string) => string;
  /** Re-scores evidence sentences against the question; defaults to an embedding reranker over `embed` when that is set. */
  readonly reranker?: Reranker;
  /** Embeds texts with the index's embedder, when one is available (lexical mode: undefined). */
  readonly embed?: (texts: readonly string[]) => Promise<number[][]>;
  /** Attach a trace (features, weights, scores) to the answer. */
  readonly explain?: boolean;
  /** Quote the documents only: a generative answerer answers with its extractive fallback, without the model. */
  readonly quoteOnly?: boolean;
  readonly signal?: AbortSignal;
}

/** What a streaming answerer sends while it writes: the model's text as it comes, and each sentence once judged. */
export type AnswerEvent =
  | { readonly type: 'token'; readonly text: string }
  | { readonly type: 'verification'; readonly sentence: GeneratedSentence };

/** The answering port: the extractive default and the generative answerer. */
export interface Answerer {
  /** Shown in health output, e.g. `extractive`. */
  readonly name: string;
  /** A generative answerer's model, for health output. */
  readonly generator?: GeneratorStatus;
  answer(request: AnswerRequest): Promise<Answer>;
  /**
   * The same answer as a stream, for answerers whose answer takes long to write (a language model): the reply's
   * text as it arrives and a verdict per sentence, then the answer. Answerers without it answer in one step.
   */
  answerStream?(request: AnswerRequest): AsyncGenerator<AnswerEvent, Answer>;
  /**
   * A follow-up ("And in 2019?") rewritten as a standalone question for retrieval, by an answerer with a language
   * model; null when it could not (the pipeline then keeps its own rule-based reading of the follow-up).
   */
  rewriteFollowUp?(question: string, history: readonly ChatTurn[], signal?: AbortSignal): Promise<FollowUpRewrite | null>;
}

/** A follow-up as a model rewrote it. */
export interface FollowUpRewrite {
  readonly question: string;
  /** The rewrite prompt's version. */
  readonly promptVersion: string;
}
