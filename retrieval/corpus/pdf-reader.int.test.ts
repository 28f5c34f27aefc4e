import { describe, expect, it } from 'vitest';
import { makeReportPdf } from './__fixtures__/test-documents.js';
import { PdfReader } from './pdf-reader.js';
import { DEFAULT_PDF_LIMITS, pdfTimeoutReason, pdfToText } from './pdf-to-text.js';

const misbehaving = new URL('./__fixtures__/misbehaving-pdf-reader-thread.ts', import.meta.url);
const bytesOf = (text: string) => new TextEncoder().encode(text);

describe('PdfReader', () => {
  it('reads a PDF in its thread exactly as in process', async () => {
    const reader = new PdfReader();
    try {
      const bytes = await makeReportPdf();
      expect(await reader.read(bytes)).toEqual(await pdfToText(bytes));
    } finally {
      await reader.close();
    }
  }, 60_000);

  it('ends a read that never returns by terminating its thread, and reads the next PDF in a fresh one', async () => {
    const reader = new PdfReader({ workerModule: misbehaving, graceMs: 200 });
    const limits = { ...DEFAULT_PDF_LIMITS, timeoutMs: 100 };
    try {
      expect(await reader.read(bytesOf('STALL forever'), { limits })).toEqual({ ok: false, reason: pdfTimeoutReason(limits) });
      expect(await reader.read(await makeReportPdf())).toMatchObject({ ok: true, title: 'Harbour Report 1950' });
    } finally {
      await reader.close();
    }
  }, 60_000);

  it('skips a PDF that needs more memory than the thread may use', async () => {
    const reader = new PdfReader({ workerModule: misbehaving, maxMemoryMb: 256 });
    try {
      expect(await reader.read(bytesOf('HOARD memory'))).toEqual({ ok: false, reason: 'needs more than 256 MiB of memory to read: skipped' });
      expect(await reader.read(await makeReportPdf())).toMatchObject({ ok: true });
    } finally {
      await reader.close();
    }
  }, 60_000);

  it('stops a read when its signal fires', async () => {
    const reader = new PdfReader({ workerModule: misbehaving });
    try {
      const controller = new AbortController();
      const read = reader.read(bytesOf('STALL until cancelled'), { signal: controller.signal });
      controller.abort();
      expect(await read).toEqual({ ok: false, reason: 'reading was cancelled' });
    } finally {
      await reader.close();
    }
  });
});
