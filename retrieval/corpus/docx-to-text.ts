import { zipSync } from 'fflate';
import type { DocumentHeading } from '../types.js';
import { DEFAULT_ZIP_LIMITS, unpackZip, type ZipLimits } from './zip-archive.js';

/** A Word document's text with its headings, or why it has none to give. */
export type DocxConversion =
  | { readonly ok: true; readonly text: string; readonly headings: readonly DocumentHeading[]; readonly title: string | null }
  | { readonly ok: false; readonly reason: string };

/** Options of {@link docxToText}. */
export interface DocxToTextOptions {
  /** @default DEFAULT_ZIP_LIMITS */
  readonly limits?: ZipLimits;
}

/** Deepest nesting of elements (tables in tables, runs in links) followed; deeper content is refused, not recursed into. */
const MAX_DEPTH = 100;

/** Paragraph styles that make a heading: Word's built-in `Heading 1` to `Heading 6` and `Title`, by name or id. */
const HEADING_STYLE = /^(?:heading ?[1-6]|title)$/i;
const TITLE_STYLE = /^title$/i;
const HEADING_1_STYLE = /^heading ?1$/i;

/** The parts of mammoth's document tree read here (see mammoth's `documents.js`). */
interface DocxElement {
  readonly type: string;
  readonly children?: readonly DocxElement[];
  readonly value?: string;
  readonly styleId?: string | null;
  readonly styleName?: string | null;
}

class TooDeep extends Error {}

/**
 * Reads a Word document (DOCX) with mammoth into text: paragraphs apart by a blank line, a paragraph's line breaks
 * and tabs kept, tables flattened row by row (a row's cells apart by tabs, rows by line breaks, a cell's paragraphs by
 * spaces). Paragraphs in a heading style (`Heading 1`–`6`, `Title`) become heading metadata. Footnotes, comments and
 * images are left out. The ZIP is unpacked first within `limits` (`zip-archive.ts`), and mammoth is handed only what
 * was unpacked, stored without compression, so a zip bomb is refused before anything inflates. External files a
 * document links to are never read. Never throws for a bad file: it comes back with the reason.
 */
export async function docxToText(bytes: Uint8Array, options: DocxToTextOptions = {}): Promise<DocxConversion> {
  const entries = unpackZip(bytes, options.limits ?? DEFAULT_ZIP_LIMITS);
  if (typeof entries === 'string') return { ok: false, reason: entries };
  if (!entries['word/document.xml']) return { ok: false, reason: 'a ZIP archive without word/document.xml: not a Word document' };
  const stored = zipSync(Object.fromEntries(Object.entries(entries).map(([name, data]) => [name, [data, { level: 0 }]])));
  let root: DocxElement | null = null;
  try {
    // Imported on the first Word document, not when the corpus loader is: most corpora have none.
    const { default: mammoth } = await import('mammoth');
    await mammoth.convertToHtml(
      { buffer: Buffer.from(stored.buffer, stored.byteOffset, stored.byteLength) },
      {
        externalFileAccess: false,
        // Images are not text: their bytes are never read.
        convertImage: mammoth.images.imgElement(() => Promise.resolve({ src: '' })),
        transformDocument: (document: DocxElement) => {
          root = document;
          return document;
        },
      },
    );
  } catch (error) {
    return { ok: false, reason: `Word document could not be read (${error instanceof Error ? error.message : String(error)})` };
  }
  if (root === null) return { ok: false, reason: 'Word document could not be read (no document body)' };
  try {
    return { ok: true, ...writeText(root) };
  } catch (error) {
    if (error instanceof TooDeep) return { ok: false, reason: `elements nested more than ${MAX_DEPTH} deep: not a document Verbatim can read` };
    throw error;
  }
}

/** Writes the document tree as text, recording headings and the title. */
function writeText(root: DocxElement): { text: string; headings: DocumentHeading[]; title: string | null } {
  const parts: string[] = [];
  let length = 0;
  const headings: DocumentHeading[] = [];
  let title: string | null = null;
  let firstHeading1: string | null = null;
  const block = (text: string) => {
    if (text.trim() === '') return null;
    if (parts.length > 0) {
      parts.push('\n\n');
      length += 2;
    }
    const start = length;
    parts.push(text);
    length += text.length;
    return start;
  };
  const walkBlocks = (elements: readonly DocxElement[], depth: number) => {
    if (depth > MAX_DEPTH) throw new TooDeep();
    for (const element of elements) {
      if (element.type === 'paragraph') {
        const raw = inlineText(element.children ?? [], depth + 1);
        const text = raw.trim();
        const start = block(text);
        if (start === null) continue;
        const style = element.styleName ?? element.styleId ?? '';
        if (HEADING_STYLE.test(style) || HEADING_STYLE.test(element.styleId ?? '')) {
          headings.push({ start, end: start + text.length, text });
          if (title === null && (TITLE_STYLE.test(style) || TITLE_STYLE.test(element.styleId ?? ''))) title = text;
          if (firstHeading1 === null && (HEADING_1_STYLE.test(style) || HEADING_1_STYLE.test(element.styleId ?? ''))) firstHeading1 = text;
        }
      } else if (element.type === 'table') {
        block(tableText(element, depth + 1));
      } else if (element.children) {
        walkBlocks(element.children, depth + 1);
      }
    }
  };
  walkBlocks(root.children ?? [], 0);
  return { text: parts.join(''), headings, title: title ?? firstHeading1 };
}

/** A table row by row: cells apart by tabs, rows by line breaks; a cell's own paragraphs and tables flattened into it. */
function tableText(table: DocxElement, depth: number): string {
  if (depth > MAX_DEPTH) throw new TooDeep();
  const rows: string[] = [];
  for (const row of table.children ?? []) {
    if (row.type !== 'tableRow') continue;
    const cells = (row.children ?? []).filter((cell) => cell.type === 'tableCell').map((cell) => flatText(cell.children ?? [], depth + 1));
    if (cells.some((cell) => cell !== '')) rows.push(cells.join('\t'));
  }
  return rows.join('\n');
}

/** Everything in `elements` on one line: paragraphs and rows apart by a space. */
function flatText(elements: readonly DocxElement[], depth: number): string {
  if (depth > MAX_DEPTH) throw new TooDeep();
  const pieces: string[] = [];
  for (const element of elements) {
    if (element.type === 'paragraph') pieces.push(inlineText(element.children ?? [], depth + 1).replace(/\s+/g, ' ').trim());
    else if (element.type === 'table') pieces.push(tableText(element, depth + 1).replace(/\s+/g, ' ').trim());
    else if (element.children) pieces.push(flatText(element.children, depth + 1));
  }
  return pieces.filter((piece) => piece !== '').join(' ');
}

/** The text of a paragraph's runs, links and fields; a tab and a line break as themselves. */
function inlineText(elements: readonly DocxElement[], depth: number): string {
  if (depth > MAX_DEPTH) throw new TooDeep();
  let text = '';
  for (const element of elements) {
    if (element.type === 'text') text += element.value ?? '';
    else if (element.type === 'tab') text += '\t';
    else if (element.type === 'break') text += '\n';
    else if (element.children && element.type !== 'note' && element.type !== 'comment') text += inlineText(element.children, depth + 1);
  }
  return text;
}
