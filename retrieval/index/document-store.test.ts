import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IndexCorruptError } from '../errors.js';
import type { Chunk, SourceDocument } from '../types.js';
import { DocumentStore, type DocumentRows } from './document-store.js';

let tmp: string;
beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'verbatim-store-'));
});
afterAll(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

const harbour: SourceDocument = {
  id: 'harbour.pdf',
  title: 'Harbour',
  text: 'The harbour opened in 1887.\fIt closed in 1990 — after the mines shut.',
  hash: 'a'.repeat(64),
  headings: [{ start: 0, end: 11, text: 'The harbour' }],
  pages: [
    { number: 1, start: 0, end: 27, width: 612, height: 792, boxes: [[0, 27, 72, 72, 200, 12]] },
    { number: 2, start: 28, end: 69, width: 612, height: 792, boxes: [[28, 69, 72, 72, 260, 12]] },
  ],
};
const mill: SourceDocument = { id: 'notes/mill.txt', title: 'Mill', text: 'The mill ground wheat until 1952.', hash: 'b'.repeat(64) };

function chunksOf(document: SourceDocument, size: number): Chunk[] {
  const chunks: Chunk[] = [];
  for (let start = 0; start < document.text.length; start += size) {
    const end = Math.min(document.text.length, start + size);
    chunks.push({ id: `${document.id}#${start}-${end}`, docId: document.id, start, end, heading: null, text: document.text.slice(start, end) });
  }
  return chunks;
}

function rowsOf(document: SourceDocument, firstRow: number, dimension?: number): DocumentRows {
  const chunks = chunksOf(document, 20).map((chunk, i) => ({ row: firstRow + i, chunk }));
  return { document, chunks, ...(dimension ? { vectors: chunks.map(({ row }) => Float32Array.from({ length: dimension }, (_, j) => row + j / 10)) } : {}) };
}

describe('DocumentStore', () => {
  it('gives back each document with its headings and pages, and each chunk with its exact text and row', async () => {
    const file = path.join(tmp, 'create.sqlite');
    const harbourRows = rowsOf(harbour, 0, 4);
    const millRows = rowsOf(mill, harbourRows.chunks.length, 4);
    await DocumentStore.create(file, [harbourRows, millRows]);
    const store = DocumentStore.open(file);
    try {
      expect(store.document('harbour.pdf')).toEqual(harbour);
      expect(store.document('notes/mill.txt')).toEqual(mill);
      expect(store.document('missing.txt')).toBeUndefined();
      expect(store.documentCount).toBe(2);
      expect(store.chunkCount).toBe(harbourRows.chunks.length + millRows.chunks.length);
      expect(store.nextRow).toBe(store.chunkCount);
      for (const { row, chunk } of [...harbourRows.chunks, ...millRows.chunks]) {
        expect(store.storedChunk(chunk.id)).toEqual({ row, chunk });
        expect(store.chunk(chunk.id)!.text).toBe(store.document(chunk.docId)!.text.slice(chunk.start, chunk.end));
      }
      expect(store.chunksOf('notes/mill.txt')).toEqual(millRows.chunks.map((c) => c.chunk));
      expect(store.chunksOf('missing.txt')).toBeNull();
      expect([...store.allChunks()].map((c) => c.row)).toEqual([...Array(store.chunkCount).keys()]);
      const vectors = [...store.vectors(4)];
      expect(vectors.map((v) => v.id)).toEqual([...harbourRows.chunks, ...millRows.chunks].map((c) => c.chunk.id));
      expect(Array.from(vectors[1]!.vector)).toEqual(Array.from(harbourRows.vectors![1]!));
      expect(store.vectorOf(millRows.chunks[0]!.chunk.id, 4)).toEqual(millRows.vectors![0]);
      expect(store.vectorOf(millRows.chunks[0]!.chunk.id, 8)).toBeUndefined();
      // The PDF's page count, and nothing for a document without pages.
      expect(store.pageCounts()).toEqual(new Map([['harbour.pdf', 2]]));
    } finally {
      store.close();
    }
  });

  it('patches a copy in place: removed documents and their chunks are gone, added ones are there, and it says which bytes changed', async () => {
    const source = path.join(tmp, 'patch-source.sqlite');
    const target = path.join(tmp, 'patch-target.sqlite');
    const harbourRows = rowsOf(harbour, 0);
    await DocumentStore.create(source, [harbourRows, rowsOf(mill, harbourRows.chunks.length)]);
    const sourceBytes = await fs.readFile(source);
    const first = DocumentStore.open(source);
    const next = first.nextRow;
    first.close();

    const changedMill: SourceDocument = { ...mill, text: 'The mill ground wheat until 1952, when the dam was built.', hash: 'c'.repeat(64) };
    const tide: SourceDocument = { id: 'tide.txt', title: 'Tide', text: 'Tide tables were printed each spring.', hash: 'd'.repeat(64) };
    const changedRows = rowsOf(changedMill, next);
    await fs.copyFile(source, target);
    const ranges = await DocumentStore.patch(target, { remove: ['notes/mill.txt'], add: [changedRows, rowsOf(tide, next + changedRows.chunks.length)] });

    expect(await fs.readFile(source)).toEqual(sourceBytes);
    // Every byte that differs from the copy lies in a range the patch reported, and no write-ahead log is left.
    const patched = await fs.readFile(target);
    const reported = (at: number) => ranges.some((r) => r.start <= at && at < r.end);
    const unreported = [...patched.keys()].filter((at) => patched[at] !== sourceBytes[at] && !reported(at));
    expect(unreported).toEqual([]);
    expect(patched.length).toBeGreaterThanOrEqual(sourceBytes.length);
    expect((await fs.readdir(tmp)).filter((name) => name.startsWith('patch-target'))).toEqual(['patch-target.sqlite']);
    const store = DocumentStore.open(target);
    try {
      expect(store.document('notes/mill.txt')).toEqual(changedMill);
      expect(store.document('tide.txt')).toEqual(tide);
      expect(store.document('harbour.pdf')).toEqual(harbour);
      // The unchanged document's chunks keep their rows; the changed one's new chunks have new rows.
      expect(store.chunkRowsOf(['harbour.pdf'])).toEqual(harbourRows.chunks.map(({ row, chunk }) => ({ row, id: chunk.id })));
      expect(Math.min(...store.chunkRowsOf(['notes/mill.txt']).map((r) => r.row))).toBe(next);
      expect([...store.allChunks()].every(({ chunk }) => chunk.text === store.document(chunk.docId)!.text.slice(chunk.start, chunk.end))).toBe(true);
      expect(store.chunkCount).toBe([...store.allChunks()].length);
    } finally {
      store.close();
    }
  });

  it('names the file when a chunk does not fit its document, and when the file is not a store', async () => {
    const file = path.join(tmp, 'damaged.sqlite');
    await DocumentStore.create(file, [rowsOf(mill, 0)]);
    const db = new Database(file);
    db.prepare('UPDATE chunks SET end = 9999 WHERE row = 0').run();
    db.close();
    const store = DocumentStore.open(file);
    try {
      expect(() => store.chunk('notes/mill.txt#0-20')).toThrow(new IndexCorruptError(file, 'chunk notes/mill.txt#0-20 does not fit its document'));
    } finally {
      store.close();
    }
    const notAStore = path.join(tmp, 'not-a-store.sqlite');
    await fs.writeFile(notAStore, '{"documents": []}');
    expect(() => DocumentStore.open(notAStore)).toThrow(IndexCorruptError);
    expect(() => DocumentStore.open(path.join(tmp, 'nowhere.sqlite'))).toThrow(/nowhere\.sqlite is unreadable \(missing\)/);
  });
});
