/**
 * The source panel shows a document as paragraphs and headings, yet every character of its text stays in the page, in
 * order, so a span of the text is still a span of the page's text: the highlight reads exactly `text.slice(start, end)`.
 */
import { findHeadings } from '../../retrieval/chunk/find-headings.js';
import { parseAtxHeading } from '../../retrieval/text/atx-heading.js';
import { splitLines, type TextLine as Line } from '../../retrieval/text/scan-text.js';
import { el } from './dom.js';

/**
 * A run of the text: a heading line, a paragraph (lines up to a blank line or a heading), or a gap (the line breaks
 * and blank lines between them, which the page keeps but does not show: the blocks' spacing takes their place).
 * Consecutive blocks cover the text from 0 to its length with no overlap.
 */
export interface SourceBlock {
  readonly kind: 'heading' | 'paragraph' | 'gap';
  readonly start: number;
  readonly end: number;
  /** For a heading: its rank below the panel's own `<h2>` (3 to 6); a Markdown `#` is 3, `##` is 4, a plain heading 3. */
  readonly level?: number;
}

const isBlank = (text: string, line: Line) => text.slice(line.start, line.end).trim() === '';

/**
 * Splits `text` into blocks in one pass. Headings are the ones the chunker labels passages with (`findHeadings`), so
 * the panel and the passages' section names agree. A text with no blank line at all (text taken from a web page or a
 * PDF, one paragraph a line) has a paragraph per line.
 */
export function sourceBlocks(text: string): SourceBlock[] {
  const lines = splitLines(text);
  const filled = lines.map((line) => !isBlank(text, line));
  // Blank lines before the first text or after the last separate nothing.
  const linePerParagraph = !filled.slice(filled.indexOf(true), filled.lastIndexOf(true) + 1).includes(false);
  const headings = findHeadings(text);
  const blocks: SourceBlock[] = [];
  let cursor = 0;
  const push = (kind: 'heading' | 'paragraph', start: number, end: number, level?: number) => {
    if (start > cursor) blocks.push({ kind: 'gap', start: cursor, end: start });
    blocks.push(level === undefined ? { kind, start, end } : { kind, start, end, level });
    cursor = end;
  };
  let paragraph: { start: number; end: number } | null = null;
  const endParagraph = () => {
    if (paragraph) push('paragraph', paragraph.start, paragraph.end);
    paragraph = null;
  };
  let next = 0;
  for (const [index, line] of lines.entries()) {
    while (next < headings.length && headings[next]!.start < line.start) next++;
    // A heading's text is never empty, so it starts inside its line's content.
    const isHeading = next < headings.length && headings[next]!.start < line.end;
    if (!filled[index]) {
      endParagraph();
    } else if (isHeading) {
      endParagraph();
      const atx = parseAtxHeading(text.slice(line.start, line.end));
      push('heading', line.start, line.end, atx ? Math.min(6, atx.level + 2) : 3);
    } else if (paragraph && !linePerParagraph) {
      paragraph.end = line.end;
    } else {
      endParagraph();
      paragraph = { start: line.start, end: line.end };
    }
  }
  endParagraph();
  if (cursor < text.length) blocks.push({ kind: 'gap', start: cursor, end: text.length });
  return blocks;
}

/** The document view with the span `[start, end)` highlighted; null `span` highlights nothing. */
export interface RenderedSource {
  /** The view's content, to put in the panel's text region. */
  readonly nodes: readonly Node[];
  /**
   * The highlight, one `<mark>` per block it crosses (a span over a paragraph break is cut at the break); their texts
   * joined are exactly `text.slice(start, end)`. Empty when `span` is null.
   */
  readonly marks: readonly HTMLElement[];
}

const HEADING_TAGS = { 3: 'h3', 4: 'h4', 5: 'h5', 6: 'h6' } as const;

/** Renders `text` as {@link sourceBlocks}, every character in order, with `span` (inside the text) in `<mark>`s. */
export function renderSource(text: string, span: { readonly start: number; readonly end: number } | null): RenderedSource {
  const marks: HTMLElement[] = [];
  const nodes: Node[] = [];
  for (const block of sourceBlocks(text)) {
    const node =
      block.kind === 'gap'
        ? el('span', { className: 'source-gap' })
        : block.kind === 'heading'
          ? el(HEADING_TAGS[(block.level ?? 3) as keyof typeof HEADING_TAGS], { className: 'source-heading' })
          : el('p', { className: 'source-paragraph' });
    fill(node, text, block, span, marks);
    nodes.push(node);
  }
  // An empty span at the very end still gets its (empty) mark, so the panel can show where it is.
  if (span && span.start === span.end && marks.length === 0) {
    const mark = el('mark');
    marks.push(mark);
    nodes.push(mark);
  }
  return { nodes, marks };
}

function fill(node: HTMLElement, text: string, block: SourceBlock, span: { readonly start: number; readonly end: number } | null, marks: HTMLElement[]): void {
  if (!span) {
    node.append(text.slice(block.start, block.end));
    return;
  }
  const clamp = (offset: number) => Math.min(Math.max(offset, block.start), block.end);
  const from = clamp(span.start);
  const to = clamp(span.end);
  if (from > block.start) node.append(text.slice(block.start, from));
  const empty = span.start === span.end && span.start >= block.start && span.start < block.end;
  if (to > from || empty) {
    const mark = el('mark', {}, text.slice(from, to));
    marks.push(mark);
    node.append(mark);
  }
  if (block.end > to) node.append(text.slice(to, block.end));
}
