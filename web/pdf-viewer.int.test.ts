/**
 * A PDF's source panel (real Chromium, real server with a library): a PDF uploaded from the page is askable; clicking
 * the citation of an answer on page 2 draws page 2 with PDF.js and marks exactly the quoted characters in a text layer
 * built from the index's own boxes; pages, zoom and the text view work; deleting the document removes it from the
 * library and from answers. A quote that runs from page 1 onto page 2 is marked on both, part by part, each page
 * saying where the quote continues. The page fixture fails on any console error, so a CSP or Trusted Types violation fails too.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { makeReportPdf, makeScriptedPdf, REPORT } from '../retrieval/corpus/__fixtures__/test-documents.js';
import { seriousViolations } from './__fixtures__/axe.js';
import { ask, lastResult, openPage } from './__fixtures__/chat-page.js';
import { usePageServer, VIEWPORTS } from './__fixtures__/page-server.js';
import { saveScreenshot } from './__fixtures__/screenshots.js';

/** A mark of the text layer: its text and the range of the document text it claims to be. */
interface MarkPart {
  readonly text: string;
  readonly start: number;
  readonly end: number;
}

/** The marks matching `selector`, in order. */
function markParts(page: Page, selector: string): Promise<MarkPart[]> {
  return page.locator(selector).evaluateAll((marks) => marks.map((m) => ({ text: m.textContent ?? '', start: Number((m as HTMLElement).dataset.start), end: Number((m as HTMLElement).dataset.end) })));
}

/** Marks (of one page or of several, in order) joined by the document's own characters between them. */
async function joinedMarks(page: Page, parts: readonly MarkPart[]): Promise<string> {
  const text = await page.evaluate(async () => {
    const id = document.querySelector('#source-panel .source-doc-id')?.textContent ?? '';
    return ((await (await fetch(`/api/documents/${encodeURIComponent(id)}`)).json()) as { text: string }).text;
  });
  let joined = '';
  for (const [i, part] of parts.entries()) {
    expect(part.text).toBe(text.slice(part.start, part.end));
    joined += (i > 0 ? text.slice(parts[i - 1]!.end, part.start) : '') + part.text;
  }
  return joined;
}

/** The marks of the text layer, in order, joined by the document's own characters between them. */
async function markedText(page: Page, selector: string): Promise<string> {
  return joinedMarks(page, await markParts(page, selector));
}

/** True when every mark lies inside the drawn page. */
async function marksInsideCanvas(page: Page): Promise<boolean> {
  return page.evaluate(() => {
    const canvas = document.querySelector('#source-panel .pdf-canvas')!.getBoundingClientRect();
    const marks = [...document.querySelectorAll('#source-panel .pdf-text-layer mark')].map((m) => m.getBoundingClientRect());
    return marks.length > 0 && marks.every((r) => r.left >= canvas.left - 1 && r.right <= canvas.right + 1 && r.top >= canvas.top - 1 && r.bottom <= canvas.bottom + 1);
  });
}

/** The share of the canvas's pixels that are not white: the page has been drawn. */
async function inkedShare(page: Page): Promise<number> {
  return page.locator('#source-panel .pdf-canvas').evaluate((canvas: HTMLCanvasElement) => {
    const { data } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
    let inked = 0;
    for (let i = 0; i < data.length; i += 4) if (data[i]! < 200 || data[i + 1]! < 200 || data[i + 2]! < 200) inked += 1;
    return inked / (data.length / 4);
  });
}

