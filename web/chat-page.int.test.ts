/**
 * The chat page in real headless Chromium (Debian's package; Playwright's own download does not work
 * here), against the real server over a real index.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Answerer } from '../retrieval/answer/answerer.js';
import type { Answer } from '../retrieval/types.js';
import { startTestServer, type TestServer } from '../server/__fixtures__/test-server.js';
import type { ClientFrame } from '../server/protocol.js';
import { QUESTION, ask, lastResult, openPage } from './__fixtures__/chat-page.js';
import { launch } from './__fixtures__/launch-chromium.js';
import { saveScreenshot } from './__fixtures__/screenshots.js';
import { createStreamGate } from './__fixtures__/stream-gate.js';
import { ABSTENTION_REASON_TEXT } from './src/abstention-reasons.js';


describe('chat page over the seed corpus', () => {
  let t: TestServer;
  let browser: Awaited<ReturnType<typeof launch>>;
  beforeAll(async () => {
    t = await startTestServer({ webRoot: 'build' });
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('streams an answer whose first citation opens verified and highlighted in the source', async () => {
    const { page, problems, received } = await openPage(browser.context, t.url);
    await expect.poll(() => page.getAttribute('#mode-badge', 'data-mode')).toBe('lexical');
    expect(await page.textContent('#mode-badge')).toContain('1 document');

    const answer = await ask(page, QUESTION);
    const result = lastResult(received);
    expect(received.filter((f) => f.type === 'token').length).toBeGreaterThan(3);
    expect(await answer.locator('.answer-text').textContent()).toBe(result.answer);
    expect(result.answer).toContain('2,700');
    expect(await answer.locator('.answer-text').getAttribute('aria-live')).toBe('polite');
    const order = await answer.evaluate((li) => [...li.children].map((c) => c.className).filter((c) => !c.includes('sr-only')));
    if (result.shortAnswerConfident) {
      // A confident short answer comes first in the message and is emphasised.
      expect(await answer.locator('.short-answer strong').textContent()).toBe(result.shortAnswer);
      expect(order[0]).toBe('short-answer');
    } else {
      expect(await answer.locator('.short-answer').count()).toBe(0);
      expect(order[0]).toBe('answer-text');
    }
    expect(await answer.locator('.confidence').textContent()).toMatch(/^Confidence \d+%/);

    const first = result.citations[0]!;
    const cite = answer.locator('button.cite').first();
    expect(await cite.textContent()).toBe(`[${first.n}]`);
    // Named by the document's title, not its file name.
    const { documents } = (await (await fetch(`${t.url}/api/documents`)).json()) as { documents: { id: string; title: string }[] };
    expect(await cite.getAttribute('aria-label')).toBe(`Citation ${first.n}: open ${documents.find((d) => d.id === first.docId)!.title}`);
    await cite.click();

    const check = page.locator('#source-check.verified');
    await check.waitFor();
    expect(await check.textContent()).toContain(`Verified against source: characters ${first.start}–${first.end} of ${first.docId}`);
    const mark = page.locator('#source-text mark');
    expect(await mark.count()).toBe(1);
    expect(await mark.textContent()).toBe(first.quote);
    // The whole document is shown, and the highlighted span is scrolled into view.
    const doc = (await (await fetch(`${t.url}/api/documents/${encodeURIComponent(first.docId)}`)).json()) as { text: string };
    expect(await page.textContent('#source-text')).toBe(doc.text);
    const visible = await page.evaluate(() => {
      const m = document.querySelector('#source-text mark')!.getBoundingClientRect();
      const box = document.querySelector('#source-text')!.getBoundingClientRect();
      return m.bottom > box.top && m.top < box.bottom;
    });
    expect(visible).toBe(true);

    // Passages are listed under the answer and open the same way.
    await answer.locator('details.passages summary').click();
    await answer.getByRole('button', { name: /Show passage 1 in/ }).click();
    await page.locator('#source-check.verified').filter({ hasText: `characters ${result.passages[0]!.start}–${result.passages[0]!.end}` }).waitFor();
    await cite.click();
    await page.locator('#source-check.verified').filter({ hasText: `characters ${first.start}–${first.end}` }).waitFor();

    await saveScreenshot(page, 'chat-citation.png', 'screenshot.png');
    expect(problems).toEqual([]);
    await page.close();
  });

  it('works with the keyboard alone and sends the history with follow-ups', async () => {
    const { page, problems, sent, received } = await openPage(browser.context, t.url);
    await page.keyboard.press('Tab'); // skip link
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('question');
    await page.keyboard.type('How many foreign law enforcement officers did China train in 2023?');
    await page.keyboard.press('Shift+Enter');
    expect(await page.inputValue('#question')).toMatch(/\n$/);
    await page.keyboard.press('Enter');
    const answer = page.locator('.message.assistant').last();
    await answer.and(page.locator('[aria-busy="false"]')).waitFor();
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('question');

    // Tab from the top of the page to the first citation, open it with Enter, close it with Escape.
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    let onCitation = false;
    for (let i = 0; i < 40 && !onCitation; i += 1) {
      await page.keyboard.press('Tab');
      onCitation = await page.evaluate(() => document.activeElement?.classList.contains('cite') ?? false);
    }
    expect(onCitation).toBe(true);
    await page.keyboard.press('Enter');
    await page.locator('#source-check.verified').waitFor();
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('source-title');
    await page.keyboard.press('Escape');
    expect(await page.isHidden('#source-panel')).toBe(true);
    expect(await page.evaluate(() => document.activeElement?.classList.contains('cite'))).toBe(true);

    await page.getByLabel('Your question').fill('And how many more does it plan to train by 2025?');
    await page.getByLabel('Your question').press('Enter');
    await page.locator('.message.assistant').nth(1).and(page.locator('[aria-busy="false"]')).waitFor();
    // A follow-up is searched for as read against the conversation; the page says so when that differs.
    const followUp = lastResult(received);
    const searched = page.locator('.message.assistant').nth(1).locator('.searched-for');
    if (followUp.retrievalQuery !== followUp.question) expect(await searched.textContent()).toBe(`Searched for: ${followUp.retrievalQuery}`);
    else expect(await searched.count()).toBe(0);
    const asks = sent.filter((f): f is Extract<ClientFrame, { type: 'ask' }> => f.type === 'ask');
    expect(asks).toHaveLength(2);
    expect(asks[0]!.history).toEqual([]);
    expect(asks[1]!.history?.map((h) => h.role)).toEqual(['user', 'assistant']);
    expect(asks[1]!.history?.[0]!.content).toBe('How many foreign law enforcement officers did China train in 2023?');

    await page.getByRole('button', { name: 'New chat' }).click();
    expect(await page.locator('#messages > li').count()).toBe(0);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('question');
    expect(problems).toEqual([]);
    await page.close();
  });

  it('is readable at phone width', async () => {
    const { page, problems } = await openPage(browser.context, t.url);
    await page.setViewportSize({ width: 375, height: 740 });
    const answer = await ask(page, QUESTION);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await saveScreenshot(page, 'chat-phone.png');
    await answer.locator('button.cite').first().click();
    await page.locator('#source-check.verified').waitFor();
    const panel = await page.locator('#source-panel').boundingBox();
    expect(panel?.width).toBeGreaterThanOrEqual(370);
    // The covered chat is out of the tab order until the panel closes.
    expect(await page.evaluate(() => (document.getElementById('chat-column') as HTMLElement).inert)).toBe(true);
    await saveScreenshot(page, 'chat-citation-phone.png');
    await page.getByRole('button', { name: 'Close source' }).click();
    expect(await page.isHidden('#source-panel')).toBe(true);
    expect(await page.evaluate(() => (document.getElementById('chat-column') as HTMLElement).inert)).toBe(false);
    expect(await page.evaluate(() => document.activeElement?.classList.contains('cite'))).toBe(true);
    expect(problems).toEqual([]);
    await page.close();
  });
});

describe('chat page with HTML inside a document', () => {
  const HOSTILE = [
    'Lantern festival notes <img src=x onerror="window.__pwned=1">',
    '',
    'The Harbour Lantern Festival is held every October in Port Ellery and draws 40,000 visitors.',
    'The festival committee once pasted this snippet into its programme by mistake: <script>window.__pwned=1</script>',
    'A second snippet in the programme read <img src=x onerror="window.__pwned=1"> and showed nothing.',
    '',
  ].join('\n');
  let t: TestServer;
  let browser: Awaited<ReturnType<typeof launch>>;
  beforeAll(async () => {
    t = await startTestServer({ webRoot: 'build', extraFiles: { 'festival/notes.txt': HOSTILE } });
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('shows the markup as characters and runs none of it', async () => {
    const { page, problems, received } = await openPage(browser.context, t.url);
    const answer = await ask(page, 'What snippet did the festival committee paste into its programme by mistake?');
    const result = lastResult(received);
    const docId = 'festival/notes.txt';
    expect(result.passages.some((p) => p.docId === docId)).toBe(true);

    // Open the document through a citation if it was cited, else through its passage.
    const citation = result.citations.find((c) => c.docId === docId);
    if (citation) {
      await answer.locator('button.cite').nth(result.citations.indexOf(citation)).click();
    } else {
      const details = answer.locator('details.passages');
      if ((await details.count()) > 0 && !(await details.evaluate((d) => (d as HTMLDetailsElement).open))) await details.locator('summary').click();
      const index = result.passages.findIndex((p) => p.docId === docId);
      await answer.getByRole('button', { name: new RegExp(`passage ${index + 1} in festival/notes\\.txt`) }).click();
    }
    await page.locator('#source-check.verified').waitFor();
    const shown = await page.textContent('#source-text');
    expect(shown).toBe(HOSTILE);
    expect(shown).toContain('<script>window.__pwned=1</script>');
    expect(shown).toContain('<img src=x onerror="window.__pwned=1">');
    expect(await page.textContent('#source-doc')).toContain('<img src=x onerror="window.__pwned=1">');
    // Only the page's own blocks and the highlight are elements inside the document view; none of the text became markup.
    const tags = await page.locator('#source-text *').evaluateAll((els) => els.map((e) => e.tagName));
    expect(tags).toContain('MARK');
    expect(tags.filter((tag) => !['H3', 'H4', 'H5', 'H6', 'P', 'SPAN', 'MARK'].includes(tag))).toEqual([]);
    expect(await page.locator('img, #messages script, #source-panel script').count()).toBe(0);
    expect(await page.textContent('#messages')).toContain('<');
    await page.waitForTimeout(300);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(problems).toEqual([]);
    await page.close();
  });
});

describe('abstentions', () => {
  let t: TestServer;
  let browser: Awaited<ReturnType<typeof launch>>;
  beforeAll(async () => {
    // Real retrieval, and an answerer that finds no support, as the extractive one does for off-corpus questions.
    t = await startTestServer({ webRoot: 'build', answerer: { name: 'abstaining', answer: async () => ({ answer: "The documents don't say.", shortAnswer: null, abstained: true, citations: [], confidence: { answer: 0.1, shortAnswer: 0 }, shortAnswerConfident: false, abstentionReason: 'WEAK_EVIDENCE' }) } });
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('says plainly when the documents do not answer, and offers the nearest passages', async () => {
    const { page, problems, received } = await openPage(browser.context, t.url);
    const answer = await ask(page, 'What colour are the police uniforms in Finland?');
    const result = lastResult(received);
    expect(result.abstained).toBe(true);
    expect(await answer.locator('.answer-text').textContent()).toBe("The documents don't say.");
    expect(await answer.locator('button.cite').count()).toBe(0);
    // The reason in plain words, right under the abstention, and the confidence that fell short.
    expect(await answer.locator('.abstention-reason').textContent()).toBe(ABSTENTION_REASON_TEXT.WEAK_EVIDENCE);
    const order = await answer.evaluate((li) => [...li.children].map((c) => c.className).filter((c) => !c.includes('sr-only')));
    expect(order.slice(0, 3)).toEqual(['answer-text', 'abstention-reason', 'answer-meta']);
    expect(await answer.locator('.confidence').textContent()).toMatch(/^Confidence 10%, too low to answer/);
    await saveScreenshot(page, 'chat-abstained.png');
    const nearest = answer.getByRole('button', { name: /Show nearest passage \d+ in/ });
    expect(await nearest.count()).toBe(Math.min(3, result.passages.length));
    await nearest.first().click();
    await page.locator('#source-check.verified').waitFor();
    expect(await page.textContent('#source-text mark')).toBe(result.passages[0]!.text);
    expect(problems).toEqual([]);
    await page.close();
  });

});

/**
 * Quotes the first sentence of the best passage (a real, checkable span) and takes the short answer and the
 * confidence from `script`, so the page's handling of confident and unconfident short answers is tested
 * whatever the real answerer's weights say today.
 */
