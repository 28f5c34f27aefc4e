import { beforeAll, describe, expect, it } from 'vitest';
import type { DocumentPage } from '../types.js';
import { EMBEDDED_SCRIPT, makeEncryptedPdf, makeReportPdf, makeScannedPdf, makeScriptedPdf, makeSimplePdf, REPORT } from './__fixtures__/test-documents.js';
import { pagesOfSpan, rectanglesOfSpan, withPages } from './page-map.js';
import { layOutPdf } from './pdf-layout.js';
import { DEFAULT_PDF_LIMITS, NO_TEXT_LAYER, pdfToText, type PdfConversion } from './pdf-to-text.js';

type Read = Extract<PdfConversion, { ok: true }>;
let report: Read;

/** The report's text as a reader would type it out: columns one after the other, the table row by row. */
const EXPECTED_TEXT = [
  REPORT.heading,
  `${REPORT.intro.join(' ').replace('care- fully', 'carefully')}`,
  REPORT.left.join(' '),
  REPORT.right.join(' '),
  REPORT.table.map((row) => row.join('\t')).join('\n'),
  `${REPORT.pageOneEnd} ${REPORT.pageTwoStart} ${REPORT.pageTwo.join(' ')}`,
  REPORT.tradeHeading,
  REPORT.trade.join(' '),
  REPORT.pageThree.join(' '),
].join('\n\n');

beforeAll(async () => {
  const read = await pdfToText(await makeReportPdf());
  if (!read.ok) throw new Error(read.reason);
  report = read;
});

const pageText = (page: DocumentPage) => report.text.slice(page.start, page.end);
const spanOf = (needle: string) => {
  const start = report.text.indexOf(needle);
  expect(start, needle).toBeGreaterThanOrEqual(0);
  return { start, end: start + needle.length };
};

describe('pdfToText on a three-page PDF made with pdf-lib', () => {
  it('gives the text in reading order: columns one after the other, a table row by row, hyphenation undone, non-ASCII intact', () => {
    expect(report.text).toBe(EXPECTED_TEXT);
    expect(report.text).toContain('café on its quay served crème brûlée to sailors from Zürich; “Straße” signs — in German — were put up in 1902.');
    expect(report.text).toContain('kept a carefully written log');
  });

  it('keeps every page as a range of the text, with the sentence across the page break on both', () => {
    expect(report.pages.map((p) => p.number)).toEqual([1, 2, 3]);
    expect(report.pages.map((p) => [p.width, p.height])).toEqual([
      [595, 842],
      [595, 842],
      [595, 842],
    ]);
    const [one, two, three] = report.pages as [DocumentPage, DocumentPage, DocumentPage];
    expect(pageText(one).startsWith(REPORT.heading)).toBe(true);
    expect(pageText(one).endsWith(REPORT.pageOneEnd)).toBe(true);
    expect(pageText(two).startsWith(REPORT.pageTwoStart)).toBe(true);
    expect(pageText(three)).toBe(REPORT.pageThree[0]);
    const sentence = spanOf(`${REPORT.pageOneEnd} ${REPORT.pageTwoStart}`);
    expect(pagesOfSpan(report.pages, sentence.start, sentence.end)).toEqual([1, 2]);
    expect(pagesOfSpan(report.pages, ...bounds(spanOf('Fishing fleets')))).toEqual([3]);
    expect(pagesOfSpan(report.pages, ...bounds(spanOf('granite')))).toEqual([1]);
  });

  it('maps every text item to its range of the text and its place on the page', () => {
    const drawn = new Set<string>([REPORT.heading, ...REPORT.intro, ...REPORT.left, ...REPORT.right, ...REPORT.table.flat(), REPORT.pageOneEnd, REPORT.pageTwoStart, ...REPORT.pageTwo, REPORT.tradeHeading, ...REPORT.trade, ...REPORT.pageThree]);
    let boxes = 0;
    for (const page of report.pages) {
      for (const [start, end, x, y, width, height] of page.boxes) {
        const text = report.text.slice(start, end);
        // The hyphenated line's item lost its hyphen to the joined word.
        expect(drawn.has(text) || drawn.has(`${text}-`), text).toBe(true);
        expect(start).toBeGreaterThanOrEqual(page.start);
        expect(end).toBeLessThanOrEqual(page.end);
        expect(x >= 0 && y >= 0 && x + width <= page.width && y + height <= page.height).toBe(true);
        boxes++;
      }
    }
    expect(boxes).toBe(drawn.size);
    const [granite] = rectanglesOfSpan(report.pages, ...bounds(spanOf('granite')));
    const [timber] = rectanglesOfSpan(report.pages, ...bounds(spanOf('timber')));
    // Left column at x 50, right at 320; the first column line's top is one font height above its baseline at 640 (842 − 640 − 11).
    expect(granite).toMatchObject({ page: 1, y: 191, height: 11 });
    expect(granite!.x).toBeGreaterThan(50);
    expect(granite!.x + granite!.width).toBeLessThan(320);
    expect(timber!.x).toBeGreaterThan(320);
    const across = rectanglesOfSpan(report.pages, ...bounds(spanOf(`${REPORT.pageOneEnd} ${REPORT.pageTwoStart}`)));
    expect(across.map((r) => r.page)).toEqual([1, 2]);
  });

  it('gives citations their first page and every page they touch, leaving offsets and quote as they were', () => {
    const { start, end } = spanOf(`${REPORT.pageOneEnd} ${REPORT.pageTwoStart}`);
    const citation = { n: 1, docId: 'report.pdf', start, end, quote: report.text.slice(start, end) };
    expect(withPages(citation, report.pages)).toEqual({ ...citation, page: 1, pages: [1, 2] });
    expect(withPages(citation, undefined)).toBe(citation);
  });

  it('finds the headings set larger than the body text, and takes the title from the metadata', () => {
    expect(report.headings.map((h) => h.text)).toEqual([REPORT.heading, REPORT.tradeHeading]);
    for (const h of report.headings) expect(report.text.slice(h.start, h.end)).toBe(h.text);
    expect(report.title).toBe(REPORT.title);
  });
});

