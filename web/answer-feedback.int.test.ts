/**
 * Feedback on answers, end to end (real Chromium, real server, real file, real eval CLI): thumbs down with a note,
 * chosen with the keyboard, is stored in the server's feedback log with the exchange it is about; a follow-up's
 * thumbs up carries its history; a failed send says so and Retry sends it; and `npm run eval -- --from-feedback`
 * turns the log into candidate eval items. The controls are checked by axe in both themes and measured for size.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { feedbackEntrySchema, type FeedbackEntry } from '../retrieval/feedback/feedback-entry.js';
import type { FeedbackCandidate } from '../eval/feedback-candidates.js';
import { QUESTION, ask, lastResult, openPage } from './__fixtures__/chat-page.js';
import { leadingShortAnswer } from './src/answer-confidence.js';
import { usePageServer } from './__fixtures__/page-server.js';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const FOLLOW_UP = 'And by 2025?';
const NOTE = 'It should also say how many more by 2025.';
const AXE_SOURCE = fs.readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** Serious and critical axe violations inside `selector` (WCAG 2.2 A and AA, best practices). */
async function seriousViolations(page: Page, selector: string): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(await AXE_SOURCE);
  return page.evaluate(async (within) => {
    type Violation = { id: string; impact: string | null; nodes: { target: string[] }[] };
    const { axe } = window as unknown as { axe: { run(context: object, options: object): Promise<{ violations: Violation[] }> } };
    const result = await axe.run({ include: [[within]] }, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] }, resultTypes: ['violations'] });
    return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join('; ')}`);
  }, selector);
}

async function storedEntries(file: string): Promise<FeedbackEntry[]> {
  const text = await fs.readFile(file, 'utf8').catch(() => '');
  return text.split('\n').filter(Boolean).map((line) => feedbackEntrySchema.parse(JSON.parse(line)));
}

describe('feedback on answers', () => {
  const served = usePageServer();

  it('stores thumbs down with a note and thumbs up on a follow-up, and --from-feedback makes candidate items of them', async () => {
    const { page, problems, received } = await openPage(served.browser.context, served.server.url, { width: 1280, height: 800 });
    const file = served.server.config.feedbackFile;

    const first = await ask(page, QUESTION);
    const result = lastResult(received);
    const up = first.getByRole('button', { name: 'Good answer' });
    const down = first.getByRole('button', { name: 'Wrong or unhelpful answer' });
    expect(await up.getAttribute('aria-pressed')).toBe('false');
    expect(await down.getAttribute('aria-pressed')).toBe('false');
    expect(await first.getByLabel('What was wrong? (optional)').count()).toBe(0);
    for (const thumb of [up, down]) {
      const box = (await thumb.boundingBox())!;
      expect(box.width).toBeGreaterThanOrEqual(24);
      expect(box.height).toBeGreaterThanOrEqual(24);
    }

    // With the keyboard: the thumb is pressed and the note opens with the focus in it.
    await down.focus();
    await page.keyboard.press('Enter');
    expect(await down.getAttribute('aria-pressed')).toBe('true');
    expect(await up.getAttribute('aria-pressed')).toBe('false');
    const note = first.getByLabel('What was wrong? (optional)');
    await note.waitFor();
    expect(await note.evaluate((node) => node === document.activeElement)).toBe(true);
    await page.keyboard.type(NOTE);
    expect(await seriousViolations(page, '.message.assistant .answer-feedback')).toEqual([]);

    // The first send fails (the page is told the server could not save it); Retry sends it again, note and all.
    let refused = 0;
    await page.route(
      '**/api/feedback',
      async (route) => {
        refused++;
        await route.fulfill({ status: 500, contentType: 'application/json', body: JSON.stringify({ error: { code: 'FEEDBACK_NOT_SAVED', message: 'the server could not save the feedback (ENOSPC): try again later' } }) });
      },
      { times: 1 },
    );
    await first.getByRole('button', { name: 'Send feedback' }).click();
    const alert = first.getByRole('alert');
    await alert.filter({ hasText: 'Your feedback was not saved: the server could not save the feedback (ENOSPC)' }).waitFor();
    expect(refused).toBe(1);
    expect(await storedEntries(file)).toEqual([]);
    expect(await note.inputValue()).toBe(NOTE);
    await first.getByRole('button', { name: 'Retry' }).click();
    await first.getByRole('status').filter({ hasText: 'Thanks — saved.' }).waitFor();
    expect(await first.getByRole('alert').isVisible()).toBe(false);
    expect(await seriousViolations(page, '.message.assistant .answer-feedback')).toEqual([]);

    const [stored] = await storedEntries(file);
    expect(stored).toMatchObject({ verdict: 'down', note: NOTE, question: QUESTION, history: [], answer: result.answer, abstained: false, citations: result.citations, servedBy: { answerer: 'extractive' } });
    expect(stored!.citations.length).toBeGreaterThan(0);

    // A follow-up's verdict carries the history it was asked with; no note is needed.
    const second = await ask(page, FOLLOW_UP);
    const followUp = lastResult(received);
    await second.getByRole('button', { name: 'Good answer' }).click();
    await second.getByRole('button', { name: 'Send feedback' }).click();
    await second.getByRole('status').filter({ hasText: 'Thanks — saved.' }).waitFor();
    const entries = await storedEntries(file);
    expect(entries).toHaveLength(2);
    expect(entries[1]).toMatchObject({
      verdict: 'up',
      note: null,
      question: FOLLOW_UP,
      history: [
        { role: 'user', content: QUESTION },
        { role: 'assistant', content: result.answer },
      ],
      answer: followUp.answer,
    });

    // In the dark theme too, the saved message and the pressed thumb pass axe.
    await page.emulateMedia({ colorScheme: 'dark' });
    expect(await seriousViolations(page, '.message.assistant .answer-feedback')).toEqual([]);
    // The one refused send is the only problem: its 500 and the console's line about it.
    expect(problems.filter((p) => !p.endsWith('/api/feedback') && !p.includes('status of 500'))).toEqual([]);

    // The log becomes candidate eval items.
    const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'silent' };
    delete env.INDEX_DIR;
    const run = spawnSync(path.join(root, 'node_modules', '.bin', 'tsx'), ['eval/cli.ts', '--from-feedback', file], { cwd: root, encoding: 'utf8', env, timeout: 60_000 });
    expect(run.status, run.stderr).toBe(0);
    const candidates = run.stdout.trim().split('\n').map((line) => JSON.parse(line) as FeedbackCandidate);
    expect(candidates).toHaveLength(2);
    expect(candidates[0]).toMatchObject({ question: QUESTION, verdict: 'down', note: NOTE, answers: [], review: expect.stringContaining('judged this answer wrong') });
    // Ready as it is when the page showed a short answer (the approved answer); otherwise it asks for one.
    const shown = leadingShortAnswer(followUp);
    expect(candidates[1]).toMatchObject({
      question: FOLLOW_UP,
      verdict: 'up',
      evidence: followUp.citations.map((c) => c.quote),
      history: entries[1]!.history,
      ...(shown ? { answers: [shown], review: null } : { review: expect.stringMatching(/no short answer was shown/) }),
    });
    expect(run.stderr).toContain(shown ? 'ready: 1 (1 answered, 0 unanswerable)' : 'ready: 0');
  });
});
