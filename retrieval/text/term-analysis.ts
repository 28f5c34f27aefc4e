import { stem } from './lexicon.js';

/** Function words that carry no topic; dropped from BM25 terms (the answerer has its own, `STOPWORDS` in `lexicon.ts`). */
export const STOPWORDS: ReadonlySet<string> = new Set(
  `a about above after again against all also am an and any are as at be because been before being below between both but by
  can could did do does doing down during each else ever few for from further had has have having he her here hers herself him
  himself his how i if in into is it its itself just let me more most my myself no nor not of off on once only or other our ours
  ourselves out over own same she should so some such than that the their theirs them themselves then there these they this those
  through to too under until up upon very was we were what when where which while who whom whose why will with would you your yours
  yourself yourselves s t d ll m re ve`.split(/\s+/),
);

/**
 * Version of the terms {@link analyzeTerms} makes, recorded in every index's manifest (`termAnalysis`). Bump it
 * whenever the same text gives other terms (a stop word, folding or stemming change): BM25 finds a chunk only by
 * the terms stored for it, so an index built by another version would silently miss words. Ingest then rebuilds
 * the BM25 index from the stored chunks (keeping their vectors), and serving refuses an index not yet rebuilt.
 * 1: the first recorded (manifests without the field hold version 1 terms).
 */
export const TERM_ANALYSIS_VERSION = 1;

/**
 * Normalises one token for matching: lower case, accents and apostrophes removed, stop words dropped,
 * English Porter2 stem. Returns null for tokens that should not be indexed or matched.
 */
export function normalizeTerm(token: string): string | null {
  const lower = token
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[’'`´]s?$/u, '')
    .replace(/[’'`´]/gu, '');
  if (lower.length === 0 || STOPWORDS.has(lower)) return null;
  if (/^\d[\d,.]*$/.test(lower)) return lower.replace(/,/g, '');
  return stem(lower);
}

/** Splits text into word tokens (letters, digits, inner apostrophes, hyphens and number separators). */
export function tokenize(text: string): string[] {
  return text.match(/[\p{L}\p{N}]+(?:[’'.,\-][\p{L}\p{N}]+)*/gu) ?? [];
}

/** Tokenises and normalises, dropping stop words. */
export function analyzeTerms(text: string): string[] {
  const terms: string[] = [];
  for (const token of tokenize(text)) {
    const term = normalizeTerm(token);
    if (term) terms.push(term);
  }
  return terms;
}
