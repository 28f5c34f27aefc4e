/** Answers come into view as they stream, unless the reader scrolled up (real Chromium, real server). */
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../server/__fixtures__/test-server.js';
import { QUESTION, ask, openPage } from './__fixtures__/chat-page.js';
import { launch } from './__fixtures__/launch-chromium.js';
import { createStreamGate } from './__fixtures__/stream-gate.js';

const PHONE = { width: 375, height: 740 };
const DESKTOP = { width: 1280, height: 800 };

/** True when `target` lies wholly inside both the window and the scrolling conversation. */
function inView(target: Locator): Promise<boolean> {
  return target.evaluate((node) => {
    const box = node.getBoundingClientRect();
    const chat = document.getElementById('conversation')!.getBoundingClientRect();
    return box.height > 0 && box.top >= Math.max(0, chat.top) && box.bottom <= Math.min(window.innerHeight, chat.bottom);
  });
}

/** Resolves after the page has laid out and painted twice (resize observers have run). */
const settled = (page: Page) => page.evaluate(() => new Promise<void>((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve()))));

const distanceFromBottom = (page: Page) => page.locator('#conversation').evaluate((c) => c.scrollHeight - c.clientHeight - c.scrollTop);

describe('answers in view', () => {
  let t: TestServer;
  let browser: Awaited<ReturnType<typeof launch>>;
  const gate = createStreamGate({ passTokens: 2, shut: false });
  beforeAll(async () => {
    t = await startTestServer({ webRoot: 'build', wrapPipeline: gate.wrap });
    browser = await launch();
  });
  afterAll(async () => {
    gate.open();
    await browser?.close();
    await t?.close();
  });

  for (const [name, viewport] of [['phone', PHONE], ['desktop', DESKTOP]] as const) {
    it(`shows each new answer and its first source without scrolling (${name})`, async () => {
      const { page, problems } = await openPage(browser.context, t.url, viewport);
      for (const question of [QUESTION, 'Who is Chen Zhichen?', QUESTION]) {
        const answer = await ask(page, question);
        await settled(page);
        expect(await inView(answer.locator('.answer-text'))).toBe(true);
        // The line naming the first source (a long quote under it may run below).
        const firstSource = answer.locator('.sources li button').first();
        if ((await firstSource.count()) > 0) expect(await inView(firstSource)).toBe(true);
        // Whatever of the conversation is still below is one press away.
        expect(await page.isVisible('#jump-latest')).toBe((await distanceFromBottom(page)) > 24);
      }
      expect(await page.locator('.message.assistant').count()).toBe(3);
      expect(problems).toEqual([]);
      await page.close();
    });
  }

  it('stops following when the reader scrolls up mid-stream, and offers to jump to the latest', async () => {
    const { page, problems } = await openPage(browser.context, t.url, PHONE);
    await ask(page, QUESTION);
    await ask(page, 'Who is Chen Zhichen?');

    gate.shut();
    await page.getByLabel('Your question').fill(QUESTION);
    await page.getByLabel('Your question').press('Enter');
    const streaming = page.locator('.message.assistant').nth(2);
    await streaming.locator('.answer-text').filter({ hasText: /\S/ }).waitFor();
    await page.locator('#conversation').hover();
    await page.mouse.wheel(0, -5000);
    await page.waitForFunction(() => document.getElementById('conversation')!.scrollTop === 0);
    const jump = page.getByRole('button', { name: 'Jump to latest' });
    await jump.waitFor();

    gate.open();
    await streaming.and(page.locator('[aria-busy="false"]')).waitFor();
    await settled(page);
    // The rest of the answer arrived, and the page left the reader where they were.
    expect(await page.locator('#conversation').evaluate((c) => c.scrollTop)).toBe(0);
    expect(await jump.isVisible()).toBe(true);

    await jump.click();
    await page.waitForFunction(() => {
      const c = document.getElementById('conversation')!;
      return c.scrollHeight - c.clientHeight - c.scrollTop <= 1;
    });
    expect(await distanceFromBottom(page)).toBeLessThanOrEqual(1);
    await expect.poll(() => jump.isHidden()).toBe(true);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('question');
    expect(problems).toEqual([]);
    await page.close();
  });
});
