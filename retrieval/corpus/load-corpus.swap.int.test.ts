/**
 * A file (or a folder) in the corpus is swapped for a symlink to text outside it, over and over, by another process
 * while the corpus is loaded and ingested: the outside text must never be read. The swapping runs in a child process
 * so that it races the loader for real, not only at the loader's awaits.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import { ingestAndKeepIndex } from '../ingest/ingest-corpus.js';
import { closeIndex } from '../index/index-files.js';
import { loadCorpus, type LoadedCorpus } from './load-corpus.js';

const SECRET = 'OUTSIDE-SECRET-TEXT';
/** Swaps each process makes: 2400, paced ~1 ms apart (about 6 s in all), so the race outlasts an ingest (its BM25 build of this corpus alone takes about 2 s on 2 cores) with loads to spare. */
const SWAPS = 2400;

let tmp: string;
beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'verbatim-swap-'));
});
afterAll(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

/**
 * A corpus whose swapped entry sorts after 40 ordinary files, so that a loader that checks the entry while walking
 * and reads it later has a wide window between the two; and an outside folder holding the secret under the same names.
 */
async function makeCorpus(name: string): Promise<{ corpus: string; outside: string }> {
  const corpus = path.join(tmp, name, 'corpus');
  const outside = path.join(tmp, name, 'outside');
  await fs.mkdir(path.join(corpus, 'sub'), { recursive: true });
  await fs.mkdir(path.join(outside, 'sub'), { recursive: true });
  for (let i = 0; i < 40; i++) await fs.writeFile(path.join(corpus, `a${String(i).padStart(2, '0')}.txt`), `Ordinary file ${i}. `.repeat(2000));
  await fs.writeFile(path.join(corpus, 'swap.txt'), 'The inside text of the swapped file.\n');
  await fs.writeFile(path.join(corpus, 'sub', 'swap.txt'), 'The inside text of the swapped folder.\n');
  await fs.writeFile(path.join(outside, 'secret.txt'), `${SECRET}\n`);
  await fs.writeFile(path.join(outside, 'sub', 'swap.txt'), `${SECRET} in a folder\n`);
  return { corpus, outside };
}

/**
 * Starts a process that swaps `swap.txt` for a symlink to the outside secret and back (each step one atomic rename),
 * or with `folder`, swaps the folder `sub/` for a symlink to the outside folder of the same layout. Bounded: it exits
 * after `SWAPS` swaps.
 */
function startSwapper(corpus: string, outside: string, what: 'file' | 'folder'): { child: ChildProcess; done: Promise<number> } {
  const script = `
    const fs = require('node:fs');
    const path = require('node:path');
    const [corpus, outside, what, swaps] = process.argv.slice(1);
    const pause = new Int32Array(new SharedArrayBuffer(4));
    const sleep = () => Atomics.wait(pause, 0, 0, 1);
    for (let i = 0; i < Number(swaps); i++) {
      if (what === 'file') {
        const link = path.join(corpus, '.link'), file = path.join(corpus, '.file'), target = path.join(corpus, 'swap.txt');
        fs.symlinkSync(path.join(outside, 'secret.txt'), link);
        fs.renameSync(link, target);
        sleep();
        fs.writeFileSync(file, 'The inside text of the swapped file.\\n');
        fs.renameSync(file, target);
      } else {
        const sub = path.join(corpus, 'sub'), aside = path.join(corpus, '.sub');
        fs.renameSync(sub, aside);
        fs.symlinkSync(path.join(outside, 'sub'), sub);
        sleep();
        fs.unlinkSync(sub);
        fs.renameSync(aside, sub);
      }
      sleep();
    }
    process.stdout.write('swapped ' + swaps + '\\n');`;
  const child = spawn(process.execPath, ['-e', script, corpus, outside, what, String(SWAPS)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<number>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(SWAPS) : reject(new Error(`swapper failed (${code}): ${stderr}`))));
  });
  return { child, done };
}

function leaked(corpus: LoadedCorpus | { documents: readonly { id: string; text: string }[] }): string[] {
  return corpus.documents.filter((d) => d.text.includes(SECRET)).map((d) => d.id);
}

describe.skipIf(process.platform === 'win32')('a corpus entry swapped for a symlink while it is read', () => {
  it.each(['file', 'folder'] as const)('never reads the outside text when a %s is swapped, in loads and ingests', async (what) => {
    const { corpus, outside } = await makeCorpus(what);
    const config = loadConfig({ overrides: { corpusDir: corpus, indexDir: path.join(tmp, what, 'index'), disableEmbeddings: true } });
    const lexical = async () => ({ embedder: null, lexicalReason: 'test' }) as const;
    const swapper = startSwapper(corpus, outside, what);
    let finished = false;
    void swapper.done.finally(() => (finished = true)).catch(() => {});

    const leaks: string[] = [];
    let loads = 0;
    let sawSwap = 0;
    try {
      while (!finished && loads < 2000) {
        loads++;
        // An ingest every tenth turn, the first one early: the swapper runs for a fixed time, and an ingest at turn
        // ten could be the last turn it leaves, which would make the load count depend on how fast an ingest is.
        if (loads % 10 === 5) {
          const { index } = await ingestAndKeepIndex({ config, openEmbedder: lexical });
          const documents = index.manifest.documents.map((d) => index.store.document(d.id)!);
          closeIndex(index);
          leaks.push(...leaked({ documents }).map((id) => `index: ${id}`));
        } else {
          const loaded = await loadCorpus({ dir: corpus });
          leaks.push(...leaked(loaded));
          // Both swap.txt files load with their inside text unless the load met one mid-swap.
          if (loaded.documents.filter((d) => d.id.endsWith('swap.txt') && d.text.startsWith('The inside text')).length < 2) sawSwap++;
        }
      }
      await swapper.done;
    } finally {
      swapper.child.kill('SIGKILL');
    }
    expect(leaks).toEqual([]);
    // The loader did see the entry mid-swap (skipped or missing), so the race was run, not dodged.
    expect(sawSwap).toBeGreaterThan(0);
    expect(loads).toBeGreaterThan(10);
  }, 60_000);
});
