/**
 * When the server goes away: a banner says so, Send is off, nothing typed is lost, and once a server is back on the
 * same port the question goes through (real Chromium, the real server stopped and started again).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../retrieval/logger.js';
import { startTestServer, type TestServer } from '../server/__fixtures__/test-server.js';
import { createServer, type RunningServer } from '../server/create-server.js';
import { QUESTION, openPage } from './__fixtures__/chat-page.js';
import { launch } from './__fixtures__/launch-chromium.js';
import { createStreamGate } from './__fixtures__/stream-gate.js';

const OFFLINE = "Can't reach the server — reconnecting…";

describe('server down and back', () => {
  let t: TestServer;
  let browser: Awaited<ReturnType<typeof launch>>;
  let restarted: RunningServer | null = null;
  const gate = createStreamGate({ passTokens: 1, shut: false });
  beforeAll(async () => {
    t = await startTestServer({ webRoot: 'build', wrapPipeline: gate.wrap });
    browser = await launch();
  });
  afterAll(async () => {
    gate.open();
    await browser?.close();
    await restarted?.close();
    await t?.close();
  });

  /** The same pipeline served again on the port the page knows. */
  const restart = async () => {
    restarted = await createServer({ pipeline: t.pipeline, config: t.config, logger: createLogger({ level: 'silent' }), port: t.server.port, host: '127.0.0.1', webRoot: 'build' });
    return restarted;
  };

  it('keeps the question, disables Send and shows a banner while down; after the restart the question is sent', async () => {
    const { page, problems } = await openPage(browser.context, t.url);
    const banner = page.locator('#connection-banner');
    await page.locator('#send:enabled').waitFor();
    // Connected, the banner takes no room.
    expect(await banner.isVisible()).toBe(false);
    expect(await page.textContent('#connection-message')).toBe('');

    // An answer in flight when the server stops fails with a Retry button.
    gate.shut();
    const box = page.getByLabel('Your question');
    await box.fill(QUESTION);
    await box.press('Enter');
    const failed = page.locator('.message.assistant').first();
    await failed.locator('.answer-text').filter({ hasText: /\S/ }).waitFor();
    await t.server.close();
    gate.open();
    await failed.and(page.locator('.failed[aria-busy="false"]')).waitFor();
    expect(await failed.getByRole('button', { name: 'Retry' }).isDisabled()).toBe(true);

    // Down: the banner says so in words, Send is off, and what the reader types stays put, even on Enter.
    await banner.and(page.locator('[data-state="offline"]')).waitFor();
    expect(await banner.isVisible()).toBe(true);
    expect(await page.isVisible('#reconnect-now')).toBe(true);
    expect(await page.textContent('#connection-message')).toContain(OFFLINE);
    expect(await page.getByRole('status').filter({ hasText: OFFLINE }).count()).toBe(1);
    const typed = 'Who is Chen Zhichen?';
    await box.fill(typed);
    expect(await page.isDisabled('#send')).toBe(true);
    await box.press('Enter');
    expect(await page.inputValue('#question')).toBe(typed);
    expect(await page.locator('.message.user').count()).toBe(1);

    // Back: the page reconnects by itself, the banner goes, and the kept question is sent and leaves the box.
    await restart();
    await page.locator('#send:enabled').waitFor({ timeout: 20_000 });
    expect(await page.textContent('#connection-message')).toBe('');
    expect(await banner.isVisible()).toBe(false);
    expect(await page.inputValue('#question')).toBe(typed);
    await page.getByRole('button', { name: 'Send' }).click();
    const answer = page.locator('.message.assistant').nth(1);
    await answer.and(page.locator('[aria-busy="false"]')).waitFor();
    expect(await answer.getAttribute('class')).not.toContain('failed');
    expect(await answer.locator('.answer-text').textContent()).not.toBe('');
    expect(await page.inputValue('#question')).toBe('');

    // Retry asks the failed question again, in place of the failed exchange.
    await failed.getByRole('button', { name: 'Retry' }).click();
    const retried = page.locator('.message.assistant').last();
    await retried.and(page.locator('[aria-busy="false"]')).waitFor();
    expect(await page.locator('.message.failed').count()).toBe(0);
    expect(await page.locator('.message.user .question-text').allTextContents()).toEqual([typed, QUESTION]);
    expect(await retried.locator('.answer-text').textContent()).toContain('2,700');
    // The only console noise allowed is the browser's own report of the refused reconnects.
    expect(problems.filter((p) => !/WebSocket connection to .* failed/.test(p))).toEqual([]);
    await page.close();
  });
});
