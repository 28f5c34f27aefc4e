/**
 * Conversations kept in the browser (real Chromium with its real IndexedDB, real server): an answered conversation
 * survives a reload with its citations verified again, is listed beside the chat with the others, and can be
 * switched to, continued (its own earlier turns are the follow-up's history), renamed, searched, exported as
 * Markdown and deleted, at desktop and phone width; two tabs' lists stay in step. A browser without IndexedDB still answers and says why nothing is
 * kept. A document edited on disk and the server restarted: the restored answer says its citation no longer matches
 * instead of showing it verified.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../server/__fixtures__/test-server.js';
import type { ClientFrame } from '../server/protocol.js';
import { QUESTION, ask, lastResult, openPage } from './__fixtures__/chat-page.js';
import { launch } from './__fixtures__/launch-chromium.js';
import { VIEWPORTS } from './__fixtures__/page-server.js';

const SECOND = 'Who is Chen Zhichen?';
const THIRD = 'Who is Ian McCartney?';

type AskFrame = Extract<ClientFrame, { type: 'ask' }>;

/** Waits until the page has listed the saved conversations (and restored the one in the address). */
async function panelReady(page: Page): Promise<void> {
  await page.locator('#conversation-panel[data-state="ready"]').waitFor({ state: 'attached' });
}

/** The panel, opened through the Conversations button at phone width. */
async function showPanel(page: Page): Promise<void> {
  if (await page.locator('#conversation-panel').isVisible()) return;
  await page.locator('#conversations-toggle').click();
  await page.locator('#conversation-panel').waitFor({ state: 'visible' });
}

const titles = (page: Page) => page.locator('#conversation-list .conversation-title').allTextContents();
const questions = (page: Page) => page.locator('.message.user .question-text').allTextContents();

