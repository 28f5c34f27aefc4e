/**
 * Generated answers in the chat page, as `npm start` serves them (answering worker threads, the real WebSocket):
 * the model is a loopback chat-completions server with scripted replies, so the test knows exactly what it writes
 * and can check what the reader is shown — verified sentences with working citations, the others marked "not
 * verified" (and hidden by the setting), and a note when the quoted answer stands in for the model's.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startScriptedChatServer, type ScriptedChatServer } from '../retrieval/generate/__fixtures__/scripted-chat-server.js';
import { startTestServer, type TestServer } from '../server/__fixtures__/test-server.js';
import { ask, lastResult, openPage, QUESTION } from './__fixtures__/chat-page.js';
import { launch } from './__fixtures__/launch-chromium.js';

const ARTIFACTS = path.resolve(import.meta.dirname, '../test-artifacts');

describe('generated answers in the chat page', () => {
  let model: ScriptedChatServer;
  let t: TestServer;
  let browser: Awaited<ReturnType<typeof launch>>;
  beforeAll(async () => {
    model = await startScriptedChatServer();
    t = await startTestServer({
      webRoot: 'build',
      pooled: true,
      configOverrides: { answerer: 'generative', generator: 'openai-compatible', generatorBaseUrl: model.url, generatorModel: 'scripted-model', generatorTimeoutMs: 2000, askWorkers: 1 },
    });
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await model?.close();
  });

  it('shows verified sentences with citations that open and verify, marks the unverified one, and hides it on request', async () => {
    model.script([
      {
        delayMs: 40,
        pieces: ['China had trained ', '2,700 foreign law enforcement officers', ' in 2023 [1].', ' China trained ', '9,000 police chiefs in Fiji [1].', ' It plans to train ', '3,000 more by 2025 [1].'],
      },
    ]);
    const { page, problems, received } = await openPage(browser.context, t.url);
    await page.locator('#unverified-setting:not([hidden])').waitFor();
    const answer = await ask(page, QUESTION);

    const result = lastResult(received);
    expect(result.generation?.totals).toMatchObject({ verified: 2, unsupported: 1 });
    // The draft went out as it was written, with a verdict after each sentence, before the answer was done.
    const types = received.map((f) => f.type);
    expect(types.indexOf('verification')).toBeLessThan(types.lastIndexOf('token'));

    const sentences = answer.locator('.answer-text .generated');
    expect(await sentences.count()).toBe(3);
    expect(await sentences.nth(0).getAttribute('data-status')).toBe('verified');
    const unverified = sentences.nth(1);
    expect(await unverified.getAttribute('data-status')).toBe('unsupported');
    expect(await unverified.locator('.cite').count()).toBe(0);
    expect(await unverified.locator('.unverified-badge').textContent()).toContain('not verified');
    expect(await unverified.locator('.unverified-badge').getAttribute('title')).toMatch(/“9000”|“Fiji”/);
    expect(await answer.locator('.answer-draft').count()).toBe(0);
    await answer.screenshot({ path: path.join(ARTIFACTS, 'chat-generated.png') });

    // A verified sentence's citation opens the source and the page checks the quote against the document itself.
    await sentences.nth(0).locator('.cite').first().click();
    await page.locator('#source-check').filter({ hasText: /verified/i }).waitFor();
    expect(await page.locator('#source-text mark').first().textContent()).toContain('2,700 foreign law enforcement officers');
    await page.getByRole('button', { name: 'Close source' }).click();

    await page.getByLabel('Show unverified sentences').uncheck();
    expect(await unverified.isVisible()).toBe(false);
    expect(await sentences.nth(0).isVisible()).toBe(true);
    await page.reload();
    await page.waitForSelector('html[data-ready="true"]');
    expect(await page.getByLabel('Show unverified sentences').isChecked()).toBe(false);
    await page.getByLabel('Show unverified sentences').check();
    expect(problems).toEqual([]);
    await page.close();
  });

  it('says so when the model fails and the documents’ own sentences are shown', async () => {
    model.script([{ status: 500, error: { message: 'model runner crashed' } }]);
    const { page, problems, received } = await openPage(browser.context, t.url);
    const answer = await ask(page, QUESTION);
    expect(lastResult(received).generation?.fallback?.code).toBe('GENERATOR_FAILED');
    const note = answer.locator('.generation-note');
    expect(await note.textContent()).toContain('model runner crashed');
    expect(await note.getAttribute('data-code')).toBe('GENERATOR_FAILED');
    expect(await answer.locator('.answer-text').textContent()).toContain('2,700');
    expect(await answer.locator('.answer-text .cite').count()).toBeGreaterThan(0);
    expect(problems).toEqual([]);
    await page.close();
  });
});
