/** A character range of one document: `[start, end)` in JavaScript string indices. */
export interface DocSpan {
  readonly docId: string;
  readonly start: number;
  readonly end: number;
}

/** True when `outer` covers all of `inner` (same document). */
export function spanContains(outer: DocSpan, inner: DocSpan): boolean {
  return outer.docId === inner.docId && outer.start <= inner.start && inner.end <= outer.end;
}

/** True when the two ranges share at least one character (same document). */
export function spansOverlap(a: DocSpan, b: DocSpan): boolean {
  return a.docId === b.docId && a.start < b.end && b.start < a.end;
}

/**
 * Every occurrence of every evidence string in the documents, as spans. Evidence is matched verbatim
 * (no normalisation): it is meant to be copied from the source.
 */
export function locateEvidence(evidence: readonly string[], documents: Iterable<{ readonly id: string; readonly text: string }>): DocSpan[] {
  const spans: DocSpan[] = [];
  const wanted = evidence.filter((e) => e.length > 0);
  if (wanted.length === 0) return spans;
  for (const doc of documents) {
    for (const needle of wanted) {
      for (let at = doc.text.indexOf(needle); at !== -1; at = doc.text.indexOf(needle, at + 1)) {
        spans.push({ docId: doc.id, start: at, end: at + needle.length });
      }
    }
  }
  return spans;
}
