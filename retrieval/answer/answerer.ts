import type { Answer, ChatTurn, Passage } from '../types.js';

/** Everything an answerer may use to answer one question. */
export interface AnswerRequest {
  readonly question: string;
  /** Earlier turns, oldest first. */
  readonly history: readonly ChatTurn[];
  /** Retrieved passages, best first. */
  readonly passages: readonly Passage[];
  /** The full text of an indexed document (citations are offsets into it). */
  readonly documentText: (docId: string) => string;
  /** Embeds texts with the index's embedder, when one is available (lexical mode: undefined). */
  readonly embed?: (texts: readonly string[]) => Promise<number[][]>;
  readonly signal?: AbortSignal;
}

/** The answering port: the extractive default, later generative answerers. */
export interface Answerer {
  /** Shown in health output, e.g. `extractive`. */
  readonly name: string;
  answer(request: AnswerRequest): Promise<Answer>;
}
