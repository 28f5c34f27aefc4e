import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { makeNotesDocx, makePlainZip, makeSimplePdf } from '../corpus/__fixtures__/test-documents.js';
import { VerbatimError } from '../errors.js';
import { checkUploadType, MAX_UPLOAD_NAME_CHARS, safeUploadName } from './upload-file.js';

const codeOf = (name: string, bytes: Uint8Array) => {
  try {
    checkUploadType(name, bytes);
    return null;
  } catch (error) {
    return VerbatimError.isInstance(error) ? `${error.status} ${error.code}` : String(error);
  }
};
const text = (s: string) => new TextEncoder().encode(s);

describe('checkUploadType', () => {
  it('accepts text, PDF and DOCX whose content is what the name says, in any case of extension', async () => {
    expect(codeOf('a.md', text('# Hi'))).toBeNull();
    expect(codeOf('a.TXT', text('héllo'))).toBeNull();
    expect(codeOf('a.htm', text('<p>x</p>'))).toBeNull();
    expect(codeOf('a.pdf', text('%PDF-1.7\n…'))).toBeNull();
    expect(codeOf('a.docx', await makeNotesDocx())).toBeNull();
    expect(codeOf('a.PDF', await makeSimplePdf(['One line.']))).toBeNull();
  });

  it('refuses a ZIP that is not a Word document, by the rule the corpus loader skips it with', () => {
    expect(codeOf('a.docx', new Uint8Array([0x50, 0x4b, 0x03, 0x04, 1, 2]))).toBe('422 UPLOAD_CONTENT_MISMATCH');
    expect(codeOf('a.docx', makePlainZip())).toBe('422 UPLOAD_CONTENT_MISMATCH');
  });

  it('refuses other extensions (415) and content that is not what the name says or empty (422)', () => {
    expect(codeOf('a.exe', text('x'))).toBe('415 UNSUPPORTED_UPLOAD_TYPE');
    expect(codeOf('md', text('x'))).toBe('415 UNSUPPORTED_UPLOAD_TYPE');
    expect(codeOf('a.toString', text('x'))).toBe('415 UNSUPPORTED_UPLOAD_TYPE');
    expect(codeOf('a.md', new Uint8Array([0xff, 0xfe, 0x00]))).toBe('422 UPLOAD_CONTENT_MISMATCH');
    expect(codeOf('a.txt', text('%PDF-1.4'))).toBe('422 UPLOAD_CONTENT_MISMATCH');
    expect(codeOf('a.pdf', text('not a pdf'))).toBe('422 UPLOAD_CONTENT_MISMATCH');
    expect(codeOf('a.docx', text('not a zip'))).toBe('422 UPLOAD_CONTENT_MISMATCH');
    expect(codeOf('a.md', new Uint8Array())).toBe('422 EMPTY_UPLOAD');
  });
});

describe('safeUploadName', () => {
  it('keeps the last path segment, drops leading dots, normalises Unicode and replaces odd characters', () => {
    expect(safeUploadName('../../etc/passwd.md')).toBe('passwd.md');
    expect(safeUploadName('..\\..\\win.txt')).toBe('win.txt');
    expect(safeUploadName('.hidden.md')).toBe('hidden.md');
    expect(safeUploadName('...md')).toBe('upload.md');
    expect(safeUploadName('Cafe\u0301 \u0000<b>.HTML')).toBe('Café -b-.html');
    expect(safeUploadName('')).toBe('upload');
    expect(safeUploadName(`a.${'x'.repeat(300)}`)).toHaveLength(MAX_UPLOAD_NAME_CHARS);
    expect(safeUploadName('a.h<t>ml')).toBe('a.h-t-ml');
  });

  it('never yields a path, a hidden name or a name longer than the limit, for any input', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 400 }), fc.tuple(fc.string({ maxLength: 20 }), fc.string({ unit: 'binary', maxLength: 300 })).map(([a, b]) => `${a}.${b}`)), (name) => {
        const safe = safeUploadName(name);
        expect(safe).not.toMatch(/[/\\\0]/);
        expect(safe.startsWith('.')).toBe(false);
        expect(safe).not.toBe('');
        expect(safe).not.toContain('..' + '/');
        expect(Array.from(safe).length).toBeLessThanOrEqual(MAX_UPLOAD_NAME_CHARS);
        expect(safe).toBe(safe.normalize('NFC'));
      }),
    );
  });
});