describe('layOutPdf', () => {
  const at = (text: string, x: number, y: number) => ({ text, x, y, width: text.length * 6, height: 12 });

  it('spells out ligatures and drops soft hyphens and control characters, keeping the boxes exact', () => {
    const laid = layOutPdf([{ width: 600, height: 800, items: [at('The \uFB01rst \uFB02oor of the of\uFB01ce', 50, 100), at('had ﬀ and \uFB03\u0007 in it.', 50, 114)] }]);
    expect(laid.text).toBe('The first floor of the office had ff and ffi in it.');
    expect(laid.pages[0]!.boxes.map(([s, e]) => laid.text.slice(s, e))).toEqual(['The first floor of the office', 'had ff and ffi in it.']);
  });

  it('keeps a heading 1.15 times the body size as its own paragraph and heading, even close above the body text', () => {
    // A word processor's 14 pt heading over 12 pt text, 4 pt apart (LibreOffice's Heading 2 in the office fixture).
    const heading = { text: 'The wool of the upper pastures', x: 50, y: 100, width: 200, height: 14 };
    const body = ['The cloth that made the valley’s name was woven from the fleece', 'of the small sheep grazed on the upper pastures.'];
    const laid = layOutPdf([{ width: 600, height: 800, items: [heading, ...body.map((line, i) => at(line, 50, 118 + i * 14))] }]);
    expect(laid.text).toBe(`${heading.text}\n\n${body.join(' ')}`);
    expect(laid.headings).toEqual([{ start: 0, end: heading.text.length, text: heading.text }]);
  });

  it('leaves out a running header and a page-number footer, so a sentence runs on across the page break past them', () => {
    const page = (n: number, body: string[]) => ({
      width: 600,
      height: 800,
      items: [at('Harbour Report — Annual Review', 50, 40), ...body.map((line, i) => at(line, 50, 100 + i * 14)), at(`Page ${n} of 3`, 280, 760)],
    });
    const laid = layOutPdf([page(1, ['The lighthouse on the breakwater was lit']), page(2, ['for the first time in 1904.', 'Ships still call twice a week.']), page(3, ['Fishing fleets moved in 1960.'])]);
    expect(laid.text).toBe('The lighthouse on the breakwater was lit for the first time in 1904. Ships still call twice a week.\n\nFishing fleets moved in 1960.');
    expect(laid.pages.map((p) => laid.text.slice(p.start, p.end))).toEqual(['The lighthouse on the breakwater was lit', 'for the first time in 1904. Ships still call twice a week.', 'Fishing fleets moved in 1960.']);
    expect(laid.pages.flatMap((p) => p.boxes).map(([s, e]) => laid.text.slice(s, e))).not.toContainEqual(expect.stringMatching(/Page|Annual Review/));
  });

  it('keeps edge lines that do not run: figures that are no page number, one-line pages, chapter headings, a line on too few pages', () => {
    const page = (lines: [string, number][]) => ({ width: 600, height: 800, items: lines.map(([text, y]) => at(text, 50, y)) });
    // The foot of every page says "Total", but its figure is no page number.
    const totals = layOutPdf(
      (
        [
          ['Ships in port.', 12],
          ['Boats at anchor.', 15],
          ['Ferries due.', 9],
        ] as const
      ).map(([text, total]) => page([[text, 100], [`Total ${total}`, 760]])),
    );
    expect(totals.text).toBe('Ships in port.\n\nTotal 12\n\nBoats at anchor.\n\nTotal 15\n\nFerries due.\n\nTotal 9');
    // Every page is the same one line: it is the text, not a running line.
    expect(layOutPdf([1, 2, 3].map(() => page([['Line of text.', 100]]))).text).toBe('Line of text.\n\nLine of text.\n\nLine of text.');
    // Every page the same two lines: top and bottom repeat, but they are all the text there is.
    expect(layOutPdf([1, 2, 3].map(() => page([['The ferry sails at dawn.', 100], ['It returns at dusk.', 114]]))).text).toBe(
      'The ferry sails at dawn. It returns at dusk.\n\nThe ferry sails at dawn. It returns at dusk.\n\nThe ferry sails at dawn. It returns at dusk.',
    );
    // A heading that numbers the chapters as the pages go is no running header either.
    const chapters = layOutPdf([1, 2, 3].map((n) => ({ width: 600, height: 800, items: [{ ...at(`Chapter ${n}`, 50, 40), height: 20 }, at(`Ships of year ${n * 7}.`, 50, 100), at('More ships.', 50, 114)] })));
    expect(chapters.headings.map((h) => h.text)).toEqual(['Chapter 1', 'Chapter 2', 'Chapter 3']);
    // A top line on one page of three is no running header.
    const once = layOutPdf([page([['Contents', 40], ['Ships in port.', 100]]), page([['Boats at anchor.', 100], ['More boats.', 114]]), page([['Ferries due.', 100], ['Fewer ferries.', 114]])]);
    expect(once.text).toBe('Contents\n\nShips in port.\n\nBoats at anchor. More boats.\n\nFerries due. Fewer ferries.');
  });

  it('keeps a hyphen before a capital letter, and a line-end hyphen at a paragraph end', () => {
    const laid = layOutPdf([{ width: 600, height: 800, items: [at('The north-', 50, 100), at('East wind.', 50, 114)] }]);
    expect(laid.text).toBe('The north- East wind.');
  });

  it('reads an empty page as an empty range between its neighbours', () => {
    const laid = layOutPdf([
      { width: 600, height: 800, items: [at('First page.', 50, 100)] },
      { width: 600, height: 800, items: [] },
      { width: 600, height: 800, items: [at('Third page.', 50, 100)] },
    ]);
    expect(laid.text).toBe('First page.\n\nThird page.');
    expect(laid.pages.map((p) => laid.text.slice(p.start, p.end))).toEqual(['First page.', '', 'Third page.']);
    expect(pagesOfSpan(laid.pages, 0, laid.text.length)).toEqual([1, 2, 3]);
  });
});

