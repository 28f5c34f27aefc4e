import path from 'node:path';
import { InputError } from '../errors.js';

/**
 * What an upload may be, one entry per file name ending: the document kind it is read as and how its first bytes
 * must look. A file is accepted only when its name and its content agree, so a renamed binary is refused before it
 * is stored. PDF and DOCX are accepted here so that a corpus reader that reads them needs no change to the upload
 * side; a reader that does not skips them at ingest, and the upload fails with that reason.
 */
export const UPLOAD_TYPES: Readonly<Record<string, { readonly kind: 'text' | 'pdf' | 'docx'; readonly looksRight: (bytes: Uint8Array) => boolean }>> = Object.freeze({
  '.txt': { kind: 'text', looksRight: isPlainText },
  '.md': { kind: 'text', looksRight: isPlainText },
  '.html': { kind: 'text', looksRight: isPlainText },
  '.htm': { kind: 'text', looksRight: isPlainText },
  '.pdf': { kind: 'pdf', looksRight: (bytes) => startsWith(bytes, PDF_MAGIC) },
  // A DOCX is a ZIP archive; its local file header comes first.
  '.docx': { kind: 'docx', looksRight: (bytes) => startsWith(bytes, ZIP_MAGIC) },
});

const PDF_MAGIC = [0x25, 0x50, 0x44, 0x46, 0x2d]; // %PDF-
const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04]; // PK\3\4

/** Longest stored name, in characters, before the content hash is put in front. */
export const MAX_UPLOAD_NAME_CHARS = 100;

function startsWith(bytes: Uint8Array, magic: readonly number[]): boolean {
  return bytes.length >= magic.length && magic.every((byte, i) => bytes[i] === byte);
}

/** UTF-8 without NUL bytes or a binary format's signature: what the corpus loader reads as text. */
function isPlainText(bytes: Uint8Array): boolean {
  if (bytes.includes(0) || startsWith(bytes, PDF_MAGIC) || startsWith(bytes, ZIP_MAGIC)) return false;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/** The file name endings an upload may have, for messages and the README. */
export function allowedUploadExtensions(): string[] {
  return Object.keys(UPLOAD_TYPES);
}

/**
 * Checks that a file may be uploaded: its name ends in an allowed extension and its bytes are of that type.
 * @throws InputError `UNSUPPORTED_UPLOAD_TYPE` (415) for another extension, `UPLOAD_CONTENT_MISMATCH` (422) when the
 * content is not what the name says, `EMPTY_UPLOAD` (422) for an empty file.
 */
export function checkUploadType(name: string, bytes: Uint8Array): void {
  const ext = path.extname(name).toLowerCase();
  const type = Object.hasOwn(UPLOAD_TYPES, ext) ? UPLOAD_TYPES[ext] : undefined;
  if (!type) {
    throw new InputError(`${JSON.stringify(name)} is not a document type Verbatim indexes: upload ${allowedUploadExtensions().join(', ')} files`, { code: 'UNSUPPORTED_UPLOAD_TYPE', status: 415 });
  }
  if (bytes.length === 0) throw new InputError(`${JSON.stringify(name)} is empty: there is nothing to index`, { code: 'EMPTY_UPLOAD', status: 422 });
  if (!type.looksRight(bytes)) {
    const expected = type.kind === 'text' ? 'UTF-8 text' : type.kind === 'pdf' ? 'a PDF (starting with %PDF-)' : 'a DOCX (a ZIP archive)';
    throw new InputError(`${JSON.stringify(name)} does not contain ${expected}, as its name says: upload the file itself, or rename it to what it is`, { code: 'UPLOAD_CONTENT_MISMATCH', status: 422 });
  }
}

/**
 * A name safe to store an uploaded file under, from what the client called it: the last path segment only (no
 * folders, so no `..`), Unicode in NFC (one spelling per name), no control characters, no leading dot (a hidden file
 * the corpus loader would skip), only letters, digits, spaces, `.`, `_` and `-` kept, at most
 * {@link MAX_UPLOAD_NAME_CHARS} characters, with its extension lower-cased and kept.
 */
export function safeUploadName(clientName: string): string {
  const base = clientName.normalize('NFC').split(/[/\\]/).pop() ?? '';
  const found = path.extname(base).toLowerCase();
  // Only a short run of letters and digits counts as an extension; anything else is cleaned with the rest of the name.
  const ext = /^\.[\p{L}\p{N}]{1,15}$/u.test(found) ? found : '';
  const stem = base.slice(0, base.length - ext.length);
  const cleaned = Array.from(stem)
    .map((char) => (/[\p{L}\p{N} ._-]/u.test(char) ? char : '-'))
    .join('')
    .replace(/\s+/g, ' ')
    .replace(/-{2,}/g, '-')
    .replace(/^[\s.-]+/, '')
    .trimEnd();
  const clipped = Array.from(cleaned).slice(0, MAX_UPLOAD_NAME_CHARS - ext.length).join('').trimEnd();
  return `${clipped === '' ? 'upload' : clipped}${ext}`;
}
