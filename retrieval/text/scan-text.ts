/**
 * Plain scanning loops for the jobs a regular expression does super-linearly when it must find the end of a run
 * "somewhere before the end" (`[?.!]+\s*$`, `(.+?)\s*$`): on a long run that is not at the end, the regex engine
 * retries the run from every start, which is quadratic (or cubic with two quantifiers over the same characters).
 * A loop from the end visits each character once. Every regular expression that sees user or corpus text must be
 * linear-time (`npm run lint`); these are the replacements when a pattern cannot be.
 */

/** A UTF-16 code unit predicate; `code` is `text.charCodeAt(i)`. */
export type CodeUnitTest = (code: number) => boolean;

/** Exactly the characters JavaScript's `\s` matches (WhiteSpace and LineTerminator). */
export function isSpace(code: number): boolean {
  if (code <= 0x20) return code === 0x20 || (code >= 0x09 && code <= 0x0d);
  if (code < 0xa0) return false;
  return (
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000 ||
    code === 0xfeff
  );
}

/** The characters `.` does not match without the `s` flag. */
export function isLineTerminator(code: number): boolean {
  return code === 0x0a || code === 0x0d || code === 0x2028 || code === 0x2029;
}

/** `?`, `.` or `!`: what ends a question or sentence. */
export function isFinalPunctuation(code: number): boolean {
  return code === 0x3f || code === 0x2e || code === 0x21;
}

/** The offset where the run of `accept`ed code units that ends at `end` starts (`end` itself when there is none). */
export function runStartBefore(text: string, end: number, accept: CodeUnitTest): number {
  let i = end;
  while (i > 0 && accept(text.charCodeAt(i - 1))) i--;
  return i;
}

/** The offset just past the run of `accept`ed code units that starts at `start` (`start` itself when there is none). */
export function runEndAfter(text: string, start: number, accept: CodeUnitTest): number {
  let i = start;
  while (i < text.length && accept(text.charCodeAt(i))) i++;
  return i;
}

/**
 * Where the closing punctuation of a question starts: the longest suffix of the form `\s*[?.!]*\s*`
 * ("Canada ?! " → the offset after "Canada"). `text.length` when there is none.
 */
export function closingPunctuationStart(text: string): number {
  return runStartBefore(text, runStartBefore(text, runStartBefore(text, text.length, isSpace), isFinalPunctuation), isSpace);
}

/**
 * `text.replace(/[?.!]+\s*$/, '')` in one pass: drops the final run of `?.!` and the spaces after it, and keeps
 * `text` whole when it does not end that way.
 */
export function dropFinalPunctuation(text: string): string {
  const spaces = runStartBefore(text, text.length, isSpace);
  const punctuation = runStartBefore(text, spaces, isFinalPunctuation);
  return punctuation < spaces ? text.slice(0, punctuation) : text;
}

/** Whether `text.slice(from, to)` contains a code unit that `accept` accepts. */
export function containsCodeUnit(text: string, from: number, to: number, accept: CodeUnitTest): boolean {
  for (let i = from; i < to; i++) if (accept(text.charCodeAt(i))) return true;
  return false;
}

/** A line of a text: `text.slice(start, end)` is its content. */
export interface TextLine {
  readonly start: number;
  /** End of the line's content, before `\r\n`, `\n` or `\r`. */
  readonly end: number;
}

/** The lines of `text` (a final line after the last break included, empty or not), in one pass. */
export function splitLines(text: string): TextLine[] {
  const lines: TextLine[] = [];
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || c === 13) {
      lines.push({ start, end: i });
      if (c === 13 && text.charCodeAt(i + 1) === 10) i++;
      start = i + 1;
    }
  }
  lines.push({ start, end: text.length });
  return lines;
}
