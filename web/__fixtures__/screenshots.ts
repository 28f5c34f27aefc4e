/**
 * Screenshots the Chromium tests take: every run keeps them in `test-artifacts/` (git-ignored) to look at after a
 * failure; the ones the README shows are copied into `docs/` only when `UPDATE_SCREENSHOT=1`, so a test run leaves
 * the work tree clean.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const ARTIFACTS = path.join(ROOT, 'test-artifacts');

/** Saves what `page` shows as `test-artifacts/<name>`, and as `docs/<readmeName>` when asked to refresh the README's. */
export async function saveScreenshot(page: Page, name: string, readmeName?: string): Promise<void> {
  await fs.mkdir(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, name);
  await page.screenshot({ path: file });
  if (readmeName !== undefined && process.env.UPDATE_SCREENSHOT === '1') await fs.copyFile(file, path.join(ROOT, 'docs', readmeName));
}
