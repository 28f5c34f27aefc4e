import { describe, expect, it } from 'vitest';
import { LexicalIndex } from '../index/lexical-index.js';
import type { Chunk } from '../types.js';
import { hybridSearch, type VectorSearch } from './hybrid-search.js';

const chunk = (id: string, text: string): Chunk => ({ id, docId: `${id}.txt`, start: 0, end: text.length, text, heading: null });

const chunks = [
  chunk('banomix', 'The harbour of Port Banomix opened in 1901.'),
  ...Array.from({ length: 6 }, (_, i) => chunk(`lookalike${i}`, `The harbour of Port Badomix ${i} opened in 18${20 + i}, a harbour town.`)),
];
const chunkById = new Map(chunks.map((c) => [c.id, c]));
const lexical = await LexicalIndex.build(chunks);
/** A vector index that, like an embedding of look-alike names, prefers the look-alikes. */
const vectors: VectorSearch = { search: (_q, k) => chunks.slice(1).slice(0, k).map((c, i) => ({ id: c.id, score: 0.9 - i * 0.01 })) };

describe('hybridSearch', () => {
  it('fuses both signals and keeps per-signal scores and ranks', () => {
    const passages = hybridSearch({ query: 'harbour Port Banomix', queryVector: [1], chunkById, lexical, vectors, k: 3, candidatesPerSignal: 10, rrfK: 60 });
    expect(passages).toHaveLength(3);
    expect(passages.every((p) => p.scores.rrf === p.score)).toBe(true);
    expect(passages.some((p) => p.scores.bm25 !== undefined && p.scores.vector !== undefined)).toBe(true);
  });

  it("always keeps the passage a single signal ranks first, even when look-alikes out-fuse it", () => {
    const passages = hybridSearch({ query: 'When did the harbour of Port Banomix open?', queryVector: [1], chunkById, lexical, vectors, k: 3, candidatesPerSignal: 10, rrfK: 60 });
    expect(lexical.query('When did the harbour of Port Banomix open?', 1)[0]?.id).toBe('banomix');
    expect(passages.map((p) => p.id)).toContain('banomix');
    expect(passages.map((p) => p.id)).toContain('lookalike0');
  });

  it('works on BM25 alone', () => {
    const passages = hybridSearch({ query: 'Port Banomix', chunkById, lexical, vectors: null, k: 2, candidatesPerSignal: 10, rrfK: 60 });
    expect(passages[0]?.id).toBe('banomix');
    expect(passages.every((p) => p.scores.vector === undefined)).toBe(true);
  });
});
