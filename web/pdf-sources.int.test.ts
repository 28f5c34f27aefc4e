/**
 * The chat page names the page a PDF quote is on (real Chromium, real server over a corpus with a PDF made by pdf-lib):
 * "p. N" for a quote on one page, "pp. N–M" for one running across a page break; other documents show no page.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeDocumentCorpus } from '../retrieval/corpus/__fixtures__/test-documents.js';
import { ask, lastResult, openPage } from './__fixtures__/chat-page.js';
import { usePageServer, VIEWPORTS } from './__fixtures__/page-server.js';

const scratch = mkdtempSync(path.join(tmpdir(), 'verbatim-pdf-sources-'));
const corpusDir = path.join(scratch, 'corpus');

describe('sources of PDF answers on the chat page', () => {
  // Registered before the page server's hooks, so the corpus exists when it is ingested.
  beforeAll(() => writeDocumentCorpus(corpusDir));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));
  const served = usePageServer({ corpusDir });

  it('lists a PDF source with its pages, and a text source without', async () => {
    const { page, problems, received } = await openPage(served.browser.context, served.server.url, VIEWPORTS.desktop);
    const answer = await ask(page, 'When was the lighthouse on the breakwater lit for the first time?');
    const across = lastResult(received).citations.find((c) => c.docId === 'report.pdf' && c.pages?.length === 2);
    expect(across, JSON.stringify(lastResult(received).citations)).toBeDefined();
    // Named by the document's title, then where the quote is in the file.
    await answer.getByRole('button', { name: new RegExp(`^Open source ${across!.n}: .+, pp\\. 1–2, characters ${across!.start}–${across!.end}$`) }).waitFor();
    expect(await answer.locator('.sources').innerText()).toContain(`pp. 1–2 · characters ${across!.start}–${across!.end}`);

    const later = await ask(page, 'When did fishing fleets move to Kessel?');
    const onThree = lastResult(received).citations.find((c) => c.page === 3);
    expect(onThree).toBeDefined();
    expect(await later.locator('.sources').innerText()).toContain(`p. 3 · characters ${onThree!.start}–${onThree!.end}`);

    const plain = await ask(page, 'When does the ferry to Kessel leave?');
    const ferry = lastResult(received).citations.find((c) => c.docId === 'plain.txt');
    expect(ferry).toBeDefined();
    await plain.getByRole('button', { name: new RegExp(`^Open source ${ferry!.n}: .+, characters ${ferry!.start}–${ferry!.end}$`) }).waitFor();
    expect(await plain.locator('.sources').innerText()).not.toMatch(/\bpp?\. \d/);
    expect(problems).toEqual([]);
  });
});
