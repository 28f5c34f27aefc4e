import { createRequire } from 'node:module';
import path from 'node:path';
import type { DocumentHeading, DocumentPage } from '../types.js';
import { cleanRunText, layOutPdf, type PlacedPage, type PlacedText } from './pdf-layout.js';

/** Why a PDF without any text is skipped: its pages are pictures of text. */
export const NO_TEXT_LAYER = 'no text layer — scanned PDF; OCR is not enabled';

/** Bounds on the work one PDF may cause; a PDF past one is skipped with a reason naming it. */
export interface PdfLimits {
  /** Most pages read. @default 2000 */
  readonly maxPages: number;
  /** Most text items (runs of text as the PDF draws them) over all pages. @default 1,000,000 */
  readonly maxTextItems: number;
  /** Most text items on one page; the reading-order sort is per page. @default 50,000 */
  readonly maxTextItemsPerPage: number;
  /** Longest a PDF may take to read, in milliseconds, so a malformed file cannot hold up ingest. @default 60,000 */
  readonly timeoutMs: number;
}

/** See {@link PdfLimits}. */
export const DEFAULT_PDF_LIMITS: PdfLimits = Object.freeze({ maxPages: 2000, maxTextItems: 1_000_000, maxTextItemsPerPage: 50_000, timeoutMs: 60_000 });

/** A PDF's text with its page map and headings, or why it has none to give. */
export type PdfConversion =
  | { readonly ok: true; readonly text: string; readonly pages: readonly DocumentPage[]; readonly headings: readonly DocumentHeading[]; readonly title: string | null }
  | { readonly ok: false; readonly reason: string };

/** Options of {@link pdfToText}. */
export interface PdfToTextOptions {
  /** @default DEFAULT_PDF_LIMITS */
  readonly limits?: PdfLimits;
  /** Stops the read; the promise then resolves with a reason (the caller checks the signal). */
  readonly signal?: AbortSignal;
}

/** The part of PDF.js this file uses, loaded on first use: only a corpus with a PDF in it pays for loading it. */
type PdfJs = typeof import('pdfjs-dist/legacy/build/pdf.mjs');

const pdfjsRoot = path.dirname(createRequire(import.meta.url).resolve('pdfjs-dist/package.json'));
/** PDF.js reads the 14 standard fonts' metrics and the CJK character maps from its package; paths end in `/`. */
const STANDARD_FONTS = `${path.join(pdfjsRoot, 'standard_fonts')}${path.sep}`;
const CMAPS = `${path.join(pdfjsRoot, 'cmaps')}${path.sep}`;

/** Why a PDF that took longer than its time limit is skipped. */
export function pdfTimeoutReason(limits: PdfLimits): string {
  return `took longer than ${limits.timeoutMs / 1000} s to read (a damaged or very complex PDF): skipped`;
}

class Stop extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

/**
 * Reads a PDF's text layer with Mozilla's PDF.js and lays it out as text in reading order (`pdf-layout.ts`), with
 * every page's range of the text and each text item's range and rectangle. PDF.js runs with JavaScript evaluation
 * off (`isEvalSupported: false`), no scripting (its scripting sandbox is never loaded: a PDF's own JavaScript is not
 * run), no font loading and no system fonts, so reading a PDF executes nothing from it. Never throws for a bad file:
 * an encrypted, malformed, oversized or slow PDF, or one without text, comes back with the reason.
 */
export async function pdfToText(bytes: Uint8Array, options: PdfToTextOptions = {}): Promise<PdfConversion> {
  const limits = options.limits ?? DEFAULT_PDF_LIMITS;
  const pdfjs: PdfJs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const task = pdfjs.getDocument({
    // A copy: PDF.js may take ownership of (detach) the buffer it is given.
    data: new Uint8Array(bytes),
    isEvalSupported: false,
    disableFontFace: true,
    useSystemFonts: false,
    standardFontDataUrl: STANDARD_FONTS,
    cMapUrl: CMAPS,
    cMapPacked: true,
    enableXfa: false,
    disableAutoFetch: true,
    isOffscreenCanvasSupported: false,
    verbosity: pdfjs.VerbosityLevel.ERRORS,
  });
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const stopped = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Stop(pdfTimeoutReason(limits))), limits.timeoutMs);
    onAbort = () => reject(new Stop('reading was cancelled'));
    options.signal?.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([read(pdfjs, task, limits), stopped]);
  } catch (error) {
    return { ok: false, reason: reasonOf(error) };
  } finally {
    clearTimeout(timer);
    if (onAbort) options.signal?.removeEventListener('abort', onAbort);
    // Ends the document's work even when the time limit cut it short.
    await task.destroy().catch(() => {});
  }
}

