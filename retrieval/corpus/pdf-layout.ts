import type { DocumentHeading, DocumentPage, TextBox } from '../types.js';
import { runningLines } from './pdf-running-lines.js';

/** A run of text placed on a page: PDF points from the page's top left, y downwards (`y` is the top of the glyphs). */
export interface PlacedText {
  readonly text: string;
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** One page as the PDF reader found it: its size and its text runs in content-stream order. */
export interface PlacedPage {
  readonly width: number;
  readonly height: number;
  readonly items: readonly PlacedText[];
}

/** A PDF's text as one string, with the map from its characters back to pages and rectangles. */
export interface PdfText {
  readonly text: string;
  readonly pages: readonly DocumentPage[];
  /** Lines set in a larger size than the body text, as their own paragraph. */
  readonly headings: readonly DocumentHeading[];
}

/**
 * How text is laid out, as data: every threshold of the reading-order and joining rules, in units of the line's font
 * height unless the name says otherwise.
 */
export const PDF_LAYOUT_RULES = Object.freeze({
  /** A vertical gap between columns is at least this wide (and at least `minGutterPoints`). */
  minGutter: 1,
  minGutterPoints: 6,
  /**
   * Columns of prose: a vertical cut through several lines is taken only when both sides average at least this many
   * characters per line. Table cells are shorter, so a table reads row by row instead of column by column.
   */
  minColumnLineChars: 20,
  /** Horizontal gaps at least this share of the widest one are cut at once (lines with nearly equal spacing). */
  horizontalCutShare: 0.8,
  /** Deepest recursion of the XY cut; a region left at this depth is read line by line, top to bottom. */
  maxCutDepth: 48,
  /** Two runs are on one line when their tops differ by less than this. */
  sameLine: 0.5,
  /** Runs further apart than this on a line are separate cells: joined by a tab instead of a space. */
  cellGap: 1.5,
  /** Runs closer than this on a line touch: joined with nothing between them. */
  touching: 0.1,
  /** Lines further apart than this (space between them) start a new paragraph. */
  paragraphGap: 0.7,
  /**
   * A line whose font height is at least this share larger than its neighbour's starts a new paragraph. The share is
   * of the smaller height, as `headingScale` is of the body's, and it is no more than `headingScale − 1`: a line
   * large enough to be a heading is always a paragraph of its own, never run into the body text after it.
   */
  sizeChange: 0.15,
  /** A paragraph set at least this much larger than the body text, with at most `headingMaxWords` words, is a heading. */
  headingScale: 1.15,
  headingMaxWords: 16,
});

/** Typographic ligatures PDF fonts map single glyphs to, spelled out so quotes read and search as words. */
const LIGATURES: Readonly<Record<string, string>> = { '\uFB00': 'ff', '\uFB01': 'fi', '\uFB02': 'fl', '\uFB03': 'ffi', '\uFB04': 'ffl', '\uFB05': 'st', '\uFB06': 'st' };

/** Control characters (C0, DEL, C1) and the soft hyphen, which a PDF text layer carries but no reader sees. */
// eslint-disable-next-line no-control-regex -- control characters are exactly what it removes
const INVISIBLE = /[\u0000-\u001F\u007F-\u009F\u00AD]/g;
const LIGATURE = /[\uFB00-\uFB06]/g;

/** The text of a run as it goes into the document: ligatures spelled out, invisible characters dropped, ends trimmed. */
export function cleanRunText(text: string): string {
  return text.replace(LIGATURE, (c) => LIGATURES[c] ?? c).replace(INVISIBLE, '').trim();
}

interface Run {
  readonly text: string;
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  readonly right: number;
  readonly bottom: number;
}

interface Line {
  readonly runs: Run[];
  readonly top: number;
  readonly bottom: number;
  readonly left: number;
  readonly right: number;
  /** Tallest run: the line's font height. */
  readonly height: number;
}

/**
 * Lays out a PDF's pages as text in reading order. Each page is cut into regions along the widest white gaps
 * (recursive XY cut: columns of prose left to right, blocks top to bottom; a table reads row by row); runs on a line
 * are joined by a space (nothing when they touch, a tab between table cells), lines of a paragraph by a space, and
 * paragraphs by a blank line. A word hyphenated at a line end is joined again without its hyphen when the next line
 * starts in lower case ("hyphen-" + "ated" is "hyphenated"); a compound split at its own hyphen loses it too. Pages
 * are joined like lines when a sentence runs on (the page ends without closing punctuation and the next begins in
 * lower case), else by a blank line. Running headers and footers — a page's top or bottom line that recurs at the
 * same place on most pages, page numbers and all (`pdf-running-lines.ts`) — are left out, as a word processor leaves
 * them out of a document's body: a sentence runs on across a page break past them. Linear in the runs up to the
 * sorting, which the cut depth bounds.
 */
export function layOutPdf(pages: readonly PlacedPage[]): PdfText {
  const runs = pages.map((page) => runsOf(page.items));
  const running = runningLines(runs, PDF_LAYOUT_RULES.sameLine);
  const orderedPages = runs.map((pageRuns) => readingOrder(running.size === 0 ? pageRuns : pageRuns.filter((run) => !running.has(run))));
  const bodyHeight = medianHeight(orderedPages);
  const parts: string[] = [];
  let length = 0;
  const append = (piece: string) => {
    parts.push(piece);
    length += piece.length;
  };
  const documentPages: DocumentPage[] = [];
  const headings: DocumentHeading[] = [];
  /** The paragraph being written: where it starts, in the text and in `parts`, its first line's height and its words. */
  let paragraph: { start: number; part: number; height: number; words: number } | null = null;
  const closeParagraph = () => {
    if (paragraph && paragraph.height >= bodyHeight * PDF_LAYOUT_RULES.headingScale && paragraph.words <= PDF_LAYOUT_RULES.headingMaxWords) {
      const text = parts.slice(paragraph.part).join('');
      if (/\p{L}/u.test(text)) headings.push({ start: paragraph.start, end: paragraph.start + text.length, text });
    }
    paragraph = null;
  };
  let previous: Line | null = null;
  /** The pending line's last run text is in `parts` last; a hyphen there may still be taken back. */
  let lastBox: { page: TextBox[]; index: number } | null = null;

  orderedPages.forEach((lines, pageIndex) => {
    const boxes: TextBox[] = [];
    const source = pages[pageIndex]!;
    let pageStart = -1;
    for (const line of lines) {
      if (previous) {
        const join = joinBetween(previous, line, pageStart === -1);
        if (join === 'paragraph') {
          closeParagraph();
          append('\n\n');
        } else if (join === 'row') {
          closeParagraph();
          append('\n');
        } else if (join === 'cell') {
          append('\t');
        } else if (join === 'hyphen' && lastBox) {
          // Take the hyphen back: it ends the text so far and the last box.
          parts[parts.length - 1] = parts.at(-1)!.slice(0, -1);
          length -= 1;
          const box = lastBox.page[lastBox.index]!;
          const [start, end, x, y, width, height] = box;
          lastBox.page[lastBox.index] = [start, end - 1, x, y, round((width * (end - 1 - start)) / (end - start)), height];
        } else {
          append(' ');
        }
      }
      if (pageStart === -1) pageStart = length;
      paragraph ??= { start: length, part: parts.length, height: line.height, words: 0 };
      line.runs.forEach((run, i) => {
        if (i > 0) append(gapJoin(line.runs[i - 1]!, run, line.height));
        boxes.push([length, length + run.text.length, round(run.x), round(run.y), round(run.width), round(run.height)]);
        paragraph!.words += run.text.split(/\s+/).length;
        append(run.text);
      });
      lastBox = { page: boxes, index: boxes.length - 1 };
      previous = line;
    }
    if (pageStart === -1) pageStart = length;
    // The break after a page is decided when the next page's first line comes: `previous` carries over.
    documentPages.push({ number: pageIndex + 1, start: pageStart, end: length, width: round(source.width), height: round(source.height), boxes });
  });
  closeParagraph();
  return { text: parts.join(''), pages: documentPages, headings };
}

type Join = 'paragraph' | 'row' | 'cell' | 'hyphen' | 'space';

const SENTENCE_END = /[.!?:;…"”’)\]]$/u;
const HYPHENATED = /\p{L}-$/u;
const LOWER_START = /^\p{Ll}/u;

/** How the text of `line` joins the text before it (whose last line is `previous`). */
function joinBetween(previous: Line, line: Line, newPage: boolean): Join {
  const before = previous.runs.at(-1)!.text;
  const after = line.runs[0]!.text;
  const runsOn = () => (HYPHENATED.test(before) && LOWER_START.test(after) ? 'hyphen' : 'space');
  if (newPage) return !SENTENCE_END.test(before) && LOWER_START.test(after) ? runsOn() : 'paragraph';
  const height = Math.max(previous.height, line.height);
  const sameRow = Math.abs(line.top - previous.top) < PDF_LAYOUT_RULES.sameLine * height && line.left >= previous.right;
  if (sameRow) return 'cell';
  const gap = line.top - previous.bottom;
  // Up the page (the next column) or far below: a new paragraph; so is a change of size.
  if (gap < -PDF_LAYOUT_RULES.sameLine * height || gap > PDF_LAYOUT_RULES.paragraphGap * height) return 'paragraph';
  if (height >= (1 + PDF_LAYOUT_RULES.sizeChange) * Math.min(previous.height, line.height)) return 'paragraph';
  // A line made of cells is a table row: the next line is the next row, not more of a sentence.
  if (previous.runs.length > 1 && hasCells(previous)) return 'row';
  return runsOn();
}

function hasCells(line: Line): boolean {
  for (let i = 1; i < line.runs.length; i++) {
    if (line.runs[i]!.x - line.runs[i - 1]!.right > PDF_LAYOUT_RULES.cellGap * line.height) return true;
  }
  return false;
}

function gapJoin(left: Run, right: Run, height: number): string {
  const gap = right.x - left.right;
  if (gap > PDF_LAYOUT_RULES.cellGap * height) return '\t';
  if (gap < PDF_LAYOUT_RULES.touching * height) return '';
  return ' ';
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

/** The median font height of all lines, weighted by their characters: the body text's size. */
function medianHeight(pages: readonly Line[][]): number {
  const weighted: [height: number, chars: number][] = [];
  for (const lines of pages) for (const line of lines) weighted.push([line.height, line.runs.reduce((n, r) => n + r.text.length, 0)]);
  if (weighted.length === 0) return 0;
  weighted.sort((a, b) => a[0] - b[0]);
  const half = weighted.reduce((n, [, chars]) => n + chars, 0) / 2;
  let seen = 0;
  for (const [height, chars] of weighted) {
    seen += chars;
    if (seen >= half) return height;
  }
  return weighted.at(-1)![0];
}

/** A page's text items as runs: cleaned, without empty or unplaceable ones. */
function runsOf(items: readonly PlacedText[]): Run[] {
  const runs: Run[] = [];
  for (const item of items) {
    const text = cleanRunText(item.text);
    if (text === '' || !(item.width >= 0) || !Number.isFinite(item.x) || !Number.isFinite(item.y)) continue;
    const height = item.height > 0 ? item.height : 1;
    runs.push({ text, x: item.x, y: item.y, width: item.width, height, right: item.x + item.width, bottom: item.y + height });
  }
  return runs;
}

/** A page's runs as lines in reading order. */
function readingOrder(runs: Run[]): Line[] {
  const lines: Line[] = [];
  xyCut(runs, 0, lines);
  return lines;
}

/** Recursive XY cut: splits `runs` at the widest white gap, vertical (columns) or horizontal (blocks), in order. */
function xyCut(runs: Run[], depth: number, out: Line[]): void {
  if (runs.length <= 1 || depth >= PDF_LAYOUT_RULES.maxCutDepth) {
    out.push(...groupLines(runs));
    return;
  }
  const horizontal = gaps(runs, (r) => r.y, (r) => r.bottom);
  const vertical = gaps(runs, (r) => r.x, (r) => r.right);
  const typical = medianOf(runs.map((r) => r.height));
  const minGutter = Math.max(PDF_LAYOUT_RULES.minGutterPoints, PDF_LAYOUT_RULES.minGutter * typical);
  // One row of runs (no horizontal gap) is one line, its cells apart by tabs; no cut can change its order.
  if (horizontal.length === 0) {
    out.push(...groupLines(runs));
    return;
  }
  const widestH = largest(horizontal.map((g) => g.size));
  const gutters = vertical.filter((g) => g.size >= minGutter);
  if (gutters.length > 0 && largest(gutters.map((g) => g.size)) > widestH) {
    const parts = splitAt(runs, gutters, (r) => r.x);
    if (parts.every(isProse)) {
      for (const part of parts) xyCut(part, depth + 1, out);
      return;
    }
  }
  const cuts = horizontal.filter((g) => g.size >= widestH * PDF_LAYOUT_RULES.horizontalCutShare);
  for (const part of splitAt(runs, cuts, (r) => r.y)) xyCut(part, depth + 1, out);
}

interface Gap {
  /** Where the gap ends: the first run starting at or after this lies beyond it. */
  readonly at: number;
  readonly size: number;
}

/** The white gaps along one axis: stretches no run covers, between the first run's start and the last one's end. */
function gaps(runs: readonly Run[], start: (r: Run) => number, end: (r: Run) => number): Gap[] {
  const sorted = [...runs].sort((a, b) => start(a) - start(b));
  const found: Gap[] = [];
  let reach = end(sorted[0]!);
  for (const run of sorted.slice(1)) {
    if (start(run) > reach) found.push({ at: start(run), size: start(run) - reach });
    reach = Math.max(reach, end(run));
  }
  return found;
}

/** Splits runs into the groups between consecutive gaps, in order along the axis. */
function splitAt(runs: readonly Run[], cuts: readonly Gap[], start: (r: Run) => number): Run[][] {
  const bounds = cuts.map((g) => g.at).sort((a, b) => a - b);
  const parts: Run[][] = bounds.map(() => []);
  parts.push([]);
  for (const run of runs) {
    let low = 0;
    let high = bounds.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (bounds[mid]! <= start(run)) low = mid + 1;
      else high = mid;
    }
    parts[low]!.push(run);
  }
  return parts.filter((part) => part.length > 0);
}

/** Whether a region reads as a column of prose: its lines average `minColumnLineChars` characters or more. */
function isProse(runs: readonly Run[]): boolean {
  const lines = groupLines(runs);
  const chars = lines.reduce((n, line) => n + line.runs.reduce((m, r) => m + r.text.length + 1, 0), 0);
  return chars / lines.length >= PDF_LAYOUT_RULES.minColumnLineChars;
}

/** Runs grouped into lines (tops within `sameLine` of the line's first run), top to bottom, each left to right. */
function groupLines(runs: readonly Run[]): Line[] {
  const sorted = [...runs].sort((a, b) => a.y - b.y || a.x - b.x);
  const lines: Run[][] = [];
  for (const run of sorted) {
    const current = lines.at(-1);
    if (current && Math.abs(run.y - current[0]!.y) < PDF_LAYOUT_RULES.sameLine * Math.max(run.height, current[0]!.height)) current.push(run);
    else lines.push([run]);
  }
  return lines.map((line) => {
    line.sort((a, b) => a.x - b.x);
    return {
      runs: line,
      top: smallest(line.map((r) => r.y)),
      bottom: largest(line.map((r) => r.bottom)),
      left: line[0]!.x,
      right: largest(line.map((r) => r.right)),
      height: largest(line.map((r) => r.height)),
    };
  });
}

/** The largest value (-Infinity for none); a loop, since spreading a long array into `Math.max` overflows the stack. */
function largest(values: readonly number[]): number {
  let max = Number.NEGATIVE_INFINITY;
  for (const value of values) if (value > max) max = value;
  return max;
}

function smallest(values: readonly number[]): number {
  let min = Number.POSITIVE_INFINITY;
  for (const value of values) if (value < min) min = value;
  return min;
}

function medianOf(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1] ?? 0;
}