function scriptedAnswerer(script: Readonly<Record<string, Pick<Answer, 'shortAnswer' | 'shortAnswerConfident' | 'confidence'>>>): Answerer {
  return {
    name: 'scripted',
    answer: async ({ question, passages }) => {
      const scripted = script[question];
      const best = passages[0];
      // The page asks for follow-up questions in the background: those the script does not know go unanswered.
      if (!scripted) return { answer: '', shortAnswer: null, shortAnswerConfident: false, citations: [], abstained: true, abstentionReason: 'WEAK_EVIDENCE', confidence: { answer: 0, shortAnswer: 0 } };
      if (!best) throw new Error(`no passage for ${JSON.stringify(question)}`);
      const quote = best.text.slice(0, best.text.search(/[.!?](?:\s|$)/) + 1 || best.text.length);
      return {
        ...scripted,
        answer: `${quote} [1]`,
        citations: [{ n: 1, docId: best.docId, start: best.start, end: best.start + quote.length, quote }],
        abstained: false,
        abstentionReason: null,
      };
    },
  };
}

describe('short answers and confidence', () => {
  // The two questions a new user reported: the second got a wrong phrase in bold above the right sentence.
  const CONFIDENT = QUESTION;
  const UNCONFIDENT = 'Who is Ian McCartney?';
  let t: TestServer;
  let browser: Awaited<ReturnType<typeof launch>>;
  beforeAll(async () => {
    t = await startTestServer({
      webRoot: 'build',
      answerer: scriptedAnswerer({
        [CONFIDENT]: { shortAnswer: '2,700', shortAnswerConfident: true, confidence: { answer: 0.94, shortAnswer: 0.87 } },
        [UNCONFIDENT]: { shortAnswer: 'a turning point', shortAnswerConfident: false, confidence: { answer: 0.81, shortAnswer: 0.31 } },
      }),
    });
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  const visibleOrder = (answer: Awaited<ReturnType<typeof ask>>) => answer.evaluate((li) => [...li.children].map((c) => c.className).filter((c) => !c.includes('sr-only')));

  it('puts a confident short answer first, in bold, and labels the confidence with what it means', async () => {
    const { page, problems, received } = await openPage(browser.context, t.url);
    const answer = await ask(page, CONFIDENT);
    const result = lastResult(received);
    expect(await answer.locator('.short-answer strong').textContent()).toBe('2,700');
    expect(await answer.locator('.short-answer').textContent()).toBe('Short answer: 2,700');
    expect((await visibleOrder(answer)).slice(0, 3)).toEqual(['short-answer', 'answer-text', 'answer-meta']);
    expect(await answer.locator('.answer-text').textContent()).toBe(result.answer);
    const confidence = answer.locator('.confidence');
    expect(await confidence.textContent()).toMatch(/^Confidence 94% · short answer 87%\. /);
    expect(await confidence.getAttribute('title')).toBe('Of answers given with this confidence, about this share are right: 94% for the quoted sentences, 87% for the short answer.');
    expect(await confidence.isVisible()).toBe(true);
    expect(await answer.locator('.searched-for').count()).toBe(0);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('leads with the quoted sentence and shows no phrase in bold when the short answer is not confident', async () => {
    const { page, problems, received } = await openPage(browser.context, t.url);
    const answer = await ask(page, UNCONFIDENT);
    const result = lastResult(received);
    expect(result.shortAnswer).toBe('a turning point');
    expect(await answer.locator('.short-answer').count()).toBe(0);
    expect(await answer.locator('strong, b').count()).toBe(0);
    expect(await answer.textContent()).not.toContain('Short answer');
    expect((await visibleOrder(answer))[0]).toBe('answer-text');
    expect(await answer.locator('.answer-text').textContent()).toBe(result.answer);
    const confidence = answer.locator('.confidence');
    expect(await confidence.textContent()).toMatch(/^Confidence 81%\. Of answers given with this confidence, about 81% are right/);
    expect(await confidence.textContent()).not.toContain('31%');
    await saveScreenshot(page, 'chat-unconfident.png');
    // The quote still opens verified.
    await answer.locator('button.cite').first().click();
    await page.locator('#source-check.verified').waitFor();
    expect(problems).toEqual([]);
    await page.close();
  });
});

describe('stopping an answer', () => {
  let t: TestServer;
  let browser: Awaited<ReturnType<typeof launch>>;
  // Holds every answer after retrieval, so there is time to press Stop.
  const gate = createStreamGate({ passTokens: 0, shut: true });
  beforeAll(async () => {
    t = await startTestServer({ webRoot: 'build', wrapPipeline: gate.wrap });
    browser = await launch();
  });
  afterAll(async () => {
    gate.open();
    await browser?.close();
    await t?.close();
  });

  it('shows Stop while streaming; Stop ends the answer and the chat stays usable', async () => {
    const { page, problems, sent } = await openPage(browser.context, t.url);
    await page.getByLabel('Your question').fill(QUESTION);
    await page.getByLabel('Your question').press('Enter');
    const stop = page.getByRole('button', { name: 'Stop' });
    await stop.waitFor();
    expect(await page.isDisabled('#send')).toBe(true);
    await page.locator('.answer-status').filter({ hasText: /writing the answer/ }).waitFor();
    await stop.click();
    const answer = page.locator('.message.assistant').last();
    await answer.and(page.locator('[aria-busy="false"]')).waitFor();
    expect(await answer.locator('.answer-status').textContent()).toBe('Stopped.');
    expect(sent.some((f) => f.type === 'cancel')).toBe(true);
    expect(await page.isHidden('#stop')).toBe(true);
    expect(await page.isEnabled('#send')).toBe(true);
    expect(problems).toEqual([]);
    await page.close();
  });
});
