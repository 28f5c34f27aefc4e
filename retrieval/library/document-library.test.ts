import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import { AbortedError } from '../errors.js';
import type { IngestReport } from '../ingest/ingest-corpus.js';
import type { LiveIndex } from '../serving/live-index.js';
import type { SourceDocument } from '../types.js';
import { createDocumentLibrary } from './document-library.js';

/** A live index whose re-index does what the test says, over documents the test sets. */
function fakeLive(reindex: () => Promise<IngestReport>, documents: Map<string, SourceDocument>): LiveIndex {
  return {
    reindex,
    listDocuments: () => [...documents.values()].map((d) => ({ id: d.id, title: d.title, length: d.text.length, chunks: 1 })),
    getDocument: (id: string) => documents.get(id),
  } as unknown as LiveIndex;
}

const report = (skipped: IngestReport['skipped'] = []) => ({ skipped }) as unknown as IngestReport;

describe('createDocumentLibrary', () => {
  let corpus: string;
  beforeEach(async () => {
    corpus = await fs.mkdtemp(path.join(os.tmpdir(), 'verbatim-library-'));
  });
  afterEach(async () => {
    await fs.rm(corpus, { recursive: true, force: true });
  });
  const config = () => loadConfig({ overrides: { corpusDir: corpus, indexDir: path.join(corpus, '..', 'unused-index') } });

  it('keeps the files of a batch the server stopped before indexing: the next start indexes them', async () => {
    const library = createDocumentLibrary({ live: fakeLive(async () => Promise.reject(new AbortedError()), new Map()), config: config() });
    const [upload] = await library.add([{ name: 'a.md', bytes: new TextEncoder().encode('# A\n\nText.') }]);
    await library.settled();
    expect(library.status(upload!.id)).toMatchObject({ state: 'failed', reason: expect.stringContaining('starts again') });
    expect(await fs.readFile(path.join(corpus, upload!.docId), 'utf8')).toBe('# A\n\nText.');
  });

  it('removes the file of an upload the ingest failed on, or skipped, with the reason', async () => {
    const failing = createDocumentLibrary({ live: fakeLive(async () => Promise.reject(new Error('disk full')), new Map()), config: config() });
    const [failed] = await failing.add([{ name: 'a.md', bytes: new TextEncoder().encode('one') }]);
    await failing.settled();
    expect(failing.status(failed!.id)).toMatchObject({ state: 'failed', reason: expect.stringContaining('disk full') });
    await expect(fs.access(path.join(corpus, failed!.docId))).rejects.toThrow();

    // The loader skips every upload, as one that cannot read a PDF's text would.
    const skipAll = async () => report((await fs.readdir(path.join(corpus, 'uploads'))).map((name) => ({ path: `uploads/${name}`, reason: 'no text in it' })));
    const skipping = createDocumentLibrary({ live: fakeLive(skipAll, new Map()), config: config() });
    const [skipped] = await skipping.add([{ name: 'b.pdf', bytes: new TextEncoder().encode('%PDF-1.7 …') }]);
    await skipping.settled();
    expect(skipping.status(skipped!.id)).toMatchObject({ state: 'failed', reason: 'not indexed: no text in it' });
    await expect(fs.access(path.join(corpus, skipped!.docId))).rejects.toThrow();
  });

  it('marks an upload ready once the index has it, and the same content sent meanwhile follows it', async () => {
    const documents = new Map<string, SourceDocument>();
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    let docId = '';
    const library = createDocumentLibrary({
      live: fakeLive(async () => {
        await gate;
        documents.set(docId, { id: docId, title: 'A', text: 'same', hash: 'h' });
        return report();
      }, documents),
      config: config(),
    });
    const bytes = new TextEncoder().encode('same');
    const [first] = await library.add([{ name: 'a.md', bytes }]);
    docId = first!.docId;
    const [second] = await library.add([{ name: 'copy.md', bytes }]);
    expect(second).toMatchObject({ duplicate: true, docId, state: 'indexing' });
    release();
    await library.settled();
    expect(library.status(first!.id)?.state).toBe('ready');
    expect(library.status(second!.id)?.state).toBe('ready');
    expect(await fs.readdir(path.join(corpus, 'uploads'))).toEqual([path.basename(docId)]);
  });
});
