import { mkdtempSync, rmSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  makeEncryptedPdf,
  makeLyingDocx,
  makePlainZip,
  makeScannedPdf,
  makeScriptedPdf,
  makeSimplePdf,
  makeZipBombDocx,
  NOTES,
  REPORT,
  writeDocumentCorpus,
} from './__fixtures__/test-documents.js';
import { chunkDocument } from '../chunk/chunk-document.js';
import { loadCorpus, type LoadedCorpus } from './load-corpus.js';
import { NO_TEXT_LAYER } from './pdf-to-text.js';

const scratch = mkdtempSync(path.join(tmpdir(), 'verbatim-documents-'));
let loaded: LoadedCorpus;
const byId = (id: string) => loaded.documents.find((d) => d.id === id);
const skipReason = (id: string) => loaded.skipped.find((s) => s.path === id)?.reason;

beforeAll(async () => {
  await writeDocumentCorpus(scratch);
  const hostile = path.join(scratch, 'hostile');
  await mkdir(hostile);
  const put = (name: string, bytes: Uint8Array | string) => writeFile(path.join(hostile, name), bytes);
  await put('bomb.docx', makeZipBombDocx());
  await put('lying.docx', await makeLyingDocx());
  await put('archive.docx', makePlainZip());
  await put('script.pdf', await makeScriptedPdf());
  await put('encrypted.pdf', await makeEncryptedPdf());
  await put('scanned.pdf', await makeScannedPdf());
  await put('broken.pdf', '%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ngarbage');
  await put('text-named.pdf', '<html><body>404 Not Found</body></html>');
  await put('pdf-named.txt', await makeSimplePdf(['A PDF in disguise.']));
  await put('pdf-named.docx', await makeSimplePdf(['A PDF in disguise.']));
  loaded = await loadCorpus({ dir: scratch });
}, 60_000);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('loadCorpus with PDF and Word documents', () => {
  it('loads the PDF with its pages and headings, the DOCX with its headings, and text as before', () => {
    expect(loaded.documents.map((d) => d.id)).toEqual(['hostile/script.pdf', 'notes.docx', 'plain.txt', 'report.pdf']);
    const report = byId('report.pdf')!;
    expect(report.title).toBe(REPORT.title);
    expect(report.pages?.map((p) => p.number)).toEqual([1, 2, 3]);
    expect(report.headings?.map((h) => h.text)).toEqual([REPORT.heading, REPORT.tradeHeading]);
    const notes = byId('notes.docx')!;
    expect(notes.title).toBe(NOTES.title);
    expect(notes.headings?.map((h) => h.text)).toEqual([NOTES.title, NOTES.heading, NOTES.tableHeading]);
    expect(notes.pages).toBeUndefined();
    expect(byId('plain.txt')).toEqual({ id: 'plain.txt', title: 'The ferry to Kessel leaves at noon.', text: 'The ferry to Kessel leaves at noon.\n', hash: expect.any(String) });
  });

  it('skips every hostile file with its reason, and reads the scripted PDF without running its script', () => {
    expect(Object.fromEntries(loaded.skipped.map((s) => [s.path, s.reason]))).toEqual({
      'hostile/archive.docx': 'named as a Word document (DOCX) but its content is a ZIP archive, not a Word document',
      'hostile/bomb.docx': expect.stringMatching(/^unpacks to \d+ bytes, more than the 104857600-byte limit \(a zip bomb/),
      'hostile/broken.pdf': expect.stringMatching(/^(?:not a readable PDF|PDF could not be read) \(/),
      'hostile/encrypted.pdf': expect.stringMatching(/^encrypted PDF: it needs a password to open/),
      'hostile/lying.docx': expect.stringMatching(/^Word document could not be read \(/),
      'hostile/pdf-named.docx': 'named as a Word document (DOCX) but its content is a PDF: rename it to .pdf to index it',
      'hostile/pdf-named.txt': 'named as text but its content is a PDF: rename it to .pdf to index it',
      'hostile/scanned.pdf': NO_TEXT_LAYER,
      'hostile/text-named.pdf': 'named as a PDF but its content is text: rename it to .txt to index it',
    });
    expect(skipReason('hostile/scanned.pdf')).toBe('no text layer — scanned PDF; OCR is not enabled');
    expect(byId('hostile/script.pdf')!.text).toBe('This page carries a script that must never run.');
    expect((globalThis as { verbatimPdfScriptRan?: unknown }).verbatimPdfScriptRan).toBeUndefined();
  });

  it('labels chunks of PDFs and Word documents with the headings the files mark', async () => {
    const headingOf = async (id: string, needle: string) => {
      const chunks = await chunkDocument(byId(id)!, { chunkSize: 120, chunkOverlap: 0 });
      return chunks.find((c) => c.text.includes(needle))?.heading;
    };
    expect(await headingOf('report.pdf', 'Wool and timber')).toBe(REPORT.tradeHeading);
    expect(await headingOf('report.pdf', 'northern pier')).toBe(REPORT.heading);
    expect(await headingOf('notes.docx', 'Marigold')).toBe(NOTES.tableHeading);
    expect(await headingOf('notes.docx', 'Straße')).toBe(NOTES.heading);
  });
});
