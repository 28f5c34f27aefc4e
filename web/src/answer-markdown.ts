/**
 * An answer as Markdown, for "Copy": the answer text with its `[n]` markers, then its sources, numbered as the markers
 * are, each with its document's title and the quote. Pasted into notes or a message, every claim keeps its citation.
 */
import type { AskResult } from '../../retrieval/types.js';
import { abstentionSentence } from './abstention-reasons.js';

/** A quote on one line, in typographic quotes. */
function inlineQuote(quote: string): string {
  return `“${quote.replace(/\s+/g, ' ').trim()}”`;
}

/**
 * The answer and its sources as Markdown; `titleOf` names a document (its title, or its id when it has none).
 * An abstention is copied with its reason, and has no sources.
 */
export function answerMarkdown(result: Pick<AskResult, 'answer' | 'abstained' | 'abstentionReason' | 'citations'>, titleOf: (docId: string) => string): string {
  const lines = [result.answer.trim()];
  const reason = result.abstained ? abstentionSentence(result.abstentionReason) : null;
  if (reason) lines.push('', reason);
  if (result.citations.length > 0) {
    lines.push('', 'Sources:', '');
    for (const c of result.citations) lines.push(`[${c.n}] ${titleOf(c.docId)}: ${inlineQuote(c.quote)}`, '');
    lines.pop();
  }
  return `${lines.join('\n')}\n`;
}
