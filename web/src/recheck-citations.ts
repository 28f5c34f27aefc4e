/**
 * Checks the citations of a saved answer against the documents as they are now: a document edited since the answer
 * was given no longer holds the quote at its offsets, and the page must say so rather than show the old answer as
 * verified.
 */
import type { AskResult, Citation } from '../../retrieval/types.js';
import { checkSpan } from './verify-citation.js';

/** `verified`: the quote is still there; `changed`: it is not; `unavailable`: the document could not be fetched. */
export type RecheckState = 'verified' | 'changed' | 'unavailable';

/** The outcome for one citation, with the sentence shown beside it. */
export interface CitationRecheck {
  readonly citation: Citation;
  readonly state: RecheckState;
  readonly message: string;
}

/** Fetches the current text of a document. */
export type DocumentText = (docId: string) => Promise<string>;

/** Every citation of an answer, once per marker number: the result's own, and those of its generated sentences. */
export function citationsOf(result: Pick<AskResult, 'citations' | 'generation'>): Citation[] {
  const byN = new Map<number, Citation>();
  for (const c of result.citations) byN.set(c.n, c);
  for (const sentence of result.generation?.sentences ?? []) for (const c of sentence.citations) if (!byN.has(c.n)) byN.set(c.n, c);
  return [...byN.values()].sort((a, b) => a.n - b.n);
}

/** Checks each citation against its document's current text (each document fetched once by `textOf`). */
export async function recheckCitations(citations: readonly Citation[], textOf: DocumentText): Promise<CitationRecheck[]> {
  return Promise.all(
    citations.map(async (citation): Promise<CitationRecheck> => {
      let text: string;
      try {
        text = await textOf(citation.docId);
      } catch (error) {
        return { citation, state: 'unavailable', message: `Could not check: ${citation.docId} could not be loaded (${(error as Error).message}).` };
      }
      const check = checkSpan(text, citation);
      return check.verified
        ? { citation, state: 'verified', message: check.message }
        : { citation, state: 'changed', message: `Document changed since this answer: characters ${citation.start}–${citation.end} of ${citation.docId} no longer hold this quote.` };
    }),
  );
}
