import { parseAtxHeading } from '../text/atx-heading.js';
import { runStartBefore, splitLines } from '../text/scan-text.js';

/** A heading found in a document; `text === documentText.slice(start, end)`. */
export interface Heading {
  /** Offset of the heading's first character (for Markdown, after the `#`s and spaces). */
  readonly start: number;
  /** Offset just past the heading's last non-space character (before any closing `#`s). */
  readonly end: number;
  /** The heading as written, without Markdown markers or surrounding spaces. */
  readonly text: string;
}

/** Limits of the plain-text heading heuristic. */
export interface FindHeadingsOptions {
  /**
   * Longest line, in characters, that can be a heading without Markdown markers.
   * @default 80
   */
  readonly maxChars?: number;
  /**
   * Most words a heading without Markdown markers can have; longer lines read as sentences.
   * @default 10
   */
  readonly maxWords?: number;
}

const FENCE = /^ {0,3}(`{3,}|~{3,})/;
/**
 * Closing quotes and brackets are looked through: `said “no.”` ends a sentence, `“Troll Farms”` does not.
 * Skipped with a loop from the end: `/["”’'»)\]]+$/` retried a long run of quotes from every start (2.5 s for 40,000 `"` then `x`).
 */
const CLOSERS = new Set(Array.from('"”’\'»)]', (c) => c.charCodeAt(0)));
const isCloser = (c: number) => CLOSERS.has(c);
/** A line ending in one of these continues or ends a sentence, so it is not a heading. */
const FINAL_PUNCTUATION = /[.,;:?!…]$/u;
/** List items and table rows are short and unpunctuated too, but are not headings. */
const NOT_A_HEADING_START = /^(?:[-*+•▪◦|>]\s|\|)/u;

/**
 * Finds the headings of a document, in order: Markdown ATX headings (`## Title`, markers stripped),
 * and plain-text headings: lines of at most `maxChars` characters and `maxWords` words, with a letter,
 * without final punctuation (looking through closing quotes), followed by more text, and not the tail of a
 * hard-wrapped sentence (a directly preceding long line that does not end a sentence). Lines inside fenced
 * code blocks are never headings. Used to label chunks and citations with the section they come from.
 */
export function findHeadings(text: string, options: FindHeadingsOptions = {}): Heading[] {
  const maxChars = options.maxChars ?? 80;
  const maxWords = options.maxWords ?? 10;
  const lines = splitLines(text);
  const lastTextLine = lines.findLastIndex((line) => text.slice(line.start, line.end).trim() !== '');
  const headings: Heading[] = [];
  let fence: string | null = null;
  let previous: { candidate: boolean; endsSentence: boolean } | null = null;

  for (const [index, line] of lines.entries()) {
    const content = text.slice(line.start, line.end);
    const marker = FENCE.exec(content)?.[1];
    if (marker !== undefined) {
      if (fence === null) fence = marker[0]!;
      else if (marker[0] === fence) fence = null;
      previous = null;
      continue;
    }
    if (fence !== null) continue;

    const trimmed = content.trim();
    if (trimmed === '') {
      previous = null;
      continue;
    }
    const leading = content.length - content.trimStart().length;
    const start = line.start + leading;
    const end = start + trimmed.length;

    const atx = parseAtxHeading(content);
    if (atx) {
      const raw = content.slice(atx.titleStart, atx.titleEnd);
      const title = raw.trim();
      if (title !== '') {
        // Past any Unicode space trim() took off the front (a no-break space after the `#`), so `text === slice(start, end)`.
        const titleStart = line.start + atx.titleStart + (raw.length - raw.trimStart().length);
        headings.push({ start: titleStart, end: titleStart + title.length, text: title });
      }
      previous = { candidate: true, endsSentence: true };
      continue;
    }

    const bare = trimmed.slice(0, runStartBefore(trimmed, trimmed.length, isCloser));
    const endsSentence = FINAL_PUNCTUATION.test(bare);
    const candidate =
      trimmed.length <= maxChars &&
      trimmed.split(/\s+/).length <= maxWords &&
      /\p{L}/u.test(trimmed) &&
      !endsSentence &&
      !NOT_A_HEADING_START.test(trimmed);
    const continuesSentence = previous !== null && !previous.candidate && !previous.endsSentence;
    if (candidate && !continuesSentence && index < lastTextLine) {
      headings.push({ start, end, text: trimmed });
    }
    previous = { candidate, endsSentence };
  }
  return headings;
}

/**
 * The nearest heading at or above `offset`: the last heading starting at or before it, or the heading
 * whose Markdown markers `offset` points into (a chunk that begins at `## Title` starts before the text
 * `Title`). `headings` must be sorted by start, as {@link findHeadings} returns them.
 */
export function headingAt(text: string, headings: readonly Heading[], offset: number): Heading | null {
  let low = 0;
  let high = headings.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (headings[mid]!.start <= offset) low = mid + 1;
    else high = mid;
  }
  const next = headings[low];
  if (next) {
    const markers = /[ \t#]*/y;
    markers.lastIndex = offset;
    markers.exec(text);
    if (markers.lastIndex === next.start) return next;
  }
  return low === 0 ? null : headings[low - 1]!;
}

