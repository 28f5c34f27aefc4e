import type { ChatTurn } from '../retrieval/types.js';
import type { Prompt } from './prompt-message.js';

/** Changes whenever the text below changes; recorded in every result whose question a model rewrote. */
export const FOLLOW_UP_REWRITE_PROMPT_VERSION = 'follow-up-rewrite/1';

/** Earlier turns shown to the model: the latest ones carry the subject a follow-up leans on. */
const TURNS_SHOWN = 6;

/**
 * The messages that ask a model to turn a follow-up ("And in 2019?") into a standalone question, from the
 * conversation so far; the reply is used as the retrieval query. Pure, like every prompt.
 */
export function followUpRewritePrompt(options: { question: string; history: readonly ChatTurn[] }): Prompt {
  const conversation = options.history
    .slice(-TURNS_SHOWN)
    .map((turn) => `${turn.role === 'user' ? 'User' : 'Assistant'}: ${turn.content.trim().replace(/\s+/g, ' ')}`)
    .join('\n');
  return {
    version: FOLLOW_UP_REWRITE_PROMPT_VERSION,
    messages: [
      {
        role: 'system',
        content: [
          "Rewrite the user's last question as one standalone question that can be understood without the conversation.",
          'Keep names, numbers and dates exactly as written. Do not answer it. Reply with the question only.',
        ].join('\n'),
      },
      { role: 'user', content: `Conversation:\n${conversation}\n\nLast question: ${options.question.trim()}\nStandalone question:` },
    ],
  };
}
