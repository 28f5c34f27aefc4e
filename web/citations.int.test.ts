/**
 * Citations in the chat page, in real Chromium against the real server, at desktop and phone widths: the preview of
 * an `[n]` on hover and on focus, the `[n]` whose source is open marked, the sources by document title with each
 * quote once, the phone's full-screen source sheet that keeps the keyboard inside, Escape closing the panel from
 * anywhere, and the document shown as paragraphs and headings with the highlight still exactly the quote.
 */
import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { Answerer } from '../retrieval/answer/answerer.js';
import type { Citation } from '../retrieval/types.js';
import { QUESTION, ask, lastResult, openPage } from './__fixtures__/chat-page.js';
import { VIEWPORTS, usePageServer } from './__fixtures__/page-server.js';
import { saveScreenshot } from './__fixtures__/screenshots.js';


type Box = { x: number; y: number; width: number; height: number };

const overlaps = (a: Box, b: Box) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

async function documentTitles(url: string): Promise<Map<string, string>> {
  const { documents } = (await (await fetch(`${url}/api/documents`)).json()) as { documents: { id: string; title: string }[] };
  return new Map(documents.map((d) => [d.id, d.title]));
}

async function documentText(url: string, docId: string): Promise<string> {
  return ((await (await fetch(`${url}/api/documents/${encodeURIComponent(docId)}`)).json()) as { text: string }).text;
}

/** The preview as the reader sees it, once its verdict is in. */
async function shownPreview(page: Page, button: Locator) {
  const preview = page.locator('#citation-preview');
  await preview.locator('#preview-check:not(.pending)').waitFor();
  const [buttonBox, previewBox] = await Promise.all([button.boundingBox(), preview.boundingBox()]);
  const viewport = page.viewportSize()!;
  return {
    role: await preview.getAttribute('role'),
    describedBy: await button.getAttribute('aria-describedby'),
    title: await page.textContent('#preview-title'),
    quote: await page.textContent('#preview-quote'),
    check: await page.textContent('#preview-check'),
    verified: await preview.locator('#preview-check.verified').count(),
    coversButton: overlaps(buttonBox!, previewBox!),
    inWindow: previewBox!.x >= 0 && previewBox!.y >= 0 && previewBox!.x + previewBox!.width <= viewport.width && previewBox!.y + previewBox!.height <= viewport.height,
  };
}

/** The ids (or classes) of what has the focus, and whether it is inside the source panel. */
const focused = (page: Page) =>
  page.evaluate(() => {
    const active = document.activeElement as HTMLElement | null;
    return { id: active?.id || active?.className || active?.tagName, inPanel: document.getElementById('source-panel')!.contains(active) };
  });