describe('the source panel for PDFs', () => {
  const served = usePageServer({ library: true });

  it.each(Object.entries(VIEWPORTS))('at %s width: draws the cited page with exactly the quote marked, pages and zooms, shows the text, and forgets a deleted PDF', async (name, viewport) => {
    const { page, problems, received } = await openPage(served.browser.context, served.server.url, viewport);
    await page.getByRole('button', { name: 'Library' }).click();
    const library = page.locator('#library-panel');
    const file = path.join(served.server.tmp, 'harbour-report.pdf');
    await fs.writeFile(file, await makeReportPdf());
    await library.locator('#library-file').setInputFiles(file);
    await library.getByText('harbour-report.pdf: ready: you can ask about it').waitFor({ timeout: 90_000 });
    await page.getByRole('button', { name: 'Library' }).click();

    const answer = await ask(page, 'How often do ships still call at the harbour in summer?');
    const cited = lastResult(received).citations.find((c) => c.docId.startsWith('uploads/') && c.page === 2);
    expect(cited, JSON.stringify(lastResult(received).citations)).toBeDefined();
    expect(cited!.quote).toContain('twice a week');
    await answer.getByRole('button', { name: new RegExp(`^Open source ${cited!.n}: `) }).click();

    const panel = page.locator('#source-panel');
    await panel.getByText('Page 2 of 3').waitFor({ timeout: 60_000 });
    await panel.locator('.source-check.verified').waitFor();
    await expect.poll(() => inkedShare(page), { timeout: 30_000 }).toBeGreaterThan(0.002);
    expect(await markedText(page, '#source-panel .pdf-text-layer mark')).toBe(cited!.quote);
    expect(await marksInsideCanvas(page)).toBe(true);
    await saveScreenshot(page, `pdf-highlight-${name}.png`, name === 'desktop' ? 'screenshot-pdf.png' : undefined);
    expect(await seriousViolations(page)).toEqual([]);

    // Zoom keeps the marks over the text.
    const before = await panel.locator('.pdf-canvas').boundingBox();
    await panel.getByRole('button', { name: 'Zoom in' }).click();
    await expect.poll(async () => (await panel.locator('.pdf-canvas').boundingBox())!.width).toBeGreaterThan(before!.width * 1.1);
    await expect.poll(() => marksInsideCanvas(page)).toBe(true);
    expect(await markedText(page, '#source-panel .pdf-text-layer mark')).toBe(cited!.quote);
    await panel.getByRole('button', { name: 'Zoom out' }).click();
    await expect.poll(async () => Math.round((await panel.locator('.pdf-canvas').boundingBox())!.width)).toBe(Math.round(before!.width));

    // Next and previous page: page 3 holds its own text and no mark; back on page 2 the marks are back.
    await panel.getByRole('button', { name: 'Next page' }).click();
    await panel.getByText('Page 3 of 3').waitFor();
    await expect.poll(() => panel.locator('.pdf-text-layer').innerText()).toContain(REPORT.pageThree[0]);
    expect(await panel.locator('.pdf-text-layer mark').count()).toBe(0);
    expect(await panel.getByRole('button', { name: 'Next page' }).isDisabled()).toBe(true);
    await panel.getByRole('button', { name: 'Previous page' }).click();
    await panel.getByText('Page 2 of 3').waitFor();
    expect(await markedText(page, '#source-panel .pdf-text-layer mark')).toBe(cited!.quote);

    // The plain text, one click away, with the same exact highlight; and back.
    await panel.getByRole('button', { name: 'Show as text' }).click();
    await panel.locator('.pdf-text-view mark').first().waitFor();
    expect((await panel.locator('.pdf-text-view mark').allTextContents()).join('')).toBe(cited!.quote);
    expect(await panel.locator('.pdf-page-view').isHidden()).toBe(true);
    await panel.getByRole('button', { name: 'Show page' }).click();
    await panel.locator('.pdf-canvas').waitFor();
    await page.getByRole('button', { name: 'Close source' }).click();

    // Deleted: gone from the library, and no answer cites it.
    await page.getByRole('button', { name: 'Library' }).click();
    page.once('dialog', (dialog) => void dialog.accept());
    await library.getByRole('button', { name: /^Delete Harbour Report/ }).click();
    await library.getByText(/^Deleted Harbour Report/).waitFor({ timeout: 60_000 });
    await library.getByText('1 document', { exact: true }).waitFor();
    expect(await library.getByText(/Harbour Report/).count()).toBeLessThanOrEqual(1);
    await page.getByRole('button', { name: 'Library' }).click();
    await ask(page, 'How often do ships still call at the harbour in summer?');
    expect(lastResult(received).citations.filter((c) => c.docId === cited!.docId)).toEqual([]);

    expect(problems).toEqual([]);
    await page.close();
  });

  it.each(Object.entries(VIEWPORTS))('at %s width: marks a quote that runs across a page break on both pages, each saying where it continues', async (name, viewport) => {
    const { page, problems, received } = await openPage(served.browser.context, served.server.url, viewport);
    await page.getByRole('button', { name: 'Library' }).click();
    const library = page.locator('#library-panel');
    const file = path.join(served.server.tmp, `across-${viewport.width}.pdf`);
    await fs.writeFile(file, await makeReportPdf());
    await library.locator('#library-file').setInputFiles(file);
    // The second width sends the same bytes: that is the document already indexed.
    await library.getByText(new RegExp(`^across-${viewport.width}\\.pdf: (?:ready: you can ask about it|already in the library as uploads/)`)).waitFor({ timeout: 90_000 });
    await page.getByRole('button', { name: 'Library' }).click();

    const answer = await ask(page, 'When was the lighthouse on the breakwater lit for the first time?');
    const cited = lastResult(received).citations.find((c) => c.docId.startsWith('uploads/') && c.pages?.length === 2);
    expect(cited, JSON.stringify(lastResult(received).citations)).toBeDefined();
    expect(cited).toMatchObject({ page: 1, pages: [1, 2] });
    expect(cited!.quote).toContain(REPORT.pageOneEnd);
    expect(cited!.quote).toContain('3 March 1904');
    await answer.getByRole('button', { name: new RegExp(`^Open source ${cited!.n}: `) }).click();

    // Page 1: the part of the quote printed there is marked, and the panel says it goes on.
    const panel = page.locator('#source-panel');
    await panel.getByText('Page 1 of 3').waitFor({ timeout: 60_000 });
    await panel.locator('.source-check.verified').waitFor();
    await expect.poll(() => inkedShare(page), { timeout: 30_000 }).toBeGreaterThan(0.002);
    const onPageOne = await markParts(page, '#source-panel .pdf-text-layer mark');
    expect(onPageOne.length).toBeGreaterThan(0);
    expect(await joinedMarks(page, onPageOne)).toBe(cited!.quote.slice(0, cited!.quote.indexOf(REPORT.pageOneEnd) + REPORT.pageOneEnd.length));
    expect(await marksInsideCanvas(page)).toBe(true);
    const continues = panel.getByRole('button', { name: 'Quote continues on page 2' });
    await continues.waitFor();
    expect(await panel.getByRole('button', { name: /^Quote continued from/ }).count()).toBe(0);
    expect(await seriousViolations(page)).toEqual([]);

    // Page 2, by the panel's own link: the rest is marked there, and it says where the quote came from.
    await continues.click();
    await panel.getByText('Page 2 of 3').waitFor();
    await expect.poll(() => panel.locator('.pdf-text-layer').innerText()).toContain(REPORT.pageTwoStart);
    const onPageTwo = await markParts(page, '#source-panel .pdf-text-layer mark');
    expect(onPageTwo.length).toBeGreaterThan(0);
    expect(await joinedMarks(page, onPageTwo)).toBe(REPORT.pageTwoStart);
    expect(await marksInsideCanvas(page)).toBe(true);
    const from = panel.getByRole('button', { name: 'Quote continued from page 1' });
    await from.waitFor();
    expect(await panel.getByRole('button', { name: /^Quote continues on/ }).count()).toBe(0);
    // Together, the two pages' marks read exactly the quote.
    expect(await joinedMarks(page, [...onPageOne, ...onPageTwo])).toBe(cited!.quote);
    await saveScreenshot(page, `pdf-across-pages-${name}.png`);
    expect(await seriousViolations(page)).toEqual([]);

    // Page 3 holds none of it: no mark, and a way back to the quote.
    await panel.getByRole('button', { name: 'Next page' }).click();
    await panel.getByText('Page 3 of 3').waitFor();
    await expect.poll(() => panel.locator('.pdf-text-layer').innerText()).toContain(REPORT.pageThree[0]);
    expect(await panel.locator('.pdf-text-layer mark').count()).toBe(0);
    await panel.getByRole('button', { name: 'The quote is on pages 1–2' }).click();
    await panel.getByText('Page 1 of 3').waitFor();
    await panel.getByRole('button', { name: 'Quote continues on page 2' }).waitFor();
    expect(await markedText(page, '#source-panel .pdf-text-layer mark')).toBe(await joinedMarks(page, onPageOne));

    // The text view marks the whole quote at once; the page links belong to the page view.
    await panel.getByRole('button', { name: 'Show as text' }).click();
    await panel.locator('.pdf-text-view mark').first().waitFor();
    expect((await panel.locator('.pdf-text-view mark').allTextContents()).join('')).toBe(cited!.quote);
    expect(await panel.locator('.pdf-span-note').isHidden()).toBe(true);
    await panel.getByRole('button', { name: 'Show page' }).click();
    await panel.getByRole('button', { name: 'Quote continues on page 2' }).waitFor();

    expect(problems).toEqual([]);
    await page.close();
  });

  it('draws a PDF that carries JavaScript without ever running it', async () => {
    const { page, problems } = await openPage(served.browser.context, served.server.url, VIEWPORTS.desktop);
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    await page.getByRole('button', { name: 'Library' }).click();
    const library = page.locator('#library-panel');
    const file = path.join(served.server.tmp, 'scripted.pdf');
    await fs.writeFile(file, await makeScriptedPdf());
    await library.locator('#library-file').setInputFiles(file);
    await library.getByText('scripted.pdf: ready: you can ask about it').waitFor({ timeout: 90_000 });
    await library.locator('.library-title', { hasText: 'script that must never run' }).click();
    const panel = page.locator('#source-panel');
    await panel.getByText('Page 1 of 1').waitFor({ timeout: 60_000 });
    await expect.poll(() => inkedShare(page), { timeout: 30_000 }).toBeGreaterThan(0.001);
    await expect.poll(() => panel.locator('.pdf-text-layer').innerText()).toContain('This page carries a script that must never run.');
    expect(await page.evaluate(() => (globalThis as { verbatimPdfScriptRan?: boolean }).verbatimPdfScriptRan)).toBeUndefined();
    expect(dialogs).toEqual([]);
    expect(problems).toEqual([]);
    await page.close();
  });
});
