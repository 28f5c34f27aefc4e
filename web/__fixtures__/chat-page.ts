/** Opening the chat page in Chromium and asking through it, as the int tests of web/ do. */
import type { BrowserContext, Page } from 'playwright-core';
import type { AskResult } from '../../retrieval/types.js';
import type { ClientFrame, ServerFrame } from '../../server/protocol.js';

/** A question the seed corpus answers (with "2,700"). */
export const QUESTION = 'How many foreign law enforcement officers did China train in 2023?';

/** An open page with the WebSocket frames it sent and received, and every console error, CSP violation and page error. */
export interface OpenedPage {
  readonly page: Page;
  readonly problems: string[];
  readonly received: ServerFrame[];
  readonly sent: ClientFrame[];
}

/** Opens the page at `url` (optionally at a viewport size) and waits until it is wired. */
export async function openPage(context: BrowserContext, url: string, viewport?: { width: number; height: number }): Promise<OpenedPage> {
  const page = await context.newPage();
  if (viewport) await page.setViewportSize(viewport);
  const problems: string[] = [];
  const received: ServerFrame[] = [];
  const sent: ClientFrame[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`${r.status()} ${r.url()}`);
  });
  page.on('websocket', (ws) => {
    ws.on('framereceived', (f) => received.push(JSON.parse(String(f.payload)) as ServerFrame));
    ws.on('framesent', (f) => sent.push(JSON.parse(String(f.payload)) as ClientFrame));
  });
  await page.goto(`${url}/`);
  await page.waitForSelector('html[data-ready="true"]');
  return { page, problems, received, sent };
}

/** Types `question`, presses Enter and waits for the answer to finish; returns the answer's message. */
export async function ask(page: Page, question: string) {
  const box = page.getByLabel('Your question');
  await page.locator('#send:enabled').waitFor();
  await box.fill(question);
  await box.press('Enter');
  const answer = page.locator('.message.assistant').last();
  await answer.and(page.locator('[aria-busy="false"]')).waitFor({ timeout: 30_000 });
  return answer;
}

/** The result of the last `done` frame. */
export function lastResult(frames: readonly ServerFrame[]): AskResult {
  const done = frames.filter((f): f is Extract<ServerFrame, { type: 'done' }> => f.type === 'done').at(-1);
  if (!done) throw new Error('no done frame');
  return done.result;
}