describe('citations over the seed corpus', () => {
  const served = usePageServer();

  for (const [name, viewport] of Object.entries(VIEWPORTS)) {
    it(`previews a citation on hover and on focus, with its quote, title and verdict, beside the button (${name})`, async () => {
      const { page, problems, received } = await openPage(served.browser.context, served.server.url, viewport);
      const answer = await ask(page, QUESTION);
      const first = lastResult(received).citations[0]!;
      const title = (await documentTitles(served.server.url)).get(first.docId)!;
      const cite = answer.locator('button.cite').first();
      const preview = page.locator('#citation-preview');
      expect(await preview.isVisible()).toBe(false);

      await cite.hover();
      const hovered = await shownPreview(page, cite);
      expect(hovered).toEqual({ role: 'tooltip', describedBy: 'citation-preview', title, quote: first.quote, check: '✓ Verified against the source', verified: 1, coversButton: false, inWindow: true });
      await saveScreenshot(page, `citation-preview-${name}.png`);
      // The pointer can move onto the preview without losing it; Escape dismisses it.
      const box = (await preview.boundingBox())!;
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2, { steps: 4 });
      expect(await preview.isVisible()).toBe(true);
      await page.keyboard.press('Escape');
      await preview.waitFor({ state: 'hidden' });
      expect(await cite.getAttribute('aria-describedby')).toBeNull();
      await page.mouse.move(0, viewport.height - 1);

      // The keyboard gets the same preview on focus, and loses it with the focus.
      await cite.focus();
      expect(await shownPreview(page, cite)).toEqual(hovered);
      await page.keyboard.press('Escape');
      await preview.waitFor({ state: 'hidden' });
      expect(await page.isHidden('#source-panel')).toBe(true);
      await page.getByLabel('Your question').focus();
      await cite.focus();
      await preview.waitFor();
      await page.getByLabel('Your question').focus();
      await preview.waitFor({ state: 'hidden' });
      expect(problems).toEqual([]);
      await page.close();
    });
  }

  it('marks the open citation, lists sources by title without repeating the answer, and shows the document in paragraphs and headings', async () => {
    const { page, problems, received } = await openPage(served.browser.context, served.server.url, VIEWPORTS.desktop);
    const answer = await ask(page, QUESTION);
    const result = lastResult(received);
    const first = result.citations[0]!;
    const titles = await documentTitles(served.server.url);

    // Sources by title; the quoted sentence is already the answer, so it is not printed again under it.
    const sources = answer.locator('.sources');
    expect(await sources.locator('.source-document-title').allTextContents()).toEqual([...new Set(result.citations.map((c) => c.docId))].map((id) => titles.get(id)));
    expect(await sources.textContent()).not.toContain(first.docId);
    const shown = `${await answer.locator('.answer-text').textContent()}\n${await sources.textContent()}`;
    for (const c of result.citations) expect(shown.split(c.quote).length - 1, c.quote).toBe(1);
    expect(await sources.locator('.source-where').first().textContent()).toContain(`characters ${first.start}–${first.end} · quoted in the answer`);

    const cite = answer.locator('button.cite').first();
    const current = () => page.locator('#messages [aria-current="true"]').evaluateAll((els) => els.map((e) => `${e.className} ${e.textContent}`));
    expect(await current()).toEqual([]);
    await cite.click();
    await page.locator('#source-check.verified').waitFor();
    expect(await current()).toEqual([`cite [${first.n}]`, `source-open link-button [${first.n}]`]);

    await saveScreenshot(page, 'sources-and-panel.png');
    // The document as paragraphs and headings, every character still there, the highlight exactly the quote.
    const text = page.locator('#source-text');
    expect(await text.locator('p.source-paragraph').count()).toBeGreaterThan(1);
    expect(await text.locator('h3.source-heading').allTextContents()).toContain('Summary');
    expect(await text.textContent()).toBe(await documentText(served.server.url, first.docId));
    expect((await text.locator('mark').allTextContents()).join('')).toBe(first.quote);
    expect(await text.locator('mark').first().isVisible()).toBe(true);
    expect(await page.textContent('#source-doc .source-doc-title')).toBe(titles.get(first.docId));
    expect(await page.textContent('#source-doc .source-doc-id')).toBe(first.docId);

    // Escape closes the panel from the question box too, and leaves the keyboard there.
    await page.getByLabel('Your question').click();
    await page.keyboard.press('Escape');
    expect(await page.isHidden('#source-panel')).toBe(true);
    expect((await focused(page)).id).toBe('question');
    expect(await current()).toEqual([]);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('opens the source as a full-screen sheet on a phone, keeps the focus inside, and gives it back to the [n]', async () => {
    const { page, problems } = await openPage(served.browser.context, served.server.url, VIEWPORTS.phone);
    const answer = await ask(page, QUESTION);
    const cite = answer.locator('button.cite').first();
    const onCite = () => cite.evaluate((button) => document.activeElement === button);

    for (const closeWith of ['button', 'Escape'] as const) {
      await cite.click();
      await page.locator('#source-check.verified').waitFor();
      const panel = page.locator('#source-panel');
      expect(await panel.boundingBox()).toEqual({ x: 0, y: 0, width: VIEWPORTS.phone.width, height: VIEWPORTS.phone.height });
      expect([await panel.getAttribute('role'), await panel.getAttribute('aria-modal')]).toEqual(['dialog', 'true']);
      expect(await cite.getAttribute('aria-current')).toBe('true');
      expect(await focused(page)).toEqual({ id: 'source-title', inPanel: true });
      if (closeWith === 'button') await saveScreenshot(page, 'source-sheet-phone.png', 'screenshot-phone.png');
      // The document id is on a line of its own, in view, however long the title.
      expect(await page.locator('#source-doc .source-doc-id').isVisible()).toBe(true);

      const forward: string[] = [];
      for (let i = 0; i < 5; i += 1) {
        await page.keyboard.press('Tab');
        const now = await focused(page);
        expect(now.inPanel, JSON.stringify(now)).toBe(true);
        forward.push(String(now.id));
      }
      expect(forward).toEqual(['close-source', 'source-text', 'close-source', 'source-text', 'close-source']);
      await page.keyboard.press('Shift+Tab');
      expect(await focused(page)).toEqual({ id: 'source-text', inPanel: true });
      await page.keyboard.press('Shift+Tab');
      expect(await focused(page)).toEqual({ id: 'close-source', inPanel: true });
      await page.keyboard.press('Shift+Tab');
      expect(await focused(page)).toEqual({ id: 'source-text', inPanel: true });

      if (closeWith === 'button') await page.getByRole('button', { name: 'Close source' }).click();
      else await page.keyboard.press('Escape');
      expect(await panel.isHidden()).toBe(true);
      expect(await onCite()).toBe(true);
      expect(await cite.getAttribute('aria-current')).toBeNull();
      expect(await page.evaluate(() => [...document.querySelectorAll('[inert]')].length)).toBe(0);
    }
    expect(problems).toEqual([]);
    await page.close();
  });
});

/** A Markdown document with headings, blank-line paragraphs, and sentences an answer can paraphrase. */
const FESTIVAL = [
  '# Harbour Lantern Festival',
  '',
  'The festival is held every October in Port Ellery.',
  'It draws 40,000 visitors.',
  '',
  '## Lanterns',
  '',
  'Each lantern is made of rice paper and bamboo.',
  '',
  'The largest lantern is nine metres tall.',
  '',
].join('\n');
const FESTIVAL_ID = 'festival/lanterns.md';

/**
 * Paraphrases the festival document, as a language model does, with citations to its spans: [1] and [2] cite the
 * same sentence, [3] a span over a paragraph break, [4] a quote that is not at its offsets.
 */
const paraphrasing: Answerer = {
  name: 'paraphrasing',
  answer: async ({ documentText: textOf }) => {
    const text = textOf(FESTIVAL_ID);
    const cite = (n: number, quote: string): Citation => ({ n, docId: FESTIVAL_ID, start: text.indexOf(quote), end: text.indexOf(quote) + quote.length, quote });
    const visitors = 'It draws 40,000 visitors.';
    const lanterns = 'Each lantern is made of rice paper and bamboo.\n\nThe largest lantern is nine metres tall.';
    const wrong = { ...cite(4, 'held every October'), quote: 'held every June' };
    return {
      answer: 'About forty thousand people come [1]. That is a great many visitors [2]. Lanterns are paper and bamboo, the biggest nine metres tall [3]. It is held in June [4].',
      shortAnswer: null,
      shortAnswerConfident: false,
      abstained: false,
      abstentionReason: null,
      citations: [cite(1, visitors), cite(2, visitors), cite(3, lanterns), wrong],
      confidence: { answer: 0.9, shortAnswer: 0 },
    };
  },
};

describe('citations of a paraphrased answer over a Markdown document', () => {
  const served = usePageServer({ extraFiles: { [FESTIVAL_ID]: FESTIVAL }, answerer: paraphrasing });

  it('lists each quoted span once under its title, previews a bad quote as such, and highlights a span across paragraphs exactly', async () => {
    const { page, problems } = await openPage(served.browser.context, served.server.url, VIEWPORTS.desktop);
    const answer = await ask(page, 'How many visitors does the Harbour Lantern Festival draw?');
    const sources = answer.locator('.sources');
    expect(await sources.locator('.source-document-title').allTextContents()).toEqual(['Harbour Lantern Festival']);
    // [1] and [2] are one span: one row with both buttons, its quote shown once.
    const rows = sources.locator('.source-span');
    expect(await rows.count()).toBe(3);
    expect(await rows.nth(0).locator('button.source-open').allTextContents()).toEqual(['[1]', '[2]']);
    expect((await sources.textContent())!.split('It draws 40,000 visitors.').length - 1).toBe(1);
    expect(await sources.locator('q.quote').allTextContents()).toEqual(['It draws 40,000 visitors.', 'Each lantern is made of rice paper and bamboo.\n\nThe largest lantern is nine metres tall.', 'held every June']);

    // The preview says when a quote is not where it claims to be.
    const wrong = answer.locator('button.cite[data-n="4"]');
    await wrong.hover();
    const preview = await shownPreview(page, wrong);
    expect(preview.verified).toBe(0);
    expect(preview.check).toContain('the quoted text does not match');
    expect(preview.coversButton).toBe(false);
    await page.mouse.move(0, 0);

    // Opening [2] marks both [n] of that span, in the text and in the list; opening [3] moves the mark.
    await answer.locator('button.cite[data-n="2"]').click();
    await page.locator('#source-check.verified').waitFor();
    const current = () => answer.locator('[aria-current="true"]').allTextContents();
    expect(await current()).toEqual(['[2]', '[2]']);
    await answer.locator('button.cite[data-n="3"]').click();
    await page.locator('#source-check.verified').filter({ hasText: 'characters' }).waitFor();
    await expect.poll(current).toEqual(['[3]', '[3]']);

    // Headings and paragraphs as elements; the highlight crosses the paragraph break and still reads the quote.
    const text = page.locator('#source-text');
    await page.locator('#source-title').filter({ hasText: 'Citation [3]' }).waitFor();
    await text.locator('mark').first().waitFor();
    expect(await text.locator('h3').allTextContents()).toEqual(['# Harbour Lantern Festival']);
    expect(await text.locator('h4').allTextContents()).toEqual(['## Lanterns']);
    expect(await text.locator('p').allTextContents()).toEqual(['The festival is held every October in Port Ellery.\nIt draws 40,000 visitors.', 'Each lantern is made of rice paper and bamboo.', 'The largest lantern is nine metres tall.']);
    expect(await text.textContent()).toBe(FESTIVAL);
    expect((await text.locator('mark').allTextContents()).join('')).toBe('Each lantern is made of rice paper and bamboo.\n\nThe largest lantern is nine metres tall.');
    await saveScreenshot(page, 'paraphrased-sources.png');
    expect(await text.locator('p mark').allTextContents()).toEqual(['Each lantern is made of rice paper and bamboo.', 'The largest lantern is nine metres tall.']);
    expect(problems).toEqual([]);
    await page.close();
  });
});
