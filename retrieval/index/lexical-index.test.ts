import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IndexCorruptError } from '../errors.js';
import type { Chunk } from '../types.js';
import { LexicalIndex } from './lexical-index.js';

function chunk(id: string, text: string, heading: string | null = null): Chunk {
  return { id, docId: `${id}.txt`, start: 0, end: text.length, text, heading };
}

const chunks = [
  chunk('harbour', 'The harbour of Port Aldous opened in 1887 and handled 3.5 million tonnes of well-known cargo.'),
  chunk('railway', 'The railway reached the town in 1902; the harbour lost trade to it.'),
  chunk('mayor', 'The mayor, Ruth Okafor, was elected twice.', 'Town council'),
  chunk('council', 'Council meetings are held monthly.'),
];

let tmp: string;
beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'verbatim-lexical-'));
});
afterAll(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

describe('LexicalIndex', () => {
  let index: LexicalIndex;
  beforeAll(async () => {
    index = await LexicalIndex.build(chunks);
  });

  it('ranks by BM25: the chunk with more and rarer matching terms first, with stemming', () => {
    const hits = index.query('When was the harbour of Port Aldous opening?', 4);
    expect(hits.map((h) => h.id)).toEqual(['harbour', 'railway']);
    expect(hits[0]!.score).toBeGreaterThan(hits[1]!.score);
    expect(hits[1]!.score).toBeGreaterThan(0);
  });

  it('matches decimals and hyphenated words as whole terms', () => {
    expect(index.query('3.5', 4).map((h) => h.id)).toEqual(['harbour']);
    expect(index.query('well-known', 4).map((h) => h.id)).toEqual(['harbour']);
    expect(index.query('known', 4)).toEqual([]);
  });

  it('counts a heading term, below the same term in the text', () => {
    expect(index.query('town', 4).map((h) => h.id)).toEqual(['railway', 'mayor']);
    expect(index.query('council', 4).map((h) => h.id)).toEqual(['council', 'mayor']);
  });

  it('returns nothing for stop words alone, and treats FTS5 syntax in a question as words', () => {
    expect(index.query('what was the', 4)).toEqual([]);
    expect(index.query('   ', 4)).toEqual([]);
    expect(index.query('harbour NEAR(railway) AND "mayor" * OR -council ^town', 4).map((h) => h.id).sort()).toEqual(['council', 'harbour', 'mayor', 'railway']);
  });

  it('honours k', () => {
    expect(index.query('harbour town council mayor', 2)).toHaveLength(2);
    expect(index.query('harbour', 0)).toEqual([]);
  });

  it('answers the same after being saved as a file and opened read-only', async () => {
    const file = path.join(tmp, 'lexical.sqlite');
    await fs.writeFile(file, index.serialize());
    const opened = LexicalIndex.open(file);
    try {
      expect(opened.size).toBe(chunks.length);
      for (const question of ['Port Aldous harbour 1887', 'Who is the mayor of the town?', 'railway trade']) {
        expect(opened.query(question, 4)).toEqual(index.query(question, 4));
      }
    } finally {
      opened.close();
    }
  });

  it('names the file when it is missing or not an index', async () => {
    const missing = path.join(tmp, 'missing.sqlite');
    expect(() => LexicalIndex.open(missing)).toThrow(IndexCorruptError);
    expect(() => LexicalIndex.open(missing)).toThrow(`index file ${missing} is unreadable (missing)`);
    const garbage = path.join(tmp, 'garbage.sqlite');
    await fs.writeFile(garbage, '{"documentCount": 3}'.repeat(300));
    expect(() => LexicalIndex.open(garbage)).toThrow(`index file ${garbage} is unreadable`);
  });

  it('builds in batches with the same result, and stops when aborted', async () => {
    const batched = await LexicalIndex.build(chunks, { batchSize: 1 });
    expect(batched.query('harbour town council', 4)).toEqual(index.query('harbour town council', 4));
    const controller = new AbortController();
    controller.abort();
    await expect(LexicalIndex.build(chunks, { signal: controller.signal })).rejects.toThrow(/cancelled/);
  });

  it('in a large index, leaves out of a query the terms in half the chunks or more, which bm25() gives no weight', async () => {
    // 12,000 chunks: "ledger" in every one, "harbour" in every other one, "Aldous" in three.
    const many = Array.from({ length: 12_000 }, (_, i) =>
      chunk(`c${i}`, `Entry ${i} of the ledger${i % 2 === 0 ? ' mentions the harbour' : ''}${i % 4000 === 7 ? ' and Aldous' : ''}.`),
    );
    const large = await LexicalIndex.build(many);
    // The common terms would only add near-zero scores and 12,000 postings each: the three chunks with the rare
    // term are the whole answer, in the same order as without them.
    expect(large.query('Aldous harbour ledger', 40).map((h) => h.id)).toEqual(large.query('Aldous', 40).map((h) => h.id));
    expect(large.query('Aldous harbour ledger', 40)).toHaveLength(3);
    // With only common terms, the rarest of them is still searched.
    expect(large.query('ledger harbour', 40).every((h) => Number(h.id.slice(1)) % 2 === 0)).toBe(true);
    expect(large.query('ledger harbour', 40)).toHaveLength(40);
    large.close();
  });

  it('indexes an empty corpus', async () => {
    const empty = await LexicalIndex.build([]);
    expect(empty.size).toBe(0);
    expect(empty.query('harbour', 4)).toEqual([]);
  });
});
