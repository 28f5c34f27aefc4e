/**
 * SQuAD answer normalisation, shared by every answer and citation metric so that
 * "2,700", "2700" and "the 2,700" compare equal everywhere.
 */

/** Punctuation and symbols removed before comparing; Unicode-wide, so curly quotes and `’` count too. */
const PUNCTUATION = /[\p{P}\p{S}]/gu;

/** Articles dropped as whole tokens, as in the official SQuAD v1.1 evaluation script. */
const ARTICLES: ReadonlySet<string> = new Set(['a', 'an', 'the']);

/** `[1]`, `[12]` citation markers in answer texts: they are not part of what the answer says. */
const CITATION_MARKER = /\[\d+\]/g;

/**
 * Normalises a text the way the SQuAD v1.1 script does: lower case, punctuation removed (not replaced
 * by a space, so `59-year-old` becomes `59yearold`), the articles a/an/the removed, whitespace collapsed.
 * Punctuation is every Unicode punctuation or symbol character, a superset of Python's `string.punctuation`.
 */
export function normalizeAnswer(text: string): string {
  return answerTokens(text).join(' ');
}

/** The normalised tokens of a text (see {@link normalizeAnswer}). */
export function answerTokens(text: string): string[] {
  return text
    .toLowerCase()
    .replace(PUNCTUATION, '')
    .split(/\s+/)
    .filter((token) => token !== '' && !ARTICLES.has(token));
}

/** Removes `[n]` citation markers, so a marker's digits never match an answer such as "1". */
export function stripCitationMarkers(text: string): string {
  return text.replace(CITATION_MARKER, ' ');
}

/** Tokens with punctuation treated as a separator instead of deleted: `Manning's` → `manning s`, `59-year-old` → `59 year old`. */
function separatedTokens(text: string): string[] {
  return text
    .toLowerCase()
    .replace(PUNCTUATION, ' ')
    .split(/\s+/)
    .filter((token) => token !== '' && !ARTICLES.has(token));
}

function containsRun(have: readonly string[], want: readonly string[]): boolean {
  if (want.length === 0) return false;
  outer: for (let i = 0; i + want.length <= have.length; i++) {
    for (let j = 0; j < want.length; j++) if (have[i + j] !== want[j]) continue outer;
    return true;
  }
  return false;
}

/**
 * True when `needle` occurs in `haystack` as a contiguous run of whole tokens, under either of two
 * tokenisations of both texts: SQuAD's (punctuation deleted, so "2,700" matches "2700") or punctuation
 * as a separator (so "Manning" is found in "Manning's" and "59" in "59-year-old"). Whole tokens keep
 * "20" from matching inside "2020". An answer that normalises to nothing is never contained.
 */
export function containsNormalized(haystack: string, needle: string): boolean {
  return containsRun(answerTokens(haystack), answerTokens(needle)) || containsRun(separatedTokens(haystack), separatedTokens(needle));
}
