/**
 * The document library against the real server: uploads over multipart into the corpus folder, a live re-index that
 * switches generations while asks are answered, deletes, and every refusal with its status and code.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeSimplePdf } from '../retrieval/corpus/__fixtures__/test-documents.js';
import { withIndexLock } from '../retrieval/index/index-lock.js';
import type { AskResult } from '../retrieval/types.js';
import type { DocumentListResponse, DocumentResponse, ErrorBody, SuggestionsResponse, UploadsResponse, UploadStatusResponse } from './protocol.js';
import { startTestServer, type TestServer } from './__fixtures__/test-server.js';

const FACT_DOC = '# The Zorblax lighthouse\n\nThe Zorblax lighthouse was built in 1873 by the engineer Mirela Quintavalle.\n\nIts lamp burns whale oil.\n';
const FACT_QUESTION = 'Who built the Zorblax lighthouse?';
const MAX_FILE_BYTES = 4096;

interface Sent {
  readonly name: string;
  readonly content: string | Uint8Array<ArrayBuffer>;
}

async function upload(t: TestServer, files: readonly Sent[]): Promise<Response> {
  const form = new FormData();
  for (const file of files) form.append('files', new Blob([file.content]), file.name);
  return fetch(`${t.url}/api/documents`, { method: 'POST', body: form });
}

async function uploadOne(t: TestServer, file: Sent): Promise<{ status: number; upload: UploadStatusResponse }> {
  const res = await upload(t, [file]);
  const body = (await res.json()) as UploadsResponse;
  expect(body.uploads).toHaveLength(1);
  return { status: res.status, upload: body.uploads[0]! };
}

/** Polls an upload's status URL until it is ready or failed. */
async function settled(t: TestServer, upload: UploadStatusResponse, timeoutMs = 60_000): Promise<UploadStatusResponse> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const res = await fetch(`${t.url}${upload.statusUrl}`);
    expect(res.status).toBe(200);
    const status = (await res.json()) as UploadStatusResponse;
    if (status.state === 'ready' || status.state === 'failed') return status;
    if (Date.now() > until) throw new Error(`upload ${upload.name} still ${status.state}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function ask(t: TestServer, question: string): Promise<AskResult> {
  const res = await fetch(`${t.url}/api/ask`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ question }) });
  expect(res.status).toBe(200);
  return (await res.json()) as AskResult;
}

async function documentIds(t: TestServer): Promise<string[]> {
  return ((await (await fetch(`${t.url}/api/documents`)).json()) as DocumentListResponse).documents.map((d) => d.id);
}

async function remove(t: TestServer, id: string): Promise<Response> {
  return fetch(`${t.url}/api/documents/${encodeURIComponent(id)}`, { method: 'DELETE' });
}

async function errorOf(res: Response): Promise<ErrorBody['error']> {
  return ((await res.json()) as ErrorBody).error;
}

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer({ library: true, configOverrides: { uploadMaxFileBytes: MAX_FILE_BYTES, uploadMaxFiles: 3, uploadMaxRequestBytes: 3 * MAX_FILE_BYTES } });
});
afterAll(async () => {
  await t?.close();
});

describe('an uploaded document', () => {
  let docId: string;

  it('is stored in the uploads folder, indexed, and answers with a citation into its served text', async () => {
    const { status, upload: sent } = await uploadOne(t, { name: 'lighthouse.md', content: FACT_DOC });
    expect(status).toBe(202);
    expect(sent).toMatchObject({ name: 'lighthouse.md', duplicate: false });
    expect(sent.docId).toMatch(/^uploads\/[0-9a-f]{12}-lighthouse\.md$/);
    const done = await settled(t, sent);
    expect(done).toMatchObject({ state: 'ready', reason: null, docId: sent.docId });
    docId = done.docId;
    expect(await fs.readFile(path.join(t.config.corpusDir, docId), 'utf8')).toBe(FACT_DOC);
    const listed = ((await (await fetch(`${t.url}/api/documents`)).json()) as DocumentListResponse).documents.find((d) => d.id === docId);
    // Indexed right after it was stored, so its file has no trusted stamp yet: its size is listed all the same.
    expect(listed).toMatchObject({ title: 'The Zorblax lighthouse', pages: null, bytes: Buffer.byteLength(FACT_DOC) });
    expect(Date.parse(listed!.addedAt!)).toBeGreaterThanOrEqual(Date.parse(sent.receivedAt));

    const result = await ask(t, FACT_QUESTION);
    expect(result.abstained).toBe(false);
    expect(result.answer).toContain('Mirela Quintavalle');
    const citation = result.citations.find((c) => c.docId === docId);
    expect(citation).toBeDefined();
    const served = (await (await fetch(`${t.url}/api/documents/${encodeURIComponent(docId)}`)).json()) as DocumentResponse;
    expect(citation!.quote).toBe(served.text.slice(citation!.start, citation!.end));
  });

  it('is among the starter questions worked out for the new generation', async () => {
    const { suggestions } = (await (await fetch(`${t.url}/api/suggestions`)).json()) as SuggestionsResponse;
    expect(suggestions.map((q) => q.docId)).toContain(docId);
  });

  it('uploaded again, under another name, is the same document: 200, nothing new stored', async () => {
    const before = await fs.readdir(path.join(t.config.corpusDir, 'uploads'));
    const { status, upload: again } = await uploadOne(t, { name: 'copy of lighthouse.md', content: FACT_DOC });
    expect(status).toBe(200);
    expect(again).toMatchObject({ state: 'ready', duplicate: true, docId });
    expect(await fs.readdir(path.join(t.config.corpusDir, 'uploads'))).toEqual(before);
    expect((await documentIds(t)).filter((id) => id === docId)).toHaveLength(1);
  });

  it('deleted, is gone from the list, from answers and from the disk', async () => {
    const res = await remove(t, docId);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ id: docId, removed: true, documents: 1 });
    expect(await documentIds(t)).not.toContain(docId);
    const result = await ask(t, FACT_QUESTION);
    expect(result.citations.some((c) => c.docId === docId)).toBe(false);
    expect(result.answer).not.toContain('Quintavalle');
    await expect(fs.access(path.join(t.config.corpusDir, docId))).rejects.toThrow();
    expect((await fetch(`${t.url}/api/documents/${encodeURIComponent(docId)}`)).status).toBe(404);
    const { suggestions } = (await (await fetch(`${t.url}/api/suggestions`)).json()) as SuggestionsResponse;
    expect(suggestions.length).toBeGreaterThan(0);
    expect(suggestions.map((q) => q.docId)).not.toContain(docId);
  });
});

describe('an uploaded PDF', () => {
  it('is listed with its page count and the size of its file, and edited in place keeps when it was added', async () => {
    const pdf = await makeSimplePdf(['The Zorblax ferry sails at dawn from the northern quay.'], 2);
    expect(pdf.length).toBeLessThan(MAX_FILE_BYTES);
    const done = await settled(t, (await uploadOne(t, { name: 'ferry.pdf', content: pdf as Uint8Array<ArrayBuffer> })).upload);
    expect(done.state).toBe('ready');
    const listed = async () => ((await (await fetch(`${t.url}/api/documents`)).json()) as DocumentListResponse).documents.find((d) => d.id === done.docId);
    const first = await listed();
    expect(first).toMatchObject({ pages: 2, bytes: pdf.length });

    // The same file name with other bytes is a change in place: re-indexed, first added time kept.
    const edited = await makeSimplePdf(['The Zorblax ferry sails at dawn from the northern quay.', 'It returns at dusk.'], 3);
    await fs.writeFile(path.join(t.config.corpusDir, done.docId), edited);
    expect(await t.live!.reindex()).toMatchObject({ changed: [done.docId] });
    expect(await listed()).toMatchObject({ pages: 3, bytes: edited.length, addedAt: first!.addedAt });
    expect((await remove(t, done.docId)).status).toBe(200);
  });
});

describe('refused uploads store nothing', () => {
  const uploadsDir = () => path.join(t.config.corpusDir, 'uploads');
  const stored = async () => (await fs.readdir(uploadsDir()).catch(() => [])).filter((name) => !name.startsWith('.'));

  it('a file over UPLOAD_MAX_FILE_BYTES is a 413 that says the limit', async () => {
    const before = await stored();
    const res = await upload(t, [{ name: 'big.md', content: 'word '.repeat(MAX_FILE_BYTES) }]);
    expect(res.status).toBe(413);
    const error = await errorOf(res);
    expect(error.code).toBe('UPLOAD_TOO_LARGE');
    expect(error.message).toContain('4 KiB');
    expect(error.message).toContain('UPLOAD_MAX_FILE_BYTES');
    expect(await stored()).toEqual(before);
  });

  it('more files than UPLOAD_MAX_FILES, or more bytes together than UPLOAD_MAX_REQUEST_BYTES, is a 413', async () => {
    const many = await upload(t, [1, 2, 3, 4].map((n) => ({ name: `n${n}.md`, content: `note ${n}` })));
    expect(many.status).toBe(413);
    expect((await errorOf(many)).message).toContain('UPLOAD_MAX_FILES');
    const declared = await fetch(`${t.url}/api/documents`, {
      method: 'POST',
      headers: { 'Content-Type': 'multipart/form-data; boundary=x', 'Content-Length': String(10 * 1024 * 1024) },
      body: '--x--',
    }).catch((error: unknown) => error as Error);
    // The server answers before reading such a body; the client may see the answer or the closed connection.
    if (declared instanceof Response) {
      expect(declared.status).toBe(413);
      expect((await errorOf(declared)).message).toContain('UPLOAD_MAX_REQUEST_BYTES');
    }
  });

  it('a type that is not indexed is a 415, content that is not what the name says a 422, a JSON body a 415', async () => {
    const exe = await upload(t, [{ name: 'tool.exe', content: 'MZ\u0090' }]);
    expect(exe.status).toBe(415);
    expect(await errorOf(exe)).toMatchObject({ code: 'UNSUPPORTED_UPLOAD_TYPE' });
    expect((await errorOf(await upload(t, [{ name: 'notes.md', content: 'ok' }, { name: 'x.sh', content: 'ls' }]))).code).toBe('UNSUPPORTED_UPLOAD_TYPE');

    const binary = await upload(t, [{ name: 'notes.md', content: new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 0, 0, 1, 2]) }]);
    expect(binary.status).toBe(422);
    expect(await errorOf(binary)).toMatchObject({ code: 'UPLOAD_CONTENT_MISMATCH' });
    const fakePdf = await upload(t, [{ name: 'paper.pdf', content: 'just text' }]);
    expect(fakePdf.status).toBe(422);
    expect((await upload(t, [{ name: 'empty.txt', content: '' }])).status).toBe(422);

    const json = await fetch(`${t.url}/api/documents`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"files":[]}' });
    expect(json.status).toBe(415);
    expect((await errorOf(json)).code).toBe('UNSUPPORTED_MEDIA_TYPE');
    const wrongField = new FormData();
    wrongField.append('file', new Blob(['x']), 'a.md');
    const wrong = await fetch(`${t.url}/api/documents`, { method: 'POST', body: wrongField });
    expect(wrong.status).toBe(400);
    expect((await errorOf(wrong)).code).toBe('BAD_UPLOAD');
    expect(await stored()).toEqual([]);
  });

  it('a name with folders, dots or odd characters is stored under a safe name inside the uploads folder', async () => {
    const names = ['../../../escape.md', '.hidden.md', 'Cafe\u0301 <script>.HTML'];
    const res = await upload(t, names.map((name, i) => ({ name, content: `# Note ${i}\n\nThe odd name number ${i} stays inside.\n` })));
    expect(res.status).toBe(202);
    const { uploads } = (await res.json()) as UploadsResponse;
    const ids = uploads.map((u) => u.docId);
    expect(ids.map((id) => id.replace(/^uploads\/[0-9a-f]{12}-/, ''))).toEqual(['escape.md', 'hidden.md', 'Café -script-.html']);
    for (const u of uploads) expect(await settled(t, u)).toMatchObject({ state: 'ready' });
    await expect(fs.access(path.join(t.tmp, 'escape.md'))).rejects.toThrow();
    expect(await documentIds(t)).toEqual(expect.arrayContaining(ids));
    for (const id of ids) expect((await remove(t, id)).status).toBe(200);
  });
});

