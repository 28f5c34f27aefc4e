/**
 * The library panel in real Chromium against the real server with a document library: the list with its filter, a
 * document opened to read, a file added with the picker and one dropped on the panel, each followed until it can be
 * asked about (and then asked about), and an upload deleted after a confirmation; an uploaded PDF's facts (type, pages,
 * chunks, size, day added) in its row.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeSimplePdf } from '../retrieval/corpus/__fixtures__/test-documents.js';
import { byteSize } from './src/document-facts.js';
import { seriousViolations } from './__fixtures__/axe.js';
import { ask, lastResult, openPage } from './__fixtures__/chat-page.js';
import { usePageServer, VIEWPORTS } from './__fixtures__/page-server.js';
import { saveScreenshot } from './__fixtures__/screenshots.js';

const LIGHTHOUSE = '# The Zorblax lighthouse\n\nThe Zorblax lighthouse was built in 1873 by the engineer Mirela Quintavalle.\n';
const FERRY = '# The Vontrel ferry\n\nThe Vontrel ferry crosses the bay twice a day, captained by Odile Brask.\n';

describe('the library panel', () => {
  const served = usePageServer({ library: true });

  it.each(Object.entries(VIEWPORTS))('at %s width: lists, filters, opens, uploads by picker and by drop, and deletes', async (_, viewport) => {
    const { page, problems, received } = await openPage(served.browser.context, served.server.url, viewport);
    await page.getByRole('button', { name: 'Library' }).click();
    const panel = page.locator('#library-panel');
    await panel.getByText('1 document', { exact: true }).waitFor();

    // Filter, then open the seed to read it in the source panel.
    const filter = panel.getByLabel('Filter');
    await filter.fill('no such title');
    await panel.getByText('0 of 1 shown').waitFor();
    await filter.fill('');
    const seedTitle = panel.locator('.library-title').first();
    await seedTitle.click();
    await page.locator('#source-panel').getByText('characters, as the answers quote them').waitFor();
    await page.getByRole('button', { name: 'Close source' }).click();
    expect(await panel.getByRole('button', { name: /^Delete / }).count()).toBe(0);

    // The picker: the upload is followed until it can be asked about.
    const picked = path.join(served.server.tmp, `lighthouse-${viewport.width}.md`);
    await fs.writeFile(picked, LIGHTHOUSE);
    await panel.locator('#library-file').setInputFiles(picked);
    await panel.getByText(`lighthouse-${viewport.width}.md: ready: you can ask about it`).waitFor({ timeout: 60_000 });
    await panel.getByText('2 documents').waitFor();
    await panel.getByRole('button', { name: 'The Zorblax lighthouse', exact: true }).waitFor();
    expect(await seriousViolations(page)).toEqual([]);

    // A dropped file, the same way.
    await panel.locator('#library-drop').evaluate((zone, text) => {
      const data = new DataTransfer();
      data.items.add(new File([text], 'ferry.md', { type: 'text/markdown' }));
      zone.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
    }, FERRY);
    await panel.getByText('ferry.md: ready: you can ask about it').waitFor({ timeout: 60_000 });
    await panel.getByText('3 documents').waitFor();
    // The rest of the page follows: the badge counts the new documents.
    await page.locator('#mode-badge', { hasText: '3 documents' }).waitFor();

    // Askable: the answer cites the upload.
    await page.getByRole('button', { name: 'Library' }).click();
    await ask(page, 'Who built the Zorblax lighthouse?');
    const result = lastResult(received);
    expect(result.answer).toContain('Mirela Quintavalle');
    const cited = result.citations.find((c) => c.docId.startsWith('uploads/'));
    expect(cited).toBeDefined();

    // Delete, after a confirmation; a refused confirmation deletes nothing.
    await page.getByRole('button', { name: 'Library' }).click();
    page.once('dialog', (dialog) => void dialog.dismiss());
    await panel.getByRole('button', { name: 'Delete The Zorblax lighthouse' }).click();
    await panel.getByText('3 documents').waitFor();
    page.once('dialog', (dialog) => void dialog.accept());
    await panel.getByRole('button', { name: 'Delete The Zorblax lighthouse' }).click();
    await panel.getByText('Deleted The Zorblax lighthouse.').waitFor({ timeout: 60_000 });
    await panel.getByText('2 documents').waitFor();
    await expect(fs.access(path.join(served.server.config.corpusDir, cited!.docId))).rejects.toThrow();
    page.once('dialog', (dialog) => void dialog.accept());
    await panel.getByRole('button', { name: 'Delete The Vontrel ferry' }).click();
    await panel.getByText('1 document', { exact: true }).waitFor({ timeout: 60_000 });

    expect(problems).toEqual([]);
    await page.close();
  });

  it('shows an uploaded PDF with its type, pages, chunks, file size and the day it was added, and the filter finds it', async () => {
    const { page, problems } = await openPage(served.browser.context, served.server.url, VIEWPORTS.desktop);
    await page.getByRole('button', { name: 'Library' }).click();
    const panel = page.locator('#library-panel');
    await panel.getByText('1 document', { exact: true }).waitFor();
    const pdf = await makeSimplePdf(['The Vontrel ferry timetable, winter edition.'], 2);
    const file = path.join(served.server.tmp, 'ferry-timetable.pdf');
    await fs.writeFile(file, pdf);
    const before = new Date();
    await panel.locator('#library-file').setInputFiles(file);
    await panel.getByText('ferry-timetable.pdf: ready: you can ask about it').waitFor({ timeout: 90_000 });
    await panel.getByText('2 documents').waitFor();

    const row = panel.locator('.library-item', { hasText: 'ferry-timetable.pdf' });
    const fact = (name: string) => row.locator(`[data-fact="${name}"]`).textContent();
    expect(await fact('type')).toBe('PDF');
    expect(await fact('pages')).toBe('2 pages');
    expect(await fact('chunks')).toMatch(/^[1-9]\d* chunks?$/);
    expect(await fact('size')).toBe(byteSize(pdf.length));
    // The day in the browser's time zone, which is the test's: the upload was added today (or, past midnight, just now).
    const days = [before, new Date()].map((d) => `added ${d.toLocaleDateString('en-GB', { day: 'numeric', month: 'short', year: 'numeric' })}`);
    expect(days).toContain(await fact('added'));
    const added = Date.parse((await row.locator('time[data-fact="added"]').getAttribute('datetime'))!);
    expect(added).toBeGreaterThanOrEqual(before.getTime() - 1000);
    expect(await row.innerText()).toMatch(/^PDF · 2 pages · \d+ chunks? · [\d.]+ (?:bytes|KiB) · added .+ · [\d,]+ characters · uploads\/[0-9a-f]{12}-ferry-timetable\.pdf$/m);

    // The filter box finds it by file name, and the seed by neither.
    await panel.getByLabel('Filter').fill('timetable');
    await panel.getByText('1 of 2 shown').waitFor();
    expect(await panel.locator('.library-item').count()).toBe(1);
    expect(await panel.locator('.library-item [data-fact="pages"]').textContent()).toBe('2 pages');
    await saveScreenshot(page, 'library-pdf-facts.png');
    expect(await seriousViolations(page)).toEqual([]);
    await panel.getByLabel('Filter').fill('');

    page.once('dialog', (dialog) => void dialog.accept());
    await row.getByRole('button', { name: /^Delete / }).click();
    await panel.getByText('1 document', { exact: true }).waitFor({ timeout: 60_000 });
    expect(problems).toEqual([]);
    await page.close();
  });
});