describe('pdfToText on PDFs it must not index', () => {
  it('skips an encrypted PDF with a reason', async () => {
    expect(await pdfToText(await makeEncryptedPdf())).toEqual({ ok: false, reason: expect.stringMatching(/^encrypted PDF: it needs a password/) });
  });

  it('skips a PDF without a text layer as a scan', async () => {
    expect(await pdfToText(await makeScannedPdf())).toEqual({ ok: false, reason: NO_TEXT_LAYER });
    expect(NO_TEXT_LAYER).toBe('no text layer — scanned PDF; OCR is not enabled');
  });

  it('skips malformed and truncated PDFs with a reason', async () => {
    const garbage = new TextEncoder().encode('%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 9 0 R >> garbage');
    expect(await pdfToText(garbage)).toEqual({ ok: false, reason: expect.stringMatching(/^(?:not a readable PDF|PDF could not be read) \(.+\)/) });
    const whole = await makeSimplePdf(['Some text.']);
    const truncated = await pdfToText(whole.subarray(0, 40));
    expect(truncated.ok).toBe(false);
  });

  it('skips a PDF past the page, text-item or time limit, naming the limit', async () => {
    const bytes = await makeReportPdf();
    expect(await pdfToText(bytes, { limits: { ...DEFAULT_PDF_LIMITS, maxPages: 2 } })).toEqual({ ok: false, reason: '3 pages, more than the 2-page limit: split it' });
    expect(await pdfToText(bytes, { limits: { ...DEFAULT_PDF_LIMITS, maxTextItemsPerPage: 10 } })).toEqual({ ok: false, reason: expect.stringMatching(/^page 1 has \d+ text items, more than the 10 limit$/) });
    expect(await pdfToText(bytes, { limits: { ...DEFAULT_PDF_LIMITS, maxTextItems: 30 } })).toEqual({ ok: false, reason: 'more than 30 text items: split it' });
    expect(await pdfToText(await makeSimplePdf(['Line of text.'], 200), { limits: { ...DEFAULT_PDF_LIMITS, timeoutMs: 1 } })).toEqual({
      ok: false,
      reason: 'took longer than 0.001 s to read (a damaged or very complex PDF): skipped',
    });
  });

  it('reads the text of a PDF with embedded JavaScript without running the script', async () => {
    const read = await pdfToText(await makeScriptedPdf());
    expect(read).toMatchObject({ ok: true, text: 'This page carries a script that must never run.' });
    expect((globalThis as { verbatimPdfScriptRan?: unknown }).verbatimPdfScriptRan).toBeUndefined();
    expect(EMBEDDED_SCRIPT).toContain('verbatimPdfScriptRan');
  });
});

function bounds(span: { start: number; end: number }): [number, number] {
  return [span.start, span.end];
}
