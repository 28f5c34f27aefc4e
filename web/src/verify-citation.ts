/**
 * The page's own check of a citation: the document text, fetched fresh from the server, must contain
 * the quote at exactly the cited offsets.
 */

/** A span to check: `quote` should equal `text.slice(start, end)` of document `docId`. */
export interface SpanClaim {
  readonly docId: string;
  readonly start: number;
  readonly end: number;
  readonly quote: string;
}

/** The outcome of a check, with the sentence shown to the user. */
export interface SpanCheck {
  readonly verified: boolean;
  /** True when the offsets lie inside the document, so the span can be highlighted. */
  readonly inRange: boolean;
  readonly message: string;
}

/** Checks a claim against the document text. */
export function checkSpan(text: string, claim: SpanClaim): SpanCheck {
  const { docId, start, end, quote } = claim;
  const where = `characters ${start}–${end} of ${docId}`;
  const inRange = Number.isInteger(start) && Number.isInteger(end) && start >= 0 && start <= end && end <= text.length;
  if (!inRange) return { verified: false, inRange, message: `Warning: ${where} lie outside the document (${text.length} characters); this citation cannot be checked.` };
  if (text.slice(start, end) !== quote) return { verified: false, inRange, message: `Warning: the quoted text does not match ${where}. Read the highlighted span before relying on it.` };
  return { verified: true, inRange, message: `Verified against source: ${where}` };
}