describe('deletes', () => {
  it('refuse a document of the corpus folder unless ALLOW_CORPUS_DELETE, and an unknown id is a 404', async () => {
    const [seed] = (await documentIds(t)).filter((id) => !id.startsWith('uploads/'));
    const res = await remove(t, seed!);
    expect(res.status).toBe(403);
    const error = await errorOf(res);
    expect(error.code).toBe('CORPUS_DOCUMENT_PROTECTED');
    expect(error.message).toContain('ALLOW_CORPUS_DELETE');
    await fs.access(path.join(t.config.corpusDir, seed!));
    expect(await documentIds(t)).toContain(seed);
    expect((await remove(t, 'uploads/nope.md')).status).toBe(404);
  });
});

describe('an ingest that fails', () => {
  it('leaves the previous generation serving, fails the upload with the reason and removes its file; a delete puts the file back', async () => {
    const before = await documentIds(t);
    const generation = t.live!.generationDir;
    const { upload: kept } = await uploadOne(t, { name: 'kept.md', content: '# Kept\n\nThe kept note mentions the Vontrel ferry.\n' });
    const ready = await settled(t, kept);
    expect(ready.state).toBe('ready');
    // Another ingest (as `npm run ingest` would) holds the index lock for as long as the server's re-indexes run.
    await withIndexLock(t.config.indexDir, {}, async () => {
      const { upload: sent } = await uploadOne(t, { name: 'blocked.md', content: '# Blocked\n\nThe blocked note mentions the Quarrow bridge.\n' });
      // The re-index waits for the lock, and cannot finish while it is held: asks meanwhile are the previous generation's.
      expect(t.live!.reindexing).toBe(true);
      const during = await ask(t, 'Which ferry does the kept note mention?');
      expect(during.citations.some((c) => c.docId === ready.docId)).toBe(true);
      expect(t.live!.reindexing).toBe(true);
      const failed = await settled(t, sent);
      expect(failed.state).toBe('failed');
      expect(failed.reason).toContain('previous index is still served');
      expect(failed.reason).toContain('another ingest');
      await expect(fs.access(path.join(t.config.corpusDir, sent.docId))).rejects.toThrow();

      const refused = await remove(t, ready.docId);
      expect(refused.status).toBe(409);
      expect((await errorOf(refused)).code).toBe('INDEX_LOCKED');
      expect(await fs.readFile(path.join(t.config.corpusDir, ready.docId), 'utf8')).toContain('Vontrel');
    });
    expect(t.live!.generationDir).not.toBe(generation);
    expect(await documentIds(t)).toEqual([...before, ready.docId].sort());
    expect((await ask(t, 'Which ferry does the kept note mention?')).citations.some((c) => c.docId === ready.docId)).toBe(true);
    expect((await remove(t, ready.docId)).status).toBe(200);
  });
});

