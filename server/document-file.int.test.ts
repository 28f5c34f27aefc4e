/**
 * `GET /api/documents/:id/file` (real server over a corpus with a PDF, a DOCX and a text file): a PDF's exact bytes,
 * served inline and unsniffable; 404 for an unknown id, a path-like id, or a document that is not a PDF; 409 once the
 * file on disk is no longer what was indexed. `GET /api/documents/:id` of a PDF carries its pages and boxes.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPORT, writeDocumentCorpus } from '../retrieval/corpus/__fixtures__/test-documents.js';
import { startTestServer, type TestServer } from './__fixtures__/test-server.js';
import type { DocumentResponse } from './protocol.js';

describe('GET /api/documents/:id/file', () => {
  let t: TestServer;
  let scratch: string;
  beforeAll(async () => {
    scratch = await fs.mkdtemp(path.join(os.tmpdir(), 'verbatim-document-file-'));
    await writeDocumentCorpus(path.join(scratch, 'corpus'));
    t = await startTestServer({ corpusDir: path.join(scratch, 'corpus') });
  });
  afterAll(async () => {
    await t?.close();
    await fs.rm(scratch, { recursive: true, force: true });
  });
  const file = (id: string) => fetch(`${t.url}/api/documents/${encodeURIComponent(id)}/file`);
  const codeOf = async (res: Response) => ((await res.json()) as { error: { code: string } }).error.code;

  it('sends the PDF exactly as indexed, inline and with nosniff', async () => {
    const res = await file('report.pdf');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    expect(res.headers.get('content-disposition')).toMatch(/^inline; /);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(Buffer.from(await res.arrayBuffer()).equals(await fs.readFile(path.join(t.config.corpusDir, 'report.pdf')))).toBe(true);
  });

  it('gives the pages of a PDF with its text, boxes into that text', async () => {
    const body = (await (await fetch(`${t.url}/api/documents/report.pdf`)).json()) as DocumentResponse;
    expect(body.pages?.map((p) => p.number)).toEqual([1, 2, 3]);
    const two = body.pages![1]!;
    expect(body.text.slice(two.start, two.end)).toContain(REPORT.pageTwo[0]);
    expect(two.boxes.some(([start, end]) => body.text.slice(start, end).includes('twice a week'))).toBe(true);
    const plain = (await (await fetch(`${t.url}/api/documents/plain.txt`)).json()) as DocumentResponse;
    expect(plain.pages).toBeUndefined();
  });

  it('answers 404 for unknown ids, paths and documents that are not PDFs', async () => {
    for (const id of ['nope.pdf', '../corpus/report.pdf', path.join(t.config.corpusDir, 'report.pdf')]) {
      const res = await file(id);
      expect(res.status, id).toBe(404);
      expect(await codeOf(res)).toBe('DOCUMENT_NOT_FOUND');
    }
    for (const id of ['plain.txt', 'notes.docx']) {
      const res = await file(id);
      expect(res.status, id).toBe(404);
      expect(await codeOf(res)).toBe('NOT_A_PDF');
    }
  });

  it('answers 409 once the file on disk is not the one indexed', async () => {
    const onDisk = path.join(t.config.corpusDir, 'report.pdf');
    const original = await fs.readFile(onDisk);
    await fs.writeFile(onDisk, Buffer.concat([original, Buffer.from('\n% changed\n')]));
    try {
      const res = await file('report.pdf');
      expect(res.status).toBe(409);
      expect(await codeOf(res)).toBe('DOCUMENT_FILE_CHANGED');
    } finally {
      await fs.writeFile(onDisk, original);
    }
    expect((await file('report.pdf')).status).toBe(200);
  });
});
