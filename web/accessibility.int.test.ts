/**
 * The chat page's main views checked by axe-core inside real Chromium (the real server over the seed corpus), in the
 * light and the dark theme: the first-load panel, an answer with its sources listed and its follow-up questions, a citation's preview, one
 * source open in the source panel (at phone width, the full-screen sheet), the panel of saved conversations (its
 * list, a rename in progress, a delete being confirmed) and a conversation restored after a reload with its
 * citations checked again. No serious or critical violation is allowed; the citation buttons' target size and the dark highlight's
 * contrast, which a new user found below WCAG AA, are measured directly too.
 */
import { describe, expect, it } from 'vitest';
import { seriousViolations } from './__fixtures__/axe.js';
import { QUESTION, ask, openPage } from './__fixtures__/chat-page.js';
import { VIEWPORTS, usePageServer } from './__fixtures__/page-server.js';

/** WCAG contrast ratio of two computed `rgb(…)` colours. */
function contrast(a: string, b: string): number {
  const luminance = (rgb: string) => {
    const [r, g, bl] = rgb.match(/[\d.]+/g)!.slice(0, 3).map((c) => {
      const v = Number(c) / 255;
      return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r! + 0.7152 * g! + 0.0722 * bl!;
  };
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi! + 0.05) / (lo! + 0.05);
}

const VIEWS = [
  { scheme: 'light', viewport: VIEWPORTS.desktop },
  { scheme: 'dark', viewport: VIEWPORTS.desktop },
  { scheme: 'light', viewport: VIEWPORTS.phone },
  { scheme: 'dark', viewport: VIEWPORTS.phone },
] as const;

describe('accessibility of the main views', () => {
  const served = usePageServer();

  it.each(VIEWS.map((v) => [`${v.scheme}, ${v.viewport.width} px`, v] as const))('%s: the first-load panel, an answer, a citation preview, a source open, and the saved conversations', async (_, { scheme, viewport }) => {
    const { page, problems } = await openPage(served.browser.context, served.server.url, viewport);
    await page.emulateMedia({ colorScheme: scheme });

    // First load, with the starter questions shown.
    await page.locator('#suggestion-list button').first().waitFor();
    await page.locator('#mode-badge[data-tone]').waitFor();
    expect(await seriousViolations(page)).toEqual([]);

    // An answer with its sources and its follow-up questions, and the first citation open in the source panel.
    const answer = await ask(page, QUESTION);
    await answer.getByRole('group', { name: 'Ask next' }).getByRole('button').first().waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    const cites = answer.locator('button.cite');
    expect(await cites.count()).toBeGreaterThan(0);
    for (const box of await cites.evaluateAll((buttons) => buttons.map((b) => b.getBoundingClientRect().toJSON() as { width: number; height: number }))) {
      expect(box.width).toBeGreaterThanOrEqual(24);
      expect(box.height).toBeGreaterThanOrEqual(24);
    }
    // The citation's preview, open on hover.
    await cites.first().hover();
    await page.locator('#citation-preview #preview-check.verified').waitFor();
    expect(await seriousViolations(page)).toEqual([]);

    // The source open (at phone width, the full-screen sheet), its citation marked as the current one.
    await cites.first().click();
    await page.locator('#source-check.verified').waitFor();
    expect(await page.getAttribute('#source-panel', 'role')).toBe(viewport.width < 800 ? 'dialog' : 'complementary');
    expect(await cites.first().getAttribute('aria-current')).toBe('true');
    expect(await seriousViolations(page)).toEqual([]);
    const marked = await cites.first().evaluate((cite) => ({ text: getComputedStyle(cite).color, background: getComputedStyle(cite).backgroundColor }));
    expect(contrast(marked.text, marked.background)).toBeGreaterThanOrEqual(4.5);

    // The highlighted span is readable in this theme.
    const colours = await page.locator('#source-text mark').evaluate((mark) => ({ text: getComputedStyle(mark).color, background: getComputedStyle(mark).backgroundColor }));
    expect(contrast(colours.text, colours.background)).toBeGreaterThanOrEqual(4.5);
    await page.getByRole('button', { name: 'Close source' }).click();

    // The saved conversations (a drawer behind its button at phone width): the list, renaming, confirming a delete.
    await page.locator('#conversation-panel[data-state="ready"]').waitFor({ state: 'attached' });
    if (!(await page.locator('#conversation-panel').isVisible())) await page.locator('#conversations-toggle').click();
    const current = page.locator('#conversation-list li.conversation').filter({ has: page.locator('[aria-current="true"]') });
    await current.waitFor();
    const saved = page.locator(`#conversation-list li.conversation[data-id="${await current.getAttribute('data-id')}"]`);
    expect(await seriousViolations(page)).toEqual([]);
    await saved.getByRole('button', { name: /^Rename conversation/ }).click();
    await page.getByRole('textbox', { name: 'New title' }).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await page.keyboard.press('Escape');
    await saved.getByRole('button', { name: /^Delete conversation/ }).click();
    await saved.getByRole('button', { name: 'Keep' }).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await saved.getByRole('button', { name: 'Keep' }).click();

    // Restored after a reload, its citations checked again against the documents.
    await page.reload();
    await page.waitForSelector('html[data-ready="true"]');
    await page.locator('.message.assistant .recheck.verified').first().waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
    await page.close();
  });
});
