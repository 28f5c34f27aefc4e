import type { GeneratedSentence } from '../types.js';

/**
 * A verified sentence as the answer shows it: its text with its citations' markers before the final stop
 * ("China trained 2,700 officers [1]."). The answer is these, joined by spaces.
 */
export function citedSentenceText(sentence: GeneratedSentence): string {
  return sentence.text.replace(/[.!?]?$/, (end) => `${sentence.citations.map((c) => ` [${c.n}]`).join('')}${end || '.'}`);
}
