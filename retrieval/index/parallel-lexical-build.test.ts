import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../__fixtures__/seeded-random.js';
import type { Chunk } from '../types.js';
import type { StoredChunk } from './document-store.js';
import { LexicalIndex } from './lexical-index.js';
import { ParallelLexicalBuild } from './parallel-lexical-build.js';

const WORDS = ['harbour', 'harbours', 'railway', 'mayor', 'council', 'elected', 'opening', 'opened', 'cargo', 'tonnes', '3.5', 'well-known', "Okafor's", 'Café', 'the', 'of', 'and', 'trade', 'town', 'towns', '1887', '1,902'];

/** Chunks of seeded random text, some with headings, in row order. */
function chunks(count: number): Chunk[] {
  const random = seededRandom(7);
  return Array.from({ length: count }, (_, i) => {
    const text = Array.from({ length: 5 + Math.floor(random() * 40) }, () => WORDS[Math.floor(random() * WORDS.length)]).join(' ');
    return { id: `doc-${Math.floor(i / 7)}.txt#${i}`, docId: `doc-${Math.floor(i / 7)}.txt`, start: 0, end: text.length, text, heading: i % 3 === 0 ? `Section ${WORDS[i % WORDS.length]}` : null };
  });
}

const QUERIES = ['When was the harbour opened?', 'Who is the mayor of the town', 'railway cargo tonnes', '3.5 well-known', 'okafor cafe', '1902 trade'];

let tmp: string;
let files = 0;
beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'verbatim-parallel-lexical-'));
});
afterAll(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

/** Builds on the second thread, fed by `feed`, and opens the file written from the bytes it hands back. */
async function parallelBuild(all: readonly Chunk[], feed: (build: ParallelLexicalBuild, rows: StoredChunk[]) => Promise<void>, analyseHere = true) {
  const build = ParallelLexicalBuild.start({ batchRows: 40, analyseHere });
  await feed(build, all.map((chunk, row) => ({ row, chunk })));
  const file = path.join(tmp, `lexical-${++files}.sqlite`);
  const result = await build.finish(file);
  const index = LexicalIndex.open(file);
  return { result, index, bytes: await fs.readFile(file) };
}

describe('ParallelLexicalBuild', () => {
  const all = chunks(1500);

  const atOnce = async (build: ParallelLexicalBuild, rows: StoredChunk[]) => build.add(rows);
  const byDocument = async (build: ParallelLexicalBuild, rows: StoredChunk[]) => {
    for (let from = 0; from < rows.length; from += 7) {
      build.add(rows.slice(from, from + 7));
      if (from % 140 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
  };

  it.each([
    ['every batch analysed by the build thread', byDocument, false],
    ['the batches the build thread has not reached analysed by this one', atOnce, true],
    ['chunks given a document at a time, either thread analysing', byDocument, true],
  ] as const)('builds the database LexicalIndex.build makes of the same chunks: %s', async (_, feed, analyseHere) => {
    const single = await LexicalIndex.build(all, { batchSize: 40 });
    const { result, index, bytes } = await parallelBuild(all, feed, analyseHere);
    try {
      expect(result.batches).toBe(Math.ceil(all.length / 40));
      if (!analyseHere) expect(result.batchesAnalysedHere).toBe(0);
      expect(bytes.equals(single.serialize())).toBe(true);
      expect(index.size).toBe(all.length);
      for (const query of QUERIES) {
        const hits = index.query(query, 20);
        expect(hits.length).toBeGreaterThan(0);
        expect(hits).toEqual(single.query(query, 20));
      }
    } finally {
      single.close();
      index.close();
    }
  });

  it('builds an empty index from no chunks', async () => {
    const { result, index } = await parallelBuild([], async () => {});
    expect(result.batches).toBe(0);
    expect(index.size).toBe(0);
    expect(index.query('harbour', 5)).toEqual([]);
    index.close();
  });

  it('reports a file it cannot write with the path and the error code', async () => {
    const build = ParallelLexicalBuild.start();
    build.add(all.slice(0, 10).map((chunk, row) => ({ row, chunk })));
    const file = path.join(tmp, 'no-such-folder', 'lexical.sqlite');
    await expect(build.finish(file)).rejects.toMatchObject({ code: 'ENOENT', message: expect.stringContaining(file) });
  });

  it('stops when cancelled, and a build closed before it finishes leaves nothing running', async () => {
    const cancelled = ParallelLexicalBuild.start({ batchRows: 40 });
    cancelled.add(all.map((chunk, row) => ({ row, chunk })));
    const controller = new AbortController();
    controller.abort();
    await expect(cancelled.finish(path.join(tmp, 'cancelled.sqlite'), { signal: controller.signal })).rejects.toThrow(/cancelled/);

    const dropped = ParallelLexicalBuild.start();
    dropped.add(all.slice(0, 10).map((chunk, row) => ({ row, chunk })));
    await expect(dropped.close()).resolves.toBeUndefined();
  });
});
