/**
 * One plain sentence per abstention reason, for people: the chat page shows it under "The documents don't say.",
 * and `npm run ask` prints it next to the reason code. Pure data (no DOM), so the CLI can import it too.
 */
import type { AbstentionReason } from '../../retrieval/types.js';

/**
 * What each of `ABSTENTION_REASONS` (retrieval/types.ts, where each is defined) means to someone who asked. Keyed by
 * every reason, so a new reason without a sentence fails the type check.
 */
export const ABSTENTION_REASON_TEXT = Object.freeze({
  NO_QUESTION_TERMS: 'The question has nothing specific to look for: name the person, place or thing you mean.',
  NO_MATCHING_PASSAGE: 'No passage in the documents shares a word with the question.',
  WEAK_EVIDENCE: 'The closest passages share too little with the question to answer it.',
  MISSING_KEY_TERM: "The closest passages don't mention a name or figure the question depends on.",
  SCOPE_MISMATCH: 'The documents mention this, but not the fact you asked about.',
  SUBJECT_MISMATCH: 'The documents are about this subject, but state a different fact about it.',
  NO_ANSWER_OF_TYPE: 'The question asks for a number or a date, and the closest passages have none.',
  GENERATOR_ABSTAINED: 'The language model read the closest passages and found no answer in them.',
} satisfies Record<AbstentionReason, string>);

/** The sentence for `reason`; null for none (an answered question, or an answerer that gives no reason). */
export function abstentionSentence(reason: AbstentionReason | null): string | null {
  return reason === null ? null : (ABSTENTION_REASON_TEXT[reason] ?? null);
}
