import path from 'node:path';
import { detectContentType, DOCUMENT_EXTENSIONS, namedTypeOf, typeMismatch } from '../corpus/detect-file-type.js';
import { InputError } from '../errors.js';

/** Longest stored name, in characters, before the content hash is put in front. */
export const MAX_UPLOAD_NAME_CHARS = 100;

/** The file name endings an upload may have, for messages and the README: those the corpus reads. */
export function allowedUploadExtensions(): string[] {
  return [...DOCUMENT_EXTENSIONS];
}

/**
 * Checks that a file may be uploaded: its name ends in a document extension and its bytes are what the name says, by
 * the same rule the corpus loader skips a mislabelled file with (`detect-file-type.ts`), so a renamed binary is
 * refused before it is stored; text must also be valid UTF-8.
 * @throws InputError `UNSUPPORTED_UPLOAD_TYPE` (415) for another extension, `UPLOAD_CONTENT_MISMATCH` (422) when the
 * content is not what the name says, `EMPTY_UPLOAD` (422) for an empty file.
 */
export function checkUploadType(name: string, bytes: Uint8Array): void {
  const named = namedTypeOf(name);
  if (!named) {
    throw new InputError(`${JSON.stringify(name)} is not a document type Verbatim indexes: upload ${allowedUploadExtensions().join(', ')} files`, { code: 'UNSUPPORTED_UPLOAD_TYPE', status: 415 });
  }
  if (bytes.length === 0) throw new InputError(`${JSON.stringify(name)} is empty: there is nothing to index`, { code: 'EMPTY_UPLOAD', status: 422 });
  const mismatch = typeMismatch(named, detectContentType(bytes)) ?? (named === 'pdf' || named === 'docx' || isUtf8(bytes) ? null : 'it is not valid UTF-8 text: save it as UTF-8 and upload it again');
  if (mismatch) throw new InputError(`${JSON.stringify(name)} was refused: ${mismatch}`, { code: 'UPLOAD_CONTENT_MISMATCH', status: 422 });
}

function isUtf8(bytes: Uint8Array): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
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