describe('saved conversations', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ webRoot: 'build' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it.each(Object.entries(VIEWPORTS))('at %s width: reload, switch, continue, rename, search, export and delete', async (name, viewport) => {
    const phone = name === 'phone';
    // A fresh profile: nothing saved by another test.
    const browser = await launch();
    try {
      const { page, problems, sent, received } = await openPage(browser.context, t.url, viewport);
      const asks = () => sent.filter((f): f is AskFrame => f.type === 'ask');
      await panelReady(page);
      await showPanel(page);
      expect(await page.locator('#conversation-status').textContent()).toContain('No saved conversations yet');
      if (phone) {
        expect(await page.locator('#conversations-toggle').getAttribute('aria-expanded')).toBe('true');
        // The drawer leaves part of the chat showing and closes again.
        const box = (await page.locator('#conversation-panel').boundingBox())!;
        expect(box.width).toBeLessThan(viewport.width);
        await page.keyboard.press('Escape');
        await page.locator('#conversation-panel').waitFor({ state: 'hidden' });
        expect(await page.evaluate(() => document.activeElement?.id)).toBe('conversations-toggle');
        expect(await page.locator('#conversations-toggle').getAttribute('aria-expanded')).toBe('false');
      }

      // Ask, then reload: the conversation and its answer are back, and every citation verifies again.
      await ask(page, QUESTION);
      const first = lastResult(received);
      expect(first.citations.length).toBeGreaterThan(0);
      await expect.poll(() => page.evaluate(() => location.hash)).toMatch(/^#c=[0-9a-f]+$/);
      const firstAddress = await page.evaluate(() => location.hash);
      await page.reload();
      await page.waitForSelector('html[data-ready="true"]');
      await panelReady(page);
      expect(await questions(page)).toEqual([QUESTION]);
      const restored = page.locator('.message.assistant').last();
      expect(await restored.locator('.answer-text').textContent()).toContain('2,700');
      await restored.locator('.recheck').nth(first.citations.length - 1).waitFor();
      expect(await restored.locator('.recheck.verified').count()).toBe(first.citations.length);
      expect(await restored.locator('.changed-note').count()).toBe(0);
      await restored.locator('button.cite').first().click();
      await page.locator('#source-check.verified').waitFor();
      expect(await page.locator('#source-check').textContent()).toContain('Verified against source');
      await page.getByRole('button', { name: 'Close source' }).click();
      // Copy still works on a restored answer (its button is there, wired to the same code).
      expect(await restored.getByRole('button', { name: 'Copy answer with its sources' }).count()).toBe(1);

      // A follow-up in the restored conversation sends that conversation's earlier turns.
      await ask(page, SECOND);
      expect(asks().at(-1)!.history).toEqual([
        { role: 'user', content: QUESTION },
        { role: 'assistant', content: first.answer },
      ]);

      // A second conversation; both are listed, the newest first, and the page switches between them.
      await page.getByRole('button', { name: 'New chat' }).click();
      expect(await page.evaluate(() => location.hash)).toBe('');
      await ask(page, THIRD);
      expect(asks().at(-1)!.history).toEqual([]);
      await showPanel(page);
      await expect.poll(() => titles(page)).toEqual([THIRD, QUESTION]);
      expect(await page.locator('#conversation-list [aria-current="true"] .conversation-title').textContent()).toBe(THIRD);
      await page.locator('#conversation-list .conversation-open', { hasText: QUESTION }).click();
      await expect.poll(() => questions(page)).toEqual([QUESTION, SECOND]);
      expect(await page.evaluate(() => location.hash)).toBe(firstAddress);
      if (phone) await page.locator('#conversation-panel').waitFor({ state: 'hidden' });
      await showPanel(page);
      expect(await page.locator('#conversation-list [aria-current="true"] .conversation-title').textContent()).toBe(QUESTION);
      await page.locator('#conversation-list .conversation-open', { hasText: THIRD }).click();
      await expect.poll(() => questions(page)).toEqual([THIRD]);

      // Rename from the keyboard: Enter on Rename, type, Enter; the title stays after a reload.
      await showPanel(page);
      await page.getByRole('button', { name: `Rename conversation: ${THIRD}` }).focus();
      await page.keyboard.press('Enter');
      const field = page.getByRole('textbox', { name: 'New title' });
      expect(await field.inputValue()).toBe(THIRD);
      await field.press('Escape');
      expect(await titles(page)).toEqual([THIRD, QUESTION]);
      expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe(`Rename conversation: ${THIRD}`);
      await page.keyboard.press('Enter');
      await field.fill('McCartney notes');
      await field.press('Enter');
      await expect.poll(() => titles(page)).toEqual(['McCartney notes', QUESTION]);
      await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Rename conversation: McCartney notes');
      await page.reload();
      await page.waitForSelector('html[data-ready="true"]');
      await panelReady(page);
      await showPanel(page);
      expect(await titles(page)).toEqual(['McCartney notes', QUESTION]);
      expect(await questions(page)).toEqual([THIRD]);

      // Search filters by title and by the questions asked.
      const search = page.getByRole('searchbox', { name: 'Search conversations' });
      await search.fill('zhichen');
      expect(await titles(page)).toEqual([QUESTION]);
      expect(await page.locator('#conversation-status').textContent()).toContain('1 of 2 conversations match');
      await search.fill('notes');
      expect(await titles(page)).toEqual(['McCartney notes']);
      await search.fill('no such words');
      expect(await titles(page)).toEqual([]);
      expect(await page.locator('#conversation-status').textContent()).toContain('No conversation matches “no such words”');
      await search.fill('');
      expect(await titles(page)).toEqual(['McCartney notes', QUESTION]);

      // Export: a Markdown file with the questions, the answers and their quotes.
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: `Export conversation as Markdown: ${QUESTION}` }).click()]);
      expect(download.suggestedFilename()).toMatch(/^verbatim-how-many-foreign-law-enforcement-officers[\w-]*\.md$/);
      const markdown = await fs.readFile((await download.path())!, 'utf8');
      expect(markdown.startsWith(`# ${QUESTION}\n`)).toBe(true);
      expect(markdown).toContain(`## ${QUESTION}\n\n${first.answer.trim()}\n`);
      expect(markdown).toContain(`## ${SECOND}\n`);
      expect(markdown).toContain('2,700');
      for (const c of first.citations) expect(markdown).toContain(`: “${c.quote.replace(/\s+/g, ' ').trim()}”`);

      // Delete asks first; Escape keeps it. Deleting the open conversation starts a new chat.
      await page.getByRole('button', { name: 'Delete conversation: McCartney notes' }).click();
      const confirm = page.getByRole('group', { name: /Delete “McCartney notes”\?/ });
      await confirm.waitFor();
      expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Keep');
      await page.keyboard.press('Escape');
      expect(await titles(page)).toEqual(['McCartney notes', QUESTION]);
      await page.getByRole('button', { name: 'Delete conversation: McCartney notes' }).click();
      await confirm.getByRole('button', { name: 'Delete' }).click();
      // The question replaces the item's title while it is asked, so the list is read once the question is gone.
      await confirm.waitFor({ state: 'detached' });
      expect(await titles(page)).toEqual([QUESTION]);
      expect(await page.locator('.message').count()).toBe(0);
      expect(await page.isVisible('#empty-hint')).toBe(true);
      expect(await page.evaluate(() => location.hash)).toBe('');
      await page.reload();
      await page.waitForSelector('html[data-ready="true"]');
      await panelReady(page);
      await showPanel(page);
      expect(await titles(page)).toEqual([QUESTION]);
      expect(await page.locator('.message').count()).toBe(0);

      if (phone) {
        // Choosing a conversation closes the drawer: the chat is not covered for good.
        await page.locator('#conversation-list .conversation-open').first().click();
        await page.locator('#conversation-panel').waitFor({ state: 'hidden' });
        await expect.poll(() => questions(page)).toEqual([QUESTION, SECOND]);
        expect(await page.getByLabel('Your question').isVisible()).toBe(true);
      }
      expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
      expect(problems).toEqual([]);
    } finally {
      await browser.close();
    }
  });

  it('in two tabs: what one saves, renames or deletes shows in the list of the other', async () => {
    const browser = await launch();
    try {
      const a = await openPage(browser.context, t.url);
      const b = await openPage(browser.context, t.url);
      await panelReady(a.page);
      await panelReady(b.page);
      await ask(a.page, QUESTION);
      await expect.poll(() => titles(b.page)).toEqual([QUESTION]);
      // The other tab keeps showing its own (new) chat: only its list changed.
      expect(await b.page.locator('.message').count()).toBe(0);
      expect(await b.page.locator('#conversation-list [aria-current="true"]').count()).toBe(0);

      await b.page.getByRole('button', { name: `Rename conversation: ${QUESTION}` }).click();
      await b.page.getByRole('textbox', { name: 'New title' }).fill('Police training');
      await b.page.getByRole('textbox', { name: 'New title' }).press('Enter');
      await expect.poll(() => titles(a.page)).toEqual(['Police training']);

      await a.page.getByRole('button', { name: 'Delete conversation: Police training' }).click();
      await a.page.getByRole('button', { name: 'Delete', exact: true }).click();
      await expect.poll(() => b.page.locator('#conversation-list li').count()).toBe(0);
      expect(a.problems).toEqual([]);
      expect(b.problems).toEqual([]);
    } finally {
      await browser.close();
    }
  });

  it('when a newer version of the page in another tab upgrades the database: lets it, and says why saving stopped', async () => {
    const browser = await launch();
    try {
      const { page, problems } = await openPage(browser.context, t.url);
      await panelReady(page);
      // The other tab opens the database at the next schema version, as a newer page would; it must not be blocked.
      const other = await browser.context.newPage();
      await other.goto(`${t.url}/favicon.svg`);
      const upgraded = await other.evaluate(
        () =>
          new Promise<number>((resolve, reject) => {
            const request = indexedDB.open('verbatim', 2);
            request.onsuccess = () => resolve(request.result.version);
            request.onerror = () => reject(request.error);
            request.onblocked = () => reject(new Error('blocked by the open page'));
          }),
      );
      expect(upgraded).toBe(2);
      const answer = await ask(page, QUESTION);
      expect(await answer.locator('.answer-text').textContent()).toContain('2,700');
      const status = page.locator('#conversation-status[data-tone="warning"]');
      await status.waitFor({ state: 'attached' });
      expect(await status.textContent()).toBe(
        'Could not save this conversation: a newer version of this page, open in another tab, has taken over the saved conversations: reload this tab. What is on the page stays until you reload.',
      );
      expect(problems).toEqual([]);
    } finally {
      await browser.close();
    }
  });

  it('in a browser that cannot keep conversations: still answers, and the panel says why nothing is kept', async () => {
    const browser = await launch();
    try {
      // As in a browser with storage turned off: no IndexedDB at all.
      await browser.context.addInitScript(() => Object.defineProperty(window, 'indexedDB', { value: undefined }));
      const { page, problems } = await openPage(browser.context, t.url);
      await page.locator('#conversation-panel[data-state="unavailable"]').waitFor({ state: 'attached' });
      expect(await page.locator('#conversation-status').textContent()).toBe('Conversations cannot be kept in this browser (this browser offers no IndexedDB): this one lasts until the page is reloaded.');
      expect(await page.getByRole('searchbox', { name: 'Search conversations' }).isDisabled()).toBe(true);
      const answer = await ask(page, QUESTION);
      expect(await answer.locator('.answer-text').textContent()).toContain('2,700');
      expect(await page.locator('#conversation-list li').count()).toBe(0);
      expect(await page.evaluate(() => location.hash)).toBe('');
      expect(problems).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});

describe('a saved answer whose document changed since', () => {
  const LIGHTHOUSE = 'The lighthouse on Pelican Point is 42 metres tall. It was first lit in 1871 and is still in use.\n';
  let corpus: string;
  beforeAll(async () => {
    corpus = await fs.mkdtemp(path.join(os.tmpdir(), 'verbatim-changed-doc-'));
    await fs.writeFile(path.join(corpus, 'lighthouse.txt'), `Pelican Point lighthouse\n\n${LIGHTHOUSE}`);
    await fs.writeFile(path.join(corpus, 'harbour.txt'), 'Harbour notes\n\nThe harbour at Pelican Bay has two piers and a ferry that leaves every hour.\n');
    await fs.writeFile(path.join(corpus, 'town.txt'), 'Town history\n\nThe town of Pelican Bay was founded in 1850 by fishermen from the south.\n');
  });
  afterAll(async () => {
    await fs.rm(corpus, { recursive: true, force: true });
  });

  it('says so on the restored answer and in the source panel, instead of showing it verified', async () => {
    const browser = await launch();
    let server: TestServer | null = await startTestServer({ webRoot: 'build', corpusDir: corpus });
    try {
      const before = await openPage(browser.context, server.url);
      await panelReady(before.page);
      await ask(before.page, 'How tall is the lighthouse on Pelican Point?');
      const result = lastResult(before.received);
      const cited = result.citations.filter((c) => c.docId === 'lighthouse.txt');
      expect(cited.length).toBeGreaterThan(0);
      expect(result.answer).toContain('42 metres');
      await before.page.locator('#conversation-list .conversation').waitFor();
      const address = await before.page.evaluate(() => location.hash);
      expect(address).toMatch(/^#c=/);
      await before.page.close();

      // The document is edited (a line added at its start moves every offset) and the server restarted on the same
      // address, so the browser's saved conversations are the same origin's.
      const { url } = server;
      const port = Number(new URL(url).port);
      await server.close();
      server = null;
      await fs.writeFile(path.join(corpus, 'lighthouse.txt'), `Pelican Point lighthouse\n\nRevised in 2026 after the survey.\n\n${LIGHTHOUSE}`);
      server = await startTestServer({ webRoot: 'build', corpusDir: corpus, port });
      expect(server.url).toBe(url);

      const after = await openPage(browser.context, server.url);
      await after.page.goto(`${server.url}/${address}`);
      await after.page.reload();
      await after.page.waitForSelector('html[data-ready="true"]');
      await panelReady(after.page);
      const answer = after.page.locator('.message.assistant').last();
      expect(await answer.locator('.answer-text').textContent()).toContain('42 metres');
      const note = answer.locator('.changed-note');
      await note.waitFor();
      // The document named by its title, as everywhere on the page.
      await expect.poll(() => note.textContent()).toContain('The document Pelican Point lighthouse changed since this answer');
      // It comes before the answer, short answer included, so nothing above it reads as still verified.
      expect(await answer.locator('.changed-note ~ .answer-text').count()).toBe(1);
      expect(await answer.locator('.changed-note ~ .short-answer').textContent()).toContain('42 metres');
      expect(await answer.locator('.recheck.changed').count()).toBe(cited.length);
      expect(await answer.locator('.recheck.verified').count()).toBe(result.citations.length - cited.length);
      expect(await answer.locator('.recheck.changed').first().textContent()).toContain('Document changed since this answer');
      const marker = answer.locator('.answer-text button.cite.changed').first();
      expect(await marker.getAttribute('aria-label')).toContain('document changed since this answer');
      await marker.click();
      const check = after.page.locator('#source-check.warning');
      await check.waitFor();
      expect(await check.textContent()).toContain('Document changed since this answer');
      expect(await after.page.locator('#source-check.verified').count()).toBe(0);
      expect(after.problems).toEqual([]);
    } finally {
      await browser.close();
      await server?.close();
    }
  });
});