async function read(pdfjs: PdfJs, task: ReturnType<PdfJs['getDocument']>, limits: PdfLimits): Promise<PdfConversion> {
  const pdf = await task.promise;
  if (pdf.numPages > limits.maxPages) throw new Stop(`${pdf.numPages} pages, more than the ${limits.maxPages}-page limit: split it`);
  const pages: PlacedPage[] = [];
  let items = 0;
  for (let number = 1; number <= pdf.numPages; number++) {
    const page = await pdf.getPage(number);
    const viewport = page.getViewport({ scale: 1 });
    const content = await page.getTextContent();
    if (content.items.length > limits.maxTextItemsPerPage) {
      throw new Stop(`page ${number} has ${content.items.length} text items, more than the ${limits.maxTextItemsPerPage} limit`);
    }
    items += content.items.length;
    if (items > limits.maxTextItems) throw new Stop(`more than ${limits.maxTextItems} text items: split it`);
    const placed: PlacedText[] = [];
    for (const item of content.items) {
      if (!('str' in item) || item.str === '') continue;
      placed.push(place(pdfjs, viewport.transform, item.transform as number[], item.width, item.str));
    }
    pages.push({ width: viewport.width, height: viewport.height, items: placed });
    page.cleanup();
  }
  const laidOut = layOutPdf(pages);
  if (laidOut.text.trim() === '') throw new Stop(NO_TEXT_LAYER);
  const info = (await pdf.getMetadata().catch(() => null))?.info as { Title?: unknown } | undefined;
  const title = typeof info?.Title === 'string' && cleanRunText(info.Title) !== '' ? cleanRunText(info.Title) : null;
  return { ok: true, ...laidOut, title };
}

/**
 * A text item's rectangle on the page as displayed: the item's matrix taken through the page's viewport (which
 * applies the crop box and rotation), then the bounding box of the run from its baseline up one font height.
 */
function place(pdfjs: PdfJs, viewport: number[], transform: number[], width: number, text: string): PlacedText {
  const [a, b, c, d, e, f] = pdfjs.Util.transform(viewport, transform) as number[];
  const fontHeight = Math.hypot(c!, d!);
  const length = Math.hypot(a!, b!);
  // Unit vectors along the text and towards its top, in display coordinates (y down).
  const along = length > 0 ? [a! / length, b! / length] : [1, 0];
  const up = fontHeight > 0 ? [c! / fontHeight, d! / fontHeight] : [0, -1];
  const xs = [e!, e! + along[0]! * width, e! + up[0]! * fontHeight, e! + along[0]! * width + up[0]! * fontHeight];
  const ys = [f!, f! + along[1]! * width, f! + up[1]! * fontHeight, f! + along[1]! * width + up[1]! * fontHeight];
  const x = Math.min(...xs);
  const y = Math.min(...ys);
  return { text, x, y, width: Math.max(...xs) - x, height: Math.max(...ys) - y };
}

function reasonOf(error: unknown): string {
  if (error instanceof Stop) return error.reason;
  const name = (error as { name?: unknown } | null)?.name;
  const message = error instanceof Error ? error.message : String(error);
  if (name === 'PasswordException') return 'encrypted PDF: it needs a password to open; save a copy without a password to index it';
  if (name === 'InvalidPDFException') return `not a readable PDF (${message}): the file is damaged or only claims to be a PDF`;
  return `PDF could not be read (${message})`;
}
