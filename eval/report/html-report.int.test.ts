/**
 * The HTML report's layout in real headless Chromium (Debian's package; Playwright's own download does not work
 * here), on a report of a real seed-set run: no sideways scrolling on a 375 px phone, questions as cards there and
 * as a table on a desktop.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../retrieval/config.js';
import { launch } from '../../web/__fixtures__/launch-chromium.js';
import { readEvalItems } from '../dataset.js';
import { runEval } from '../run-eval.js';
import { writeHtmlReport } from './html-report.js';

const EVAL_DIR = fileURLToPath(new URL('..', import.meta.url));
/** An unbreakable run of characters, as long URLs and identifiers in questions and quotes are. */
const LONG_WORD = `https://example.org/${'verylongpathsegment'.repeat(12)}`;


describe('HTML report layout', () => {
  const temps: string[] = [];
  let reportUrl: string;
  let browser: Awaited<ReturnType<typeof launch>>;

  beforeAll(async () => {
    const tempDir = async (prefix: string) => {
      const dir = await fs.mkdtemp(path.join(os.tmpdir(), prefix));
      temps.push(dir);
      return dir;
    };
    const items = await readEvalItems(path.join(EVAL_DIR, 'datasets', 'seed-qa.jsonl'));
    const config = loadConfig({ env: {}, overrides: { corpusDir: path.join(EVAL_DIR, '..', 'seeds'), indexDir: await tempDir('verbatim-report-index-'), disableEmbeddings: true, logLevel: 'silent' } });
    const run = await runEval({ config, items, dataset: 'seed-qa.jsonl' });
    // One question with a long unbreakable word in the question and its quote: it must wrap, not widen the page.
    const results = run.results.map((r, i) => (i === 0 ? { ...r, question: `${r.question} ${LONG_WORD}`, citations: r.citations.map((c) => ({ ...c, quote: `${c.quote} ${LONG_WORD}` })) } : r));
    const file = await writeHtmlReport(await tempDir('verbatim-report-'), { ...run, results });
    reportUrl = pathToFileURL(file).href;
    browser = await launch();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    for (const dir of temps) await fs.rm(dir, { recursive: true, force: true });
  });

  async function layoutAt(width: number) {
    const page = await browser.context.newPage();
    try {
      await page.setViewportSize({ width, height: 800 });
      await page.goto(reportUrl);
      return await page.evaluate(() => {
        const rows = [...document.querySelectorAll('table.qs tbody tr')];
        const cell = rows[0]?.querySelector('td[data-label="question"]');
        return {
          scrollWidth: document.documentElement.scrollWidth,
          rows: rows.length,
          rowDisplays: [...new Set(rows.map((r) => getComputedStyle(r).display))],
          headerDisplay: getComputedStyle(document.querySelector('table.qs thead')!).display,
          cellLabel: cell ? getComputedStyle(cell, '::before').content : null,
          cardWidth: rows[0]?.getBoundingClientRect().width ?? 0,
          headline: document.querySelector('.card.hero .l')?.textContent ?? null,
        };
      });
    } finally {
      await page.close();
    }
  }

  it('fits a 375 px phone without sideways scrolling, one card per question', async () => {
    const phone = await layoutAt(375);
    expect(phone.scrollWidth).toBeLessThanOrEqual(375);
    expect(phone.rows).toBe(83);
    expect(phone.rowDisplays).toEqual(['block']);
    expect(phone.headerDisplay).toBe('none');
    expect(phone.cellLabel).toBe('"question: "');
    expect(phone.cardWidth).toBeLessThanOrEqual(375);
    expect(phone.headline).toBe('shown answer right');
  });

  it('shows the questions as a table on a desktop', async () => {
    const desktop = await layoutAt(1280);
    expect(desktop.scrollWidth).toBeLessThanOrEqual(1280);
    expect(desktop.rowDisplays).toEqual(['table-row']);
    expect(desktop.headerDisplay).toBe('table-header-group');
    expect(desktop.cellLabel).toBe('none');
  });
});
