/**
 * A small, deliberately independent sentence splitter for locating SQuAD evidence: the eval must not
 * borrow the answerer's splitter, or a splitter bug would be scored as correct.
 */

/** Words that end with a period without ending a sentence. */
const ABBREVIATIONS: ReadonlySet<string> = new Set(
  'mr mrs ms dr prof st jr sr vs etc e.g i.e eg ie no nos co inc ltd corp gen col lt sgt capt cmdr adm gov sen rep rev fr mt ft ave blvd dept est approx ca c fig vol ed eds al jan feb mar apr jun jul aug sep sept oct nov dec u.s u.k u.n a.d b.c'.split(' '),
);

/** True when a sentence may end at the period/!/? at `i` (the text after it is checked by the caller). */
function endsSentence(text: string, i: number): boolean {
  const ch = text[i];
  if (ch === '!' || ch === '?') return true;
  if (ch !== '.') return false;
  // The word before the period, e.g. "U.S" in "U.S." or "Dr" in "Dr.".
  let s = i;
  while (s > 0 && /[\p{L}\p{N}.]/u.test(text[s - 1]!)) s--;
  const word = text.slice(s, i).toLowerCase();
  if (ABBREVIATIONS.has(word)) return false;
  if (/^\p{Lu}$/u.test(text.slice(s, i))) return false; // an initial: "John F. Kennedy"
  if (/^\d+$/.test(word) && /\d/.test(text[i + 1] ?? '')) return false; // "3.5"
  return true;
}

/**
 * Sentence boundaries of a text as `[start, end)` ranges (whitespace between sentences excluded).
 * A sentence ends at `.`, `!` or `?` (plus closing quotes/brackets) followed by whitespace and an
 * upper-case letter, digit or opening quote/bracket; line breaks always end a sentence.
 */
export function sentenceSpans(text: string): { start: number; end: number }[] {
  const spans: { start: number; end: number }[] = [];
  let start = 0;
  const push = (end: number) => {
    let s = start;
    let e = end;
    while (s < e && /\s/.test(text[s]!)) s++;
    while (e > s && /\s/.test(text[e - 1]!)) e--;
    if (e > s) spans.push({ start: s, end: e });
    start = end;
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '\n') {
      push(i);
      continue;
    }
    if (!endsSentence(text, i)) continue;
    let j = i + 1;
    while (j < text.length && /["'”’)\]]/.test(text[j]!)) j++;
    if (j >= text.length) continue;
    if (!/[ \t]/.test(text[j]!)) continue;
    let k = j;
    while (k < text.length && /[ \t]/.test(text[k]!)) k++;
    if (k < text.length && /[\p{Lu}\p{N}"“‘'([]/u.test(text[k]!)) {
      push(j);
      i = j - 1;
    }
  }
  push(text.length);
  return spans;
}

/**
 * The sentence (or run of adjacent sentences) that covers `[start, end)` entirely, so the evidence
 * always contains the whole answer even when the splitter cuts through it.
 * @throws RangeError when the range lies outside the text.
 */
export function sentenceSpanAt(text: string, start: number, end: number): { start: number; end: number } {
  if (start < 0 || end > text.length || end <= start) throw new RangeError(`range ${start}-${end} is outside a text of ${text.length} characters`);
  const spans = sentenceSpans(text);
  const covering = spans.filter((s) => s.start < end && start < s.end);
  if (covering.length === 0) return { start, end };
  return { start: Math.min(start, covering[0]!.start), end: Math.max(end, covering[covering.length - 1]!.end) };
}
