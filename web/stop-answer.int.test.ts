/**
 * Stop stops what the reader sees, even when the rest of the answer is already on its way: the page's WebSocket is
 * routed through the test (real page, real server, real frames), which holds the server's frames back the way a slow
 * connection does, so the whole answer and its `done` are in flight when Stop is pressed.
 */
import type { WebSocketRoute } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { ClientFrame, ServerFrame } from '../server/protocol.js';
import { QUESTION, ask, openPage } from './__fixtures__/chat-page.js';
import { usePageServer } from './__fixtures__/page-server.js';

describe('Stop on a slow connection', () => {
  const served = usePageServer();

  it('drops the frames that arrive after Stop: the answer stays as it was, marked stopped', async () => {
    const sent: ClientFrame[] = [];
    const held: ServerFrame[] = [];
    let holding = false;
    let toPage: WebSocketRoute | null = null;
    // Passes frames through until the first token of an answer, then holds the server's frames back.
    await served.browser.context.routeWebSocket(/\/ws$/, (ws) => {
      toPage = ws;
      const server = ws.connectToServer();
      ws.onMessage((message) => {
        sent.push(JSON.parse(String(message)) as ClientFrame);
        server.send(message);
      });
      server.onMessage((message) => {
        const frame = JSON.parse(String(message)) as ServerFrame;
        if (holding) {
          held.push(frame);
          return;
        }
        ws.send(message);
        if (frame.type === 'token' && sent.filter((f) => f.type === 'ask').length === 1) holding = true;
      });
    });
    const { page, problems } = await openPage(served.browser.context, served.server.url);
    await page.getByLabel('Your question').fill(QUESTION);
    await page.getByLabel('Your question').press('Enter');
    const stopped = page.locator('.message.assistant').first();
    await stopped.locator('.answer-text').filter({ hasText: /\S/ }).waitFor();
    // The server has finished; its last frames are "on the wire".
    await expect.poll(() => held.some((f) => f.type === 'done')).toBe(true);
    const shownAtStop = await stopped.locator('.answer-text').textContent();

    await page.getByRole('button', { name: 'Stop' }).click();
    await stopped.and(page.locator('[aria-busy="false"]')).waitFor();
    expect(await stopped.locator('.answer-status').textContent()).toBe('Stopped.');
    expect(await page.isEnabled('#send')).toBe(true);
    expect(await page.isHidden('#stop')).toBe(true);
    const askId = sent.find((f) => f.type === 'ask')!.id;
    expect(sent).toContainEqual({ type: 'cancel', id: askId });

    // The held frames arrive now: more text and the finished answer, all for the stopped ask.
    expect(held.filter((f) => f.type === 'token').length).toBeGreaterThan(0);
    expect(held.every((f) => f.id === askId)).toBe(true);
    holding = false;
    for (const frame of held) toPage!.send(JSON.stringify(frame));
    // A second answer over the same socket comes after them, so once it is shown they have been read.
    const next = await ask(page, 'Who is Chen Zhichen?');
    expect(await next.locator('.answer-text').textContent()).not.toBe('');

    expect(await stopped.locator('.answer-text').textContent()).toBe(shownAtStop);
    expect(await stopped.getAttribute('class')).toContain('stopped');
    expect(await stopped.locator('.answer-status').textContent()).toBe('Stopped.');
    expect(await stopped.locator('.sources, .answer-meta, .short-answer').count()).toBe(0);
    expect(problems).toEqual([]);
    await page.close();
  });
});
