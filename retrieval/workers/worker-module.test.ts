import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { runnableModule, workerModule } from './worker-module.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const ASK_WORKER = new URL('./ask-worker.ts', import.meta.url);
const globals = globalThis as { __VERBATIM_BUILD__?: { root: string; dir: string } };

afterEach(() => {
  delete globals.__VERBATIM_BUILD__;
});

describe('runnableModule', () => {
  it('runs the TypeScript source through tsx when there is no build (tests, tsx)', () => {
    expect(runnableModule(ASK_WORKER).href).toBe(ASK_WORKER.href);
    const worker = workerModule(ASK_WORKER);
    expect(worker.filename).toBe(ASK_WORKER.href);
    expect(worker.execArgv[0]).toBe('--import');
    expect(worker.execArgv[1]).toMatch(/tsx/);
  });

  it('maps a source to its bundled counterpart in a build, and the thread needs no loader', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'verbatim-build-'));
    const built = path.join(dir, 'retrieval', 'workers', 'ask-worker.mjs');
    fs.mkdirSync(path.dirname(built), { recursive: true });
    fs.writeFileSync(built, '');
    globals.__VERBATIM_BUILD__ = { root: ROOT, dir };
    try {
      expect(runnableModule(ASK_WORKER).href).toBe(pathToFileURL(built).href);
      expect(workerModule(ASK_WORKER)).toEqual({ filename: pathToFileURL(built).href, execArgv: [] });
      // Not one of ours: left as it is.
      const plain = pathToFileURL(path.join(dir, 'other.mjs'));
      expect(runnableModule(plain).href).toBe(plain.href);
      // A module the build does not have names the list to add it to.
      expect(() => runnableModule(new URL('./ask-pool.ts', import.meta.url))).toThrow(/retrieval\/workers\/ask-pool\.ts is started by its URL but is not in the build .*: add it to URL_ENTRY_POINTS in cli\/node-build\.mjs/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
