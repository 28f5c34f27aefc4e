/**
 * An answer in plain text, as `npm run ask` prints it and the MCP `ask` tool returns it: the confident short answer
 * first, the quoted sentences with their [n] markers, the reason of an abstention, the calibrated confidence and what
 * was searched for. Pure data to lines, no DOM, the same wording as the chat page.
 */
import type { AskResult } from '../../retrieval/types.js';
import { abstentionSentence } from './abstention-reasons.js';
import { confidenceLabel, leadingShortAnswer, searchedFor } from './answer-confidence.js';

/** The lines of an answer's summary; its sources are left to the caller, which knows how it names documents. */
export function answerSummaryLines(result: AskResult): string[] {
  const lines = [result.answer];
  // An unconfident short answer is left out rather than presented as the answer: it is wrong often enough to mislead.
  const short = leadingShortAnswer(result);
  if (short !== null) lines.unshift(`Short answer: ${short}`, '');
  const reason = abstentionSentence(result.abstentionReason);
  if (result.abstained && reason) lines.push(`Reason: ${result.abstentionReason} — ${reason}`);
  const { text, explanation } = confidenceLabel(result);
  lines.push(`${text}. ${explanation}`);
  const query = searchedFor(result);
  if (query !== null) lines.push(`Searched for: ${query}`);
  return lines;
}
