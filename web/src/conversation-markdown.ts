/**
 * A whole conversation as Markdown, for "Export": its title, then every question as a heading followed by its answer
 * exactly as Copy gives it (the answer with its `[n]` markers, then its sources with their quotes).
 */
import { answerMarkdown } from './answer-markdown.js';
import type { Conversation } from './conversation-store.js';

/** A question on one line, as a heading. */
function heading(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** The conversation as Markdown; `titleOf` names a document (its title, or its id). */
export function conversationMarkdown(conversation: Pick<Conversation, 'title' | 'exchanges'>, titleOf: (docId: string) => string, exportedAt: Date): string {
  const parts = [`# ${heading(conversation.title)}`, `Exported from Verbatim on ${exportedAt.toISOString().slice(0, 10)}. Every quote can be checked against its document at the cited characters.`];
  for (const x of conversation.exchanges) parts.push(`## ${heading(x.question)}`, answerMarkdown(x.result, titleOf).trimEnd());
  return `${parts.join('\n\n')}\n`;
}

/** A file name for the export: `verbatim-` and the title's words, lower case. */
export function exportFileName(title: string): string {
  // Runs of other characters are already one `-`, so trimming one at each end is enough.
  const dashed = title.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '-');
  const from = dashed.startsWith('-') ? 1 : 0;
  let words = dashed.slice(from, from + 60);
  if (words.endsWith('-')) words = words.slice(0, -1);
  return `verbatim-${words || 'conversation'}.md`;
}
