import { describe, expect, it } from 'vitest';
import { makeNotesDocx, makePlainZip, makeSimplePdf } from './__fixtures__/test-documents.js';
import { detectContentType, typeMismatch } from './detect-file-type.js';

const text = (s: string) => new TextEncoder().encode(s);

describe('detectContentType', () => {
  it('tells PDFs, Word documents, other ZIPs, binary data and text apart by their bytes', async () => {
    expect(detectContentType(await makeSimplePdf(['Hello.']))).toBe('pdf');
    expect(detectContentType(await makeNotesDocx())).toBe('docx');
    expect(detectContentType(makePlainZip())).toBe('zip');
    expect(detectContentType(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 0, 0]))).toBe('binary');
    expect(detectContentType(text('Plain words.\n'))).toBe('text');
  });

  it('finds a PDF header after leading junk only in a file that ends like a PDF, so text mentioning %PDF- stays text', async () => {
    const pdf = await makeSimplePdf(['Hello.']);
    expect(detectContentType(new Uint8Array([...text('junk before the header\n'), ...pdf]))).toBe('pdf');
    expect(detectContentType(text('Every PDF starts with %PDF-1.7 as its first bytes.\n'))).toBe('text');
  });
});

describe('typeMismatch', () => {
  it('accepts content that is what the name says', () => {
    expect(typeMismatch('pdf', 'pdf')).toBeNull();
    expect(typeMismatch('docx', 'docx')).toBeNull();
    for (const named of ['text', 'markdown', 'html'] as const) expect(typeMismatch(named, 'text')).toBeNull();
  });

  it('names what a mislabelled file really is and how to have it indexed', () => {
    expect(typeMismatch('pdf', 'text')).toBe('named as a PDF but its content is text: rename it to .txt to index it');
    expect(typeMismatch('text', 'pdf')).toBe('named as text but its content is a PDF: rename it to .pdf to index it');
    expect(typeMismatch('docx', 'pdf')).toBe('named as a Word document (DOCX) but its content is a PDF: rename it to .pdf to index it');
    expect(typeMismatch('docx', 'zip')).toBe('named as a Word document (DOCX) but its content is a ZIP archive, not a Word document');
    expect(typeMismatch('markdown', 'binary')).toBe('contains NUL bytes: a binary file, not text');
  });
});
