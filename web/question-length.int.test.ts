/**
 * The question box against the server's length limit (real Chromium, real server): it grows with its text up to a
 * limit, shows a counter near the limit, and a question over it is kept whole, with Send off and the counter saying
 * how much to remove.
 */
import { describe, expect, it } from 'vitest';
import { MAX_QUESTION_CHARS } from '../server/protocol.js';
import { QUESTION, openPage } from './__fixtures__/chat-page.js';
import { usePageServer, VIEWPORTS } from './__fixtures__/page-server.js';

describe('question length', () => {
  const served = usePageServer();

  it.each(Object.entries(VIEWPORTS))('at %s width: grows, counts near the limit, and never cuts a long question', async (_, viewport) => {
    const { page, problems, sent } = await openPage(served.browser.context, served.server.url, viewport);
    const box = page.getByLabel('Your question');
    const height = () => box.evaluate((el) => el.getBoundingClientRect().height);
    await page.locator('#send:enabled').waitFor();
    // Empty, it fits its placeholder (two lines on a phone).
    const empty = await height();

    // Grows with its lines, up to the stylesheet's limit, then scrolls.
    await box.fill('one line');
    const oneLine = await height();
    await box.fill('line\n'.repeat(4));
    const fiveLines = await height();
    expect(fiveLines).toBeGreaterThan(oneLine + 40);
    await box.fill('line\n'.repeat(40));
    const tall = await height();
    expect(tall).toBeGreaterThan(fiveLines);
    expect(tall).toBeLessThan(viewport.height / 2);
    expect(await box.evaluate((el) => el.scrollHeight > el.clientHeight)).toBe(true);
    expect(await page.isHidden('#question-counter')).toBe(true);

    // Near the limit the counter appears; Send still works.
    const near = `${QUESTION} ${'x'.repeat(MAX_QUESTION_CHARS - 150 - QUESTION.length - 1)}`;
    await box.fill(near);
    expect(await page.textContent('#question-counter')).toBe(`1,850 / ${MAX_QUESTION_CHARS.toLocaleString('en-US')} characters`);
    expect(await page.isEnabled('#send')).toBe(true);

    // A pasted question of 2,946 characters stays whole; Send is off, Enter sends nothing, the counter says what to do.
    const long = `${QUESTION} ${'y'.repeat(2946 - QUESTION.length - 1)}`;
    await box.fill(long);
    expect((await page.inputValue('#question')).length).toBe(2946);
    expect(await page.textContent('#question-counter')).toBe('2,946 / 2,000 characters: remove 946 characters to send.');
    expect(await page.isDisabled('#send')).toBe(true);
    expect(await box.getAttribute('aria-invalid')).toBe('true');
    await box.press('Enter');
    expect(await page.inputValue('#question')).toBe(long);
    expect(sent.filter((f) => f.type === 'ask')).toEqual([]);
    expect(await page.locator('#messages > li').count()).toBe(0);

    // Cut down to the limit, it is sent whole, and the box shrinks back once it empties.
    const fits = long.slice(0, MAX_QUESTION_CHARS);
    await box.fill(fits);
    expect(await page.textContent('#question-counter')).toBe('2,000 / 2,000 characters');
    expect(await box.getAttribute('aria-invalid')).toBeNull();
    await page.getByRole('button', { name: 'Send' }).click();
    await page.locator('.message.assistant[aria-busy="false"]').waitFor();
    expect(sent.filter((f) => f.type === 'ask').map((f) => (f.type === 'ask' ? f.question : ''))).toEqual([fits]);
    expect(await page.inputValue('#question')).toBe('');
    expect(await height()).toBe(empty);
    expect(await page.isHidden('#question-counter')).toBe(true);
    expect(problems).toEqual([]);
    await page.close();
  });
});
