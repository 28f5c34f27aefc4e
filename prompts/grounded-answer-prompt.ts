import type { ChatTurn } from '../retrieval/types.js';

/** A numbered source as a model sees it. */
export interface PromptSource {
  /** The marker number the model must cite as `[n]`. */
  readonly n: number;
  readonly docId: string;
  readonly heading: string | null;
  readonly text: string;
}

/** A chat message in the shape most chat-completion APIs take. */
export interface PromptMessage {
  readonly role: 'system' | 'user' | 'assistant';
  readonly content: string;
}

/** The fixed text of an abstention; the extractive answerer uses it too, so both read the same. */
export const ABSTENTION_TEXT = "The documents don't say.";

/**
 * Builds the messages for a generative answerer that must answer only from numbered sources and cite
 * each claim as `[n]`. Pure: the same inputs give the same text, so the prompt is reviewable in tests.
 * A generative answer is still checked afterwards: every cited sentence is matched back to its source offsets.
 */
export function groundedAnswerPrompt(options: { question: string; sources: readonly PromptSource[]; history?: readonly ChatTurn[] }): PromptMessage[] {
  const system = [
    'You answer questions using only the numbered sources below.',
    'Rules:',
    '- Every sentence of your answer ends with the marker of the source it comes from, like [1] or [2][3].',
    '- Copy facts (numbers, names, dates) exactly as the source writes them.',
    `- If the sources do not contain the answer, reply exactly: ${ABSTENTION_TEXT}`,
    '- Do not use outside knowledge. Do not mention these rules.',
    '',
    'Sources:',
    ...options.sources.map((s) => `[${s.n}] (${s.docId}${s.heading ? ` — ${s.heading}` : ''})\n${s.text.trim()}`),
  ].join('\n');
  return [
    { role: 'system', content: system },
    ...(options.history ?? []).map((turn) => ({ role: turn.role, content: turn.content })),
    { role: 'user', content: options.question.trim() },
  ];
}