describe('a re-index in a worker pool', () => {
  let pooled: TestServer;
  beforeAll(async () => {
    pooled = await startTestServer({ library: true, pooled: true, configOverrides: { askWorkers: 1 } });
  });
  afterAll(async () => {
    await pooled?.close();
  });

  it('keeps answering from the previous generation while it runs, then answers from the new one', async () => {
    const { status, upload: sent } = await uploadOne(pooled, { name: 'lighthouse.md', content: FACT_DOC });
    expect(status).toBe(202);
    expect(pooled.live!.reindexing).toBe(true);
    const during = await ask(pooled, 'How many foreign law enforcement officers did China train in 2023?');
    expect(during.abstained).toBe(false);
    expect((await settled(pooled, sent)).state).toBe('ready');
    const after = await ask(pooled, FACT_QUESTION);
    expect(after.citations.some((c) => c.docId === sent.docId)).toBe(true);
    // The previous generation's workers are closed once their asks are done.
    await expect.poll(() => pooled.live!.retiring, { timeout: 30_000 }).toBe(0);
  });
});

describe('the last document', () => {
  it('is not deleted: the index is never replaced by an empty one, and the file is put back', async () => {
    const empty = await fs.mkdtemp(path.join(t.tmp, 'empty-corpus-'));
    const lone = await startTestServer({ library: true, corpusDir: empty });
    try {
      expect(await documentIds(lone)).toEqual([]);
      const { upload: sent } = await uploadOne(lone, { name: 'only.md', content: FACT_DOC });
      expect((await settled(lone, sent)).state).toBe('ready');
      const res = await remove(lone, sent.docId);
      expect(res.status).toBe(400);
      const error = await errorOf(res);
      expect(error.code).toBe('EMPTY_CORPUS');
      expect(await fs.readFile(path.join(lone.config.corpusDir, sent.docId), 'utf8')).toBe(FACT_DOC);
      expect(await documentIds(lone)).toEqual([sent.docId]);
    } finally {
      await lone.close();
    }
  });
});

describe('with ALLOW_UPLOADS=false', () => {
  it('uploads and deletes are refused with 403 UPLOADS_DISABLED before anything is read or removed', async () => {
    const off = await startTestServer({ library: true, configOverrides: { allowUploads: false } });
    try {
      const res = await upload(off, [{ name: 'a.md', content: FACT_DOC }]);
      expect(res.status).toBe(403);
      expect(await errorOf(res)).toMatchObject({ code: 'UPLOADS_DISABLED' });
      const [seed] = await documentIds(off);
      const del = await remove(off, seed!);
      expect(del.status).toBe(403);
      expect((await errorOf(del)).code).toBe('UPLOADS_DISABLED');
      await expect(fs.access(path.join(off.config.corpusDir, 'uploads'))).rejects.toThrow();
    } finally {
      await off.close();
    }
  });
});
