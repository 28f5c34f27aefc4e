import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../config.js';
import { IndexCorruptError, IndexLockedError, IndexNotFoundError } from '../errors.js';
import type { EmbedderChoice } from '../embed/open-embedder.js';
import { RACY_WINDOW_MS } from '../corpus/file-stamp.js';
import { currentGeneration, loadIndex, type LoadedIndexData } from '../index/index-files.js';
import { INDEX_FORMAT_VERSION } from '../index/manifest.js';
import { TERM_ANALYSIS_VERSION } from '../text/term-analysis.js';
import { ingestCorpus } from './ingest-corpus.js';

const SEEDS = path.resolve(import.meta.dirname, '../../seeds');
const lexical = async (): Promise<EmbedderChoice> => ({ embedder: null, lexicalReason: 'embeddings disabled by test' });

let tmp: string;
let corpusDir: string;
let indexDir: string;
let config: Config;

beforeEach(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'verbatim-ingest-'));
  corpusDir = path.join(tmp, 'corpus');
  indexDir = path.join(tmp, 'index');
  await fs.cp(SEEDS, corpusDir, { recursive: true });
  config = loadConfig({ overrides: { corpusDir, indexDir, disableEmbeddings: true } });
});
afterEach(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

/** The chunks an index holds, in row order. */
const chunksOf = (index: LoadedIndexData) => [...index.store.allChunks()].map((c) => c.chunk);

describe('ingestCorpus', () => {
  it('indexes the seed corpus with chunks that are exact slices of their documents', async () => {
    const report = await ingestCorpus({ config, openEmbedder: lexical });
    expect(report).toMatchObject({ mode: 'lexical', documents: 1, wrote: true, added: ['000_4434d9e95f18ffce.txt'] });
    const index = await loadIndex(indexDir);
    const text = await fs.readFile(path.join(SEEDS, '000_4434d9e95f18ffce.txt'), 'utf8');
    expect(index.store.document('000_4434d9e95f18ffce.txt')!.text).toBe(text);
    expect(chunksOf(index).length).toBe(report.chunks);
    for (const chunk of chunksOf(index)) expect(chunk.text).toBe(text.slice(chunk.start, chunk.end));
    expect(index.manifest).toMatchObject({ formatVersion: INDEX_FORMAT_VERSION, embedder: null, chunking: { chunkSize: 1000, chunkOverlap: 200 } });
    expect(index.manifest.documents[0]!.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('does nothing on an unchanged corpus, without starting the model', async () => {
    await ingestCorpus({ config, openEmbedder: lexical });
    const before = await fs.readFile(path.join(indexDir, 'CURRENT'), 'utf8');
    let opened = 0;
    const report = await ingestCorpus({ config, openEmbedder: async () => (opened++, lexical()) });
    expect(report.wrote).toBe(false);
    expect(report.unchanged).toBe(1);
    expect(opened).toBe(0);
    expect(await fs.readFile(path.join(indexDir, 'CURRENT'), 'utf8')).toBe(before);
  });

  it('confirms unchanged files by size, times and inode without reading them, and reads a file whose stamp changed', async () => {
    const file = path.join(corpusDir, '000_4434d9e95f18ffce.txt');
    const id = '000_4434d9e95f18ffce.txt';
    await ingestCorpus({ config, openEmbedder: lexical });
    // Copied just now: a stamp taken this soon after a change is not trusted (the clock tick of the file system).
    expect((await loadIndex(indexDir)).manifest.documents[0]!.file).toBeUndefined();
    await new Promise((resolve) => setTimeout(resolve, RACY_WINDOW_MS + 100));

    const reread = await ingestCorpus({ config, openEmbedder: lexical });
    expect(reread).toMatchObject({ wrote: false, confirmedByStamp: 0 });
    const stamped = (await loadIndex(indexDir)).manifest.documents[0]!.file;
    expect(stamped).toMatchObject({ size: (await fs.stat(file)).size, ino: (await fs.stat(file)).ino });

    expect(await ingestCorpus({ config, openEmbedder: lexical })).toMatchObject({ wrote: false, unchanged: 1, confirmedByStamp: 1 });
    expect(await ingestCorpus({ config, openEmbedder: lexical, rehash: true })).toMatchObject({ wrote: false, confirmedByStamp: 0 });

    // The same size and modification time, other bytes: the change time still moves, so the change is seen.
    const before = await fs.stat(file);
    const text = await fs.readFile(file, 'utf8');
    await fs.writeFile(file, text.replace('China', 'Chine'));
    await fs.utimes(file, before.atime, before.mtime);
    expect((await fs.stat(file)).size).toBe(before.size);
    expect(await ingestCorpus({ config, openEmbedder: lexical })).toMatchObject({ wrote: true, changed: [id], confirmedByStamp: 0 });
    expect((await loadIndex(indexDir)).store.document(id)!.text).toContain('Chine');
  });

  it('picks up added, changed and removed documents', async () => {
    await fs.writeFile(path.join(corpusDir, 'extra.md'), '# Extra\n\nThe harbour opened in 1887.\n');
    await ingestCorpus({ config, openEmbedder: lexical });
    await fs.appendFile(path.join(corpusDir, 'extra.md'), '\nIt closed in 1990.\n');
    await fs.mkdir(path.join(corpusDir, 'notes'));
    await fs.writeFile(path.join(corpusDir, 'notes', 'new.txt'), 'A new note about lighthouses.\n');
    await fs.rm(path.join(corpusDir, '000_4434d9e95f18ffce.txt'));
    const report = await ingestCorpus({ config, openEmbedder: lexical });
    expect(report).toMatchObject({ added: ['notes/new.txt'], changed: ['extra.md'], removed: ['000_4434d9e95f18ffce.txt'], wrote: true });
    expect(report.incremental).toBe(true);
    const index = await loadIndex(indexDir);
    expect(index.manifest.documents.map((d) => d.id)).toEqual(['extra.md', 'notes/new.txt']);
    expect(index.store.document('000_4434d9e95f18ffce.txt')).toBeUndefined();
    expect(chunksOf(index).every((c) => c.docId !== '000_4434d9e95f18ffce.txt')).toBe(true);
    expect(index.lexical.query('Global Security Initiative', 5)).toEqual([]);
    expect(index.lexical.query('closed 1990', 5)[0]?.id).toMatch(/^extra\.md#/);
  });

  it('changes only the changed documents\' rows, and ends with the index a fresh ingest of the same files builds', async () => {
    const write = (name: string, text: string) => fs.mkdir(path.dirname(path.join(corpusDir, name)), { recursive: true }).then(() => fs.writeFile(path.join(corpusDir, name), text));
    await write('harbour.md', '# Harbour\n\nThe harbour of Port Aldous opened in 1887 and handled coal and grain.\n');
    await write('mill.txt', 'The old mill on the river ground wheat until 1952, when the dam was built.\n');
    await write('notes/lighthouse.txt', 'The lighthouse keeper logged every ship that passed the point.\n');
    const first = await ingestCorpus({ config, openEmbedder: lexical });
    expect(first.incremental).toBe(false);
    const before = await loadIndex(indexDir);
    const keptRows = new Map([...before.store.allChunks()].filter((c) => c.chunk.docId === 'mill.txt').map((c) => [c.chunk.id, c.row]));

    await write('harbour.md', '# Harbour\n\nThe harbour of Port Aldous opened in 1887 and closed in 1990, after the mines shut.\n');
    await write('notes/tide.txt', 'Tide tables for the harbour were printed each spring by the council.\n');
    await fs.rm(path.join(corpusDir, 'notes', 'lighthouse.txt'));
    const report = await ingestCorpus({ config, openEmbedder: lexical });
    expect(report).toMatchObject({ incremental: true, added: ['notes/tide.txt'], changed: ['harbour.md'], removed: ['notes/lighthouse.txt'] });
    const patched = await loadIndex(indexDir);
    // The unchanged document's chunks keep their rows: nothing of it was written again.
    expect(new Map([...patched.store.allChunks()].filter((c) => c.chunk.docId === 'mill.txt').map((c) => [c.chunk.id, c.row]))).toEqual(keptRows);

    const freshDir = path.join(tmp, 'fresh-index');
    await ingestCorpus({ config: { ...config, indexDir: freshDir }, openEmbedder: lexical });
    const fresh = await loadIndex(freshDir);
    const withoutStamps = (index: LoadedIndexData) => index.manifest.documents.map(({ file: _file, addedAt: _added, ...entry }) => entry);
    expect(withoutStamps(patched)).toEqual(withoutStamps(fresh));
    const byId = (index: LoadedIndexData) => chunksOf(index).sort((a, b) => (a.id < b.id ? -1 : 1));
    expect(byId(patched)).toEqual(byId(fresh));
    for (const query of ['harbour closed 1990', 'coal grain', 'lighthouse keeper', 'tide tables council', 'mill wheat dam', 'harbour']) {
      const hits = (index: LoadedIndexData) => index.lexical.query(query, 10).map((h) => ({ id: h.id, score: Number(h.score.toFixed(9)) }));
      expect(hits(patched)).toEqual(hits(fresh));
    }
    expect(patched.lexical.query('lighthouse keeper', 5)).toEqual([]);
  });

  it("records each file's size and when its document was first indexed: an edited file keeps that time, a new or re-added one gets its own", async () => {
    const extra = path.join(corpusDir, 'extra.md');
    await fs.writeFile(extra, '# Extra\n\nThe harbour opened in 1887.\n');
    await ingestCorpus({ config, openEmbedder: lexical });
    const first = new Map((await loadIndex(indexDir)).manifest.documents.map((d) => [d.id, d]));
    const firstAdded = first.get('extra.md')!.addedAt!;
    expect(new Date(firstAdded).toISOString()).toBe(firstAdded);
    // Written just now, so its stamp is not recorded: the size is recorded all the same.
    expect(first.get('extra.md')!.file).toBeUndefined();
    expect(first.get('extra.md')!.bytes).toBe((await fs.stat(extra)).size);
    expect(first.get('000_4434d9e95f18ffce.txt')!.bytes).toBe((await fs.stat(path.join(corpusDir, '000_4434d9e95f18ffce.txt'))).size);

    await new Promise((resolve) => setTimeout(resolve, 20));
    await fs.appendFile(extra, '\nIt closed in 1990, after a storm took the pier.\n');
    await fs.writeFile(path.join(corpusDir, 'new.txt'), 'A new note about lighthouses.\n');
    expect(await ingestCorpus({ config, openEmbedder: lexical })).toMatchObject({ added: ['new.txt'], changed: ['extra.md'] });
    const second = new Map((await loadIndex(indexDir)).manifest.documents.map((d) => [d.id, d]));
    expect(second.get('extra.md')).toMatchObject({ addedAt: firstAdded, bytes: (await fs.stat(extra)).size });
    expect(second.get('000_4434d9e95f18ffce.txt')!.addedAt).toBe(first.get('000_4434d9e95f18ffce.txt')!.addedAt);
    expect(second.get('new.txt')!.addedAt! > firstAdded).toBe(true);

    // Removed, then back: a document added again, with the time of the ingest that found it.
    const text = await fs.readFile(extra);
    await fs.rm(extra);
    await ingestCorpus({ config, openEmbedder: lexical });
    await fs.writeFile(extra, text);
    await ingestCorpus({ config, openEmbedder: lexical });
    expect((await loadIndex(indexDir)).manifest.documents.find((d) => d.id === 'extra.md')!.addedAt! > second.get('new.txt')!.addedAt!).toBe(true);
  });

  it('leaves the first-indexed time unknown for documents of an index built before it was recorded', async () => {
    await ingestCorpus({ config, openEmbedder: lexical });
    const manifestFile = path.join((await currentGeneration(indexDir))!, 'manifest.json');
    const manifest = JSON.parse(await fs.readFile(manifestFile, 'utf8')) as { documents: Record<string, unknown>[] };
    await fs.writeFile(manifestFile, JSON.stringify({ ...manifest, documents: manifest.documents.map(({ addedAt: _added, bytes: _bytes, ...rest }) => rest) }));
    await fs.writeFile(path.join(corpusDir, 'new.txt'), 'A new note about lighthouses.\n');
    await ingestCorpus({ config, openEmbedder: lexical });
    const documents = new Map((await loadIndex(indexDir)).manifest.documents.map((d) => [d.id, d]));
    expect(documents.get('000_4434d9e95f18ffce.txt')!.addedAt).toBeUndefined();
    expect(documents.get('000_4434d9e95f18ffce.txt')!.bytes).toBeGreaterThan(0);
    expect(documents.get('new.txt')!.addedAt).toEqual(expect.any(String));
  });

  it('re-indexes BM25 from the stored chunks when the index holds terms of another term analysis', async () => {
    await ingestCorpus({ config, openEmbedder: lexical });
    expect((await loadIndex(indexDir)).manifest.termAnalysis).toBe(TERM_ANALYSIS_VERSION);
    const manifestFile = path.join((await currentGeneration(indexDir))!, 'manifest.json');
    const manifest = JSON.parse(await fs.readFile(manifestFile, 'utf8')) as Record<string, unknown>;
    await fs.writeFile(manifestFile, JSON.stringify({ ...manifest, termAnalysis: TERM_ANALYSIS_VERSION + 1 }));

    const report = await ingestCorpus({ config, openEmbedder: lexical });
    expect(report).toMatchObject({ wrote: true, added: [], changed: [], removed: [], unchanged: 1 });
    const index = await loadIndex(indexDir);
    expect(index.manifest.termAnalysis).toBe(TERM_ANALYSIS_VERSION);
    expect(index.lexical.query('Global Security Initiative', 3)).not.toEqual([]);
  });

  it('rechunks everything when the chunking settings change', async () => {
    const first = await ingestCorpus({ config, openEmbedder: lexical });
    const smaller = loadConfig({ overrides: { corpusDir, indexDir, disableEmbeddings: true, chunkSize: 400, chunkOverlap: 50 } });
    const second = await ingestCorpus({ config: smaller, openEmbedder: lexical });
    expect(second.wrote).toBe(true);
    expect(second.chunks).toBeGreaterThan(first.chunks);
  });

  it('leaves the previous index serving when an ingest fails midway', async () => {
    await ingestCorpus({ config, openEmbedder: lexical });
    const before = await loadIndex(indexDir);
    await fs.writeFile(path.join(corpusDir, 'new.txt'), 'Fresh text that needs the model.\n');
    const hybrid = loadConfig({ overrides: { corpusDir, indexDir } });
    await expect(
      ingestCorpus({
        config: hybrid,
        openEmbedder: async () => ({
          embedder: { id: 'broken', dimension: 4, embed: async () => Promise.reject(new Error('model crashed')), dispose: async () => {} },
          lexicalReason: null,
        }),
      }),
    ).rejects.toThrow('model crashed');
    const after = await loadIndex(indexDir);
    expect(after.manifest).toEqual(before.manifest);
    expect(chunksOf(after)).toEqual(chunksOf(before));
  });

  it('refuses a second ingest while one holds the lock', async () => {
    let release!: () => void;
    const blocked = new Promise<void>((resolve) => (release = resolve));
    await fs.writeFile(path.join(corpusDir, 'new.txt'), 'Text to embed.\n');
    const first = ingestCorpus({
      config: loadConfig({ overrides: { corpusDir, indexDir } }),
      openEmbedder: async () => {
        await blocked;
        return lexical();
      },
    });
    await new Promise((r) => setTimeout(r, 200));
    await expect(ingestCorpus({ config, openEmbedder: lexical, lockWaitMs: 300 })).rejects.toBeInstanceOf(IndexLockedError);
    release();
    await expect(first).resolves.toMatchObject({ wrote: true });
  });

  it('refuses to replace a good index with an empty one when the corpus folder is emptied', async () => {
    await ingestCorpus({ config, openEmbedder: lexical });
    const before = await loadIndex(indexDir);
    await fs.rm(path.join(corpusDir, '000_4434d9e95f18ffce.txt'));
    await expect(ingestCorpus({ config, openEmbedder: lexical })).rejects.toThrow(/has no documents to index .*refusing to replace the index of 1 documents/);
    expect((await loadIndex(indexDir)).manifest).toEqual(before.manifest);
  });

  it('names the file and the fix when an index file is corrupt', async () => {
    await ingestCorpus({ config, openEmbedder: lexical });
    const current = (await fs.readFile(path.join(indexDir, 'CURRENT'), 'utf8')).trim();
    const chunksFile = path.join(indexDir, current, 'documents.sqlite');
    const full = await fs.readFile(chunksFile);
    await fs.writeFile(chunksFile, full.subarray(0, full.length / 2));
    const error = await loadIndex(indexDir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IndexCorruptError);
    expect((error as Error).message).toContain(chunksFile);
    expect((error as Error).message).toContain('npm run ingest');
  });

  it('reports a missing index with the command that builds it', async () => {
    const error = await loadIndex(path.join(tmp, 'nowhere')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IndexNotFoundError);
    expect((error as Error).message).toMatch(/npm run ingest/);
  });
});
