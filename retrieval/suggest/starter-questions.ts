/**
 * The starter questions of a corpus: candidates derived from its documents' text, kept only when the pipeline answers
 * them. Computed on demand (the chat page asks once per visit) and cheap: a few asks of the extractive answerer.
 */
import type { Pipeline } from '../pipeline.js';
import { answeredQuestions, type SuggestedQuestion } from './answered-questions.js';
import { questionCandidates } from './question-candidates.js';

/** What starter questions are derived from and checked with: the pipeline's documents and its `ask`. */
export type StarterQuestionSource = Pick<Pipeline, 'listDocuments' | 'getDocument' | 'ask'>;

/** Options of {@link starterQuestions}. */
export interface StarterQuestionsOptions {
  readonly pipeline: StarterQuestionSource;
  /** Most questions. @default 4 */
  readonly limit?: number;
  /** Documents read for candidates, first ones first: enough for variety, bounded for a large corpus. @default 8 */
  readonly maxDocuments?: number;
  /** Most candidates asked. @default 12 */
  readonly maxAsks?: number;
  readonly signal?: AbortSignal;
}

/** Questions about the corpus that its documents answer, varied across documents and kinds, best first. */
export async function starterQuestions(options: StarterQuestionsOptions): Promise<SuggestedQuestion[]> {
  const { pipeline } = options;
  const listed = pipeline.listDocuments();
  const documents = listed.slice(0, options.maxDocuments ?? 8).flatMap((d) => {
    const document = pipeline.getDocument(d.id);
    return document ? [{ id: document.id, text: document.text }] : [];
  });
  const candidates = questionCandidates(documents, { documentCount: listed.length });
  return answeredQuestions({ candidates, ask: (request) => pipeline.ask({ ...request, quoteOnly: true }), limit: options.limit, maxAsks: options.maxAsks, signal: options.signal });
}
