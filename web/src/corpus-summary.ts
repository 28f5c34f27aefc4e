/** The sentence that names the corpus on the first-load panel: how many documents, and the first few titles. */
import type { DocumentSummary } from '../../retrieval/pipeline.js';

/** Titles named before "and N more". */
const MAX_TITLES = 3;
/** Longest title shown whole, in characters; longer ones are cut at a word and end in "…". */
const MAX_TITLE_CHARS = 60;

/** `title` cut to at most `max` characters at a word boundary, with "…" when cut. */
export function shortTitle(title: string, max = MAX_TITLE_CHARS): string {
  const flat = title.replace(/\s+/g, ' ').trim().replace(/\.$/, '');
  if (flat.length <= max) return flat;
  const cut = flat.slice(0, max);
  const atWord = cut.lastIndexOf(' ');
  let kept = atWord > max / 2 ? cut.slice(0, atWord) : cut;
  while (kept !== '' && ' ,;:.–—-'.includes(kept.at(-1)!)) kept = kept.slice(0, -1);
  return `${kept}…`;
}

/** "Asking 3 documents: Title A, Title B and Title C." or "…: Title A, Title B, Title C and 4 more." */
export function corpusSentence(documents: readonly Pick<DocumentSummary, 'id' | 'title'>[]): string {
  if (documents.length === 0) return 'No documents are indexed yet: add files to the corpus folder and run npm run ingest.';
  const titles = documents.slice(0, MAX_TITLES).map((d) => shortTitle(d.title || d.id));
  const rest = documents.length - titles.length;
  const named = rest > 0 ? `${titles.join(', ')} and ${rest} more` : titles.length > 1 ? `${titles.slice(0, -1).join(', ')} and ${titles.at(-1)}` : titles[0]!;
  return `Asking ${documents.length} document${documents.length === 1 ? '' : 's'}: ${named}${named.endsWith('…') ? '' : '.'}`;
}
