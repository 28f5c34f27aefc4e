import { STOPWORDS, foldWord, stem } from './lexicon.js';

/**
 * Version of the terms {@link analyzeTerms} makes, recorded in every index's manifest (`termAnalysis`). Bump it
 * whenever the same text gives other terms (a stop word, folding or stemming change): BM25 finds a chunk only by
 * the terms stored for it, so an index built by another version would silently miss words. Ingest then rebuilds
 * the BM25 index from the stored chunks (keeping their vectors), and serving refuses an index not yet rebuilt.
 * 1: the first recorded (manifests without the field hold version 1 terms).
 * 2: the lexicon's stop words (the answerer's, which BM25 had a shorter list of) and its `foldWord`.
 */
export const TERM_ANALYSIS_VERSION = 2;

/**
 * Normalises one token for matching: {@link foldWord} (lower case, no diacritics or possessive `'s`), stop words
 * dropped (the lexicon's `STOPWORDS`, the answerer's), apostrophes removed (FTS5 would split a term at one),
 * English Porter2 stem. Returns null for tokens that should not be indexed or matched.
 * The answerer's terms (`answer/terms.ts`) are these plus a lemmatizer and a map of irregular forms ("gave" → give,
 * "death" → die), which BM25 goes without: they need the wink model (~100 ms to load, a parse per new word) at every
 * ingest and query, and the answerer still matches "gave" to "give" inside the passages BM25 finds by their other terms.
 */
export function normalizeTerm(token: string): string | null {
  const folded = foldWord(token);
  if (folded.length === 0 || STOPWORDS.has(folded)) return null;
  const term = folded.replace(/'/g, '');
  if (term.length === 0) return null;
  if (/^\d[\d,.]*$/.test(term)) return term.replace(/,/g, '');
  return stem(term);
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

/** {@link analyzeTerms} with each distinct token's term remembered; see {@link createTermAnalyzer}. */
export interface TermAnalyzer {
  /** The same terms as `analyzeTerms(text)`. */
  analyze(text: string): string[];
}

/**
 * Most distinct tokens one analyzer remembers before it starts over. Prose has few distinct words (10.7M tokens of
 * replicated XQuAD held 24k), so the memo stays far below this; text full of one-off tokens (ids, numbers, hashes)
 * cannot grow it without bound. About 100 bytes an entry: ~20 MB at the limit.
 */
export const TERM_MEMO_MAX_TOKENS = 200_000;

/**
 * An analyzer that normalises each distinct token once: folding and Porter2 stemming were about two thirds of
 * ingest CPU, and a corpus repeats its words, so an index build asks for the same few thousand words millions of
 * times. Each index build or open makes its own (no state is shared between indexes or threads).
 */
export function createTermAnalyzer(maxTokens = TERM_MEMO_MAX_TOKENS): TermAnalyzer {
  let memo = new Map<string, string | null>();
  return {
    analyze(text) {
      const terms: string[] = [];
      for (const token of tokenize(text)) {
        let term = memo.get(token);
        if (term === undefined) {
          term = normalizeTerm(token);
          if (memo.size >= maxTokens) memo = new Map();
          memo.set(token, term);
        }
        if (term) terms.push(term);
      }
      return terms;
    },
  };
}
