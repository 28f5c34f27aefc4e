import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IndexLockedError } from '../errors.js';
import { withIndexLock } from './index-lock.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

let tmp: string;
beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'verbatim-lock-'));
});
afterAll(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

/** A separate Node process that takes the index lock and holds it until killed; resolves once it holds it. */
async function holdLockInChild(indexDir: string): Promise<ChildProcess> {
  const script = `import { withIndexLock } from ${JSON.stringify(path.join(ROOT, 'retrieval/index/index-lock.ts'))};
    await withIndexLock(${JSON.stringify(indexDir)}, {}, async () => { process.stdout.write('holding\\n'); await new Promise(() => setInterval(() => {}, 1000)); });`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => d.toString().includes('holding') && resolve());
    child.on('exit', (code) => reject(new Error(`lock holder exited early (${code}): ${stderr}`)));
  });
  return child;
}

async function killed(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

describe('index lock', () => {
  it('refuses while another live process holds it, naming the folder and the fix', async () => {
    const indexDir = path.join(tmp, 'live');
    const holder = await holdLockInChild(indexDir);
    try {
      const error = await withIndexLock(indexDir, { waitMs: 2500 }, async () => 'ran').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(IndexLockedError);
      expect((error as Error).message).toContain(`another ingest is writing ${indexDir}`);
      expect((error as Error).message).toContain(`remove ${indexDir}/.lock if no ingest is running`);
    } finally {
      await killed(holder);
    }
  }, 20_000);

  it('takes over at once the lock of a process that was killed, well before the 10 s staleness', async () => {
    const indexDir = path.join(tmp, 'killed');
    const holder = await holdLockInChild(indexDir);
    await killed(holder);
    const started = Date.now();
    await expect(withIndexLock(indexDir, { waitMs: 3000 }, async () => 'ran')).resolves.toBe('ran');
    expect(Date.now() - started).toBeLessThan(5000);
    // Released cleanly: nothing left for the next ingest to wait on.
    expect((await fs.readdir(indexDir)).filter((name) => name.startsWith('.lock'))).toEqual([]);
  }, 20_000);
});
