import { containsNormalized } from './normalize.js';
import { spansOverlap, type DocSpan } from './spans.js';

/** A citation as the `ask --json` result carries it. */
export interface CitationLike {
  readonly n: number;
  readonly docId: string;
  readonly start: number;
  readonly end: number;
  readonly quote: string;
}

/**
 * Validity: the cited document exists, `0 ≤ start < end ≤ length`, and the quote equals the document text
 * at those offsets, character for character.
 */
export function citationIsValid(citation: CitationLike, documentText: (docId: string) => string | undefined): boolean {
  const text = documentText(citation.docId);
  if (text === undefined) return false;
  const { start, end } = citation;
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end <= start || end > text.length) return false;
  return text.slice(start, end) === citation.quote;
}

/** Support: some accepted answer occurs (normalised, whole tokens) inside the quote. */
export function citationSupports(citation: CitationLike, answers: readonly string[]): boolean {
  return answers.some((answer) => containsNormalized(citation.quote, answer));
}

/** Precision of one citation: its span overlaps an evidence span, or its quote contains an accepted answer. */
export function citationIsPrecise(citation: CitationLike, evidenceSpans: readonly DocSpan[], answers: readonly string[]): boolean {
  return evidenceSpans.some((span) => spansOverlap(citation, span)) || citationSupports(citation, answers);
}

/** `[n]` markers in the answer text that name no citation: a broken link a reader would notice. */
export function danglingMarkers(answerText: string, citations: readonly CitationLike[]): number[] {
  const known = new Set(citations.map((c) => c.n));
  const dangling = new Set<number>();
  for (const match of answerText.matchAll(/\[(\d+)\]/g)) {
    const n = Number(match[1]);
    if (!known.has(n)) dangling.add(n);
  }
  return [...dangling].sort((a, b) => a - b);
}
