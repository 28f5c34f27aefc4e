/**
 * "Ask next" under an answer (real Chromium, the real server over the seed corpus): the follow-up questions the server
 * suggests for what the answer cites appear under it as buttons; one asked from the keyboard is sent as the next
 * question of the same conversation and answered with citations; only the latest answer keeps its suggestions.
 */
import { describe, expect, it } from 'vitest';
import type { ClientFrame, FollowUpsResponse } from '../server/protocol.js';
import { QUESTION, ask, lastResult, openPage } from './__fixtures__/chat-page.js';
import { usePageServer, VIEWPORTS } from './__fixtures__/page-server.js';

type AskFrame = Extract<ClientFrame, { type: 'ask' }>;

describe('follow-up questions under an answer', () => {
  const served = usePageServer();

  it.each(Object.entries(VIEWPORTS))('at %s width: suggested under the latest answer, asked as a follow-up, answered with citations', async (_, viewport) => {
    const { page, problems, sent, received } = await openPage(served.browser.context, served.server.url, viewport);
    await ask(page, QUESTION);
    // By position: `ask` returns the last answer, whichever that is when the locator is used.
    const first = page.locator('.message.assistant').nth(0);
    const answered = lastResult(received);
    expect(answered.abstained).toBe(false);

    // The server's follow-ups for this answer's citations, shown under it as buttons in a group named "Ask next".
    const citations = answered.citations.map(({ docId, start, end }) => ({ docId, start, end }));
    const response = await fetch(`${served.server.url}/api/suggestions/follow-ups`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ question: QUESTION, citations }) });
    const expected = ((await response.json()) as FollowUpsResponse).suggestions.map((s) => s.question);
    expect(expected.length).toBeGreaterThan(0);
    const group = first.getByRole('group', { name: 'Ask next' });
    const buttons = group.getByRole('button');
    await buttons.first().waitFor();
    expect(await buttons.allTextContents()).toEqual(expected);
    expect(await group.textContent()).toContain('Ask next');
    for (const box of await buttons.evaluateAll((all) => all.map((b) => b.getBoundingClientRect().toJSON() as { width: number; height: number; right: number }))) {
      expect(box.width).toBeGreaterThanOrEqual(24);
      expect(box.height).toBeGreaterThanOrEqual(24);
      expect(box.right).toBeLessThanOrEqual(viewport.width);
    }

    // Asked from the keyboard: the next question of this conversation, with the first exchange as its history.
    const chosen = expected[0]!;
    await buttons.first().focus();
    await page.keyboard.press('Enter');
    const second = page.locator('.message.assistant').nth(1);
    await second.and(page.locator('[aria-busy="false"]')).waitFor({ timeout: 30_000 });
    const asked = sent.filter((f): f is AskFrame => f.type === 'ask').at(-1)!;
    expect(asked.question).toBe(chosen);
    expect(asked.history?.map((t) => t.role)).toEqual(['user', 'assistant']);
    expect(asked.history?.[0]?.content).toBe(QUESTION);
    expect(await page.locator('.message.user .question-text').allTextContents()).toEqual([QUESTION, chosen]);
    const followUp = lastResult(received);
    expect(followUp.abstained).toBe(false);
    expect(followUp.citations.length).toBeGreaterThan(0);
    expect(await second.locator('button.cite').count()).toBeGreaterThan(0);

    // The older answer has lost its suggestions; any shown now are the latest answer's, and repeat no question asked.
    expect(await first.locator('.follow-ups').count()).toBe(0);
    const latest = second.getByRole('group', { name: 'Ask next' }).getByRole('button');
    await expect.poll(async () => (await latest.count()) > 0 || (await page.locator('.follow-ups[hidden]').count()) > 0, { timeout: 30_000 }).toBe(true);
    expect(await page.locator('.follow-ups').count()).toBe(1);
    const offered = await latest.allTextContents();
    expect(offered).not.toContain(QUESTION);
    expect(offered).not.toContain(chosen);

    // A new question typed in the box takes the suggestions away from this answer too.
    await ask(page, 'Who is Ian McCartney?');
    expect(await second.locator('.follow-ups').count()).toBe(0);
    expect(problems).toEqual([]);
  });
});
