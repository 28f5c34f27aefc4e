import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WEB_DIR, ensureWebBundle } from './build.js';

/**
 * A copy of web/ (and the files outside it whose values it imports, and the packages it bundles through a link to
 * node_modules) so sources can be touched without touching the repo.
 */
let tmp: string;
let webDir: string;
beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'verbatim-web-build-'));
  webDir = path.join(tmp, 'web');
  await fs.cp(WEB_DIR, webDir, { recursive: true, filter: (src) => !src.includes(`${path.sep}dist`) && !src.endsWith('.test.ts') });
  for (const file of ['server/protocol.ts', 'prompts/grounded-answer-prompt.ts', 'retrieval/ask-limits.ts', 'retrieval/embed/lexical-reasons.ts', 'prompts/prompt-message.ts', 'retrieval/generate/cited-sentence-text.ts', 'retrieval/chunk/find-headings.ts', 'retrieval/text/atx-heading.ts', 'retrieval/text/scan-text.ts', 'retrieval/corpus/page-map.ts']) {
    await fs.mkdir(path.dirname(path.join(tmp, file)), { recursive: true });
    await fs.copyFile(path.join(WEB_DIR, '..', file), path.join(tmp, file));
  }
  await fs.symlink(path.join(WEB_DIR, '..', 'node_modules'), path.join(tmp, 'node_modules'), 'dir');
});
afterAll(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

describe('ensureWebBundle', () => {
  it('builds when missing, skips when fresh, rebuilds when a source or an output changes', async () => {
    const outDir = path.join(webDir, 'dist');
    expect(await ensureWebBundle({ webDir })).toEqual({ outDir, built: true });
    for (const file of ['index.html', 'app.js', 'styles.css', 'favicon.svg']) expect((await fs.stat(path.join(outDir, file))).size).toBeGreaterThan(0);
    expect(await fs.readFile(path.join(outDir, 'app.js'), 'utf8')).not.toContain('innerHTML');

    expect((await ensureWebBundle({ webDir })).built).toBe(false);

    await new Promise((r) => setTimeout(r, 20));
    await fs.utimes(path.join(webDir, 'src/dom.ts'), new Date(), new Date());
    expect((await ensureWebBundle({ webDir })).built).toBe(true);
    expect((await ensureWebBundle({ webDir })).built).toBe(false);

    await fs.rm(path.join(outDir, 'styles.css'));
    expect((await ensureWebBundle({ webDir })).built).toBe(true);
    expect((await fs.readdir(outDir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});
