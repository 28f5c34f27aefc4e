/**
 * What can be done with every answer (real Chromium with clipboard access, real server): Copy puts the answer and its
 * numbered sources on the clipboard as Markdown, Copy quote puts the quote, Regenerate asks the last question again
 * with the same history, and Edit puts an earlier question back in the box, the conversation continuing from there.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../server/__fixtures__/test-server.js';
import type { ClientFrame, DocumentListResponse } from '../server/protocol.js';
import { QUESTION, ask, lastResult, openPage } from './__fixtures__/chat-page.js';
import { launch } from './__fixtures__/launch-chromium.js';
import { VIEWPORTS } from './__fixtures__/page-server.js';

const SECOND = 'Who is Chen Zhichen?';
const THIRD = 'Who is Ian McCartney?';

type AskFrame = Extract<ClientFrame, { type: 'ask' }>;

describe('answer actions', () => {
  let t: TestServer;
  let browser: Awaited<ReturnType<typeof launch>>;
  beforeAll(async () => {
    t = await startTestServer({ webRoot: 'build' });
    browser = await launch();
    await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: t.url });
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it.each(Object.entries(VIEWPORTS))('at %s width: copy, copy quote, regenerate, edit and resend', async (_, viewport) => {
    const { page, problems, sent, received } = await openPage(browser.context, t.url, viewport);
    const clipboard = () => page.evaluate(() => navigator.clipboard.readText());
    const asks = () => sent.filter((f): f is AskFrame => f.type === 'ask');
    const { documents } = (await (await fetch(`${t.url}/api/documents`)).json()) as DocumentListResponse;
    const titleOf = (id: string) => documents.find((d) => d.id === id)!.title;

    // Copy: the answer with its markers, then its sources by document title, with their quotes.
    const first = await ask(page, QUESTION);
    const result = lastResult(received);
    expect(result.citations.length).toBeGreaterThan(0);
    await first.getByRole('button', { name: 'Copy answer with its sources' }).click();
    await first.getByRole('button', { name: 'Copied: answer with its sources' }).waitFor();
    const sources = result.citations.map((c) => `[${c.n}] ${titleOf(c.docId)}: “${c.quote.replace(/\s+/g, ' ').trim()}”`).join('\n\n');
    expect(await clipboard()).toBe(`${result.answer}\n\nSources:\n\n${sources}\n`);
    expect(await clipboard()).toContain('2,700');

    // Copy quote: exactly the quoted characters of the source.
    await first.getByRole('button', { name: `Copy quote ${result.citations[0]!.n}` }).click();
    await expect.poll(clipboard).toBe(result.citations[0]!.quote);

    // Regenerate is offered on the last answer only, and asks the last question again with the same history.
    await ask(page, SECOND);
    const third = await ask(page, THIRD);
    const regenerate = page.getByRole('button', { name: 'Regenerate the answer' });
    expect(await regenerate.count()).toBe(1);
    expect(await third.getByRole('button', { name: 'Regenerate the answer' }).isVisible()).toBe(true);
    const historyOfThird = asks().at(-1)!.history;
    await regenerate.click();
    await page.locator('.message.assistant').nth(2).and(page.locator('[aria-busy="false"]')).waitFor();
    expect(asks().at(-1)).toMatchObject({ question: THIRD, history: historyOfThird });
    expect(historyOfThird?.map((h) => h.content).filter((_, i) => i % 2 === 0)).toEqual([QUESTION, SECOND]);
    expect(await page.locator('.message.user .question-text').allTextContents()).toEqual([QUESTION, SECOND, THIRD]);
    expect(await page.locator('.message.assistant').count()).toBe(3);

    // Edit then cancel: nothing changes.
    await page.getByRole('button', { name: `Edit question: ${SECOND}` }).click();
    expect(await page.inputValue('#question')).toBe(SECOND);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('question');
    expect(await page.isVisible('#edit-notice')).toBe(true);
    await page.keyboard.press('Escape');
    expect(await page.isHidden('#edit-notice')).toBe(true);
    expect(await page.inputValue('#question')).toBe('');
    expect(await page.locator('.message.assistant').count()).toBe(3);

    // Edit and resend: the edited question replaces the second and the third; only the first is history.
    await page.getByRole('button', { name: `Edit question: ${SECOND}` }).click();
    const edited = 'Who is Wang Xiaohong?';
    await page.getByLabel('Your question').fill(edited);
    await page.getByLabel('Your question').press('Enter');
    const answer = page.locator('.message.assistant').last();
    await answer.and(page.locator('[aria-busy="false"]')).waitFor();
    expect(await page.locator('.message.user .question-text').allTextContents()).toEqual([QUESTION, edited]);
    expect(await page.locator('.message.assistant').count()).toBe(2);
    const resent = asks().at(-1)!;
    expect(resent.question).toBe(edited);
    expect(resent.history?.map((h) => h.role)).toEqual(['user', 'assistant']);
    expect(resent.history?.[0]!.content).toBe(QUESTION);
    expect(lastResult(received).abstained).toBe(false);
    expect(await page.isHidden('#edit-notice')).toBe(true);

    expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
    expect(problems).toEqual([]);
    await page.close();
  });
});
