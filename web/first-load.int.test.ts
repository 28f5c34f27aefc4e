/**
 * What a first visit shows (real Chromium, the real server over the seed corpus): the box focused with a
 * placeholder, the documents named, starter questions from the corpus that are answered when clicked, and the
 * retrieval mode in plain words, in warning colour only when something is missing.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../server/__fixtures__/test-server.js';
import type { SuggestionsResponse } from '../server/protocol.js';
import { lastResult, openPage } from './__fixtures__/chat-page.js';
import { launch } from './__fixtures__/launch-chromium.js';
import { usePageServer, VIEWPORTS } from './__fixtures__/page-server.js';

describe('first load over the seed corpus', () => {
  const served = usePageServer();

  it.each(Object.entries(VIEWPORTS))('at %s width: focused box, the corpus named, the mode explained, starter questions that get answered', async (_, viewport) => {
    const { page, problems, received } = await openPage(served.browser.context, served.server.url, viewport);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('question');
    expect(await page.getAttribute('#question', 'placeholder')).toBe('Ask a question about the documents…');

    // The document is named by its title, cut short, not by its file name.
    await page.locator('#corpus-line').filter({ hasText: /\S/ }).waitFor();
    expect(await page.textContent('#corpus-line')).toBe('Asking 1 document: Police diplomacy, a specialized area of foreign policy for…');

    // Keyword search is this server's setting (DISABLE_EMBEDDINGS): said in words, and not in warning colour.
    await expect.poll(() => page.getAttribute('#mode-badge', 'data-tone')).toBe('choice');
    expect(await page.textContent('#mode-badge')).toBe('Keyword search · 1 document');
    expect(await page.textContent('#mode-explanation')).toContain('set to search without the embedding model (DISABLE_EMBEDDINGS)');
    const colours = await page.evaluate(() => {
      const warn = getComputedStyle(document.documentElement).getPropertyValue('--warn').trim();
      const probe = document.createElement('span');
      probe.style.color = warn;
      document.body.append(probe);
      const warnRgb = getComputedStyle(probe).color;
      probe.remove();
      return { badge: getComputedStyle(document.getElementById('mode-badge')!).color, warn: warnRgb };
    });
    expect(colours.badge).not.toBe(colours.warn);

    // The starter questions are the server's, derived from the corpus, and visible without scrolling sideways.
    const expected = ((await (await fetch(`${served.server.url}/api/suggestions`)).json()) as SuggestionsResponse).suggestions.map((s) => s.question);
    expect(expected.length).toBeGreaterThan(1);
    const buttons = page.locator('#suggestion-list button');
    await buttons.first().waitFor();
    expect(await buttons.allTextContents()).toEqual(expected);
    expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);

    // Clicking one asks it: it becomes the question and is answered, with a citation.
    await buttons.nth(1).click();
    const answer = page.locator('.message.assistant').last();
    await answer.and(page.locator('[aria-busy="false"]')).waitFor();
    expect(await page.locator('.message.user .question-text').allTextContents()).toEqual([expected[1]]);
    const result = lastResult(received);
    expect(result.abstained).toBe(false);
    expect(await answer.locator('button.cite').count()).toBeGreaterThan(0);
    expect(await page.isHidden('#empty-hint')).toBe(true);
    expect(await page.inputValue('#question')).toBe('');

    // New chat brings the panel back.
    await page.getByRole('button', { name: 'New chat' }).click();
    expect(await page.isVisible('#suggestion-list')).toBe(true);
    expect(problems).toEqual([]);
    await page.close();
  });
});

describe('first load without the embedding model', () => {
  let t: TestServer;
  let browser: Awaited<ReturnType<typeof launch>>;
  let emptyModels: string;
  beforeAll(async () => {
    emptyModels = await fs.mkdtemp(path.join(os.tmpdir(), 'verbatim-no-models-'));
    t = await startTestServer({ webRoot: 'build', configOverrides: { disableEmbeddings: false, allowRemoteModels: false, modelDir: emptyModels } });
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await fs.rm(emptyModels, { recursive: true, force: true });
  });

  it('says the model is missing and how to install it, in warning colour, with no server path', async () => {
    const health = (await (await fetch(`${t.url}/api/health`)).json()) as { lexicalReason: string };
    expect(health.lexicalReason).toContain(emptyModels);
    const { page, problems } = await openPage(browser.context, t.url);
    await expect.poll(() => page.getAttribute('#mode-badge', 'data-tone')).toBe('fallback');
    expect(await page.textContent('#mode-explanation')).toBe('Keyword search: the embedding model is not installed. Run npm run models -- fetch and restart for meaning-based search.');
    expect(await page.textContent('#mode-explanation code')).toBe('npm run models -- fetch');
    const shown = await page.evaluate(() => document.body.innerText + document.getElementById('mode-badge')!.title);
    expect(shown).not.toContain(emptyModels);
    expect(shown).not.toContain(os.tmpdir());
    expect(problems).toEqual([]);
    await page.close();
  });
});
