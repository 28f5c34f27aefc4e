import { listZipEntries } from './zip-archive.js';

/** What a file's bytes are, whatever its name says. */
export type ContentType = 'pdf' | 'docx' | 'zip' | 'binary' | 'text';

/** What a file's name claims it is. */
export type NamedType = 'pdf' | 'docx' | 'text' | 'markdown' | 'html';

/** The file name endings read as documents, and what each claims the file is. */
const NAMED_TYPES: Readonly<Record<string, NamedType>> = { '.txt': 'text', '.md': 'markdown', '.html': 'html', '.htm': 'html', '.pdf': 'pdf', '.docx': 'docx' };

/** The file name endings read as documents (lower case, with the dot). */
export const DOCUMENT_EXTENSIONS: readonly string[] = Object.freeze(Object.keys(NAMED_TYPES));

/** What a file name claims the file is, by its ending (any case); null for a name that is not a document's. */
export function namedTypeOf(name: string): NamedType | null {
  const dot = name.lastIndexOf('.');
  const ext = dot < 0 ? '' : name.slice(dot).toLowerCase();
  return Object.hasOwn(NAMED_TYPES, ext) ? NAMED_TYPES[ext]! : null;
}

/** How far into a file the `%PDF-` header may start: PDF readers, PDF.js among them, accept up to 1024 bytes before it. */
const PDF_HEADER_WINDOW = 1024;
const PDF_HEADER = Buffer.from('%PDF-', 'latin1');
const STARTXREF = Buffer.from('startxref', 'latin1');
const ZIP_LOCAL_HEADER = Buffer.from([0x50, 0x4b, 0x03, 0x04]);

/**
 * The type of a file's content, from its bytes alone: a PDF by its `%PDF-` header, a Word document by a ZIP header
 * and the `[Content_Types].xml` and `word/document.xml` entries every DOCX has, another ZIP, other binary data (a
 * NUL byte), else text. The name is never consulted: a `.txt` holding a PDF is a PDF here.
 */
export function detectContentType(bytes: Uint8Array): ContentType {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (isPdf(buffer)) return 'pdf';
  if (buffer.subarray(0, 4).equals(ZIP_LOCAL_HEADER)) {
    const names = new Set(listZipEntries(bytes)?.map((entry) => entry.name) ?? []);
    return names.has('[Content_Types].xml') && names.has('word/document.xml') ? 'docx' : 'zip';
  }
  return buffer.includes(0) ? 'binary' : 'text';
}

/**
 * `%PDF-` at the start; or within the first 1024 bytes with a cross-reference pointer (`startxref`) in the last 1024,
 * so that a text file that merely mentions the header near its top is still text.
 */
function isPdf(buffer: Buffer): boolean {
  const at = buffer.subarray(0, PDF_HEADER_WINDOW + PDF_HEADER.length).indexOf(PDF_HEADER);
  if (at === 0) return true;
  return at > 0 && buffer.subarray(Math.max(0, buffer.length - PDF_HEADER_WINDOW)).includes(STARTXREF);
}

const DESCRIPTIONS: Readonly<Record<ContentType, string>> = {
  pdf: 'a PDF',
  docx: 'a Word document (DOCX)',
  zip: 'a ZIP archive, not a Word document',
  binary: 'binary data',
  text: 'text',
};

const EXTENSIONS: Readonly<Record<ContentType, string | null>> = { pdf: '.pdf', docx: '.docx', zip: null, binary: null, text: '.txt' };

/**
 * Null when the content is what the name claims (text for `.txt`, `.md`, `.html`; a PDF for `.pdf`; a DOCX for
 * `.docx`), else why the file is skipped: a file that claims one type and is another is not guessed at, since the
 * name is what a user relies on, and a mislabelled file is often not what anyone meant to index (an HTML error page
 * saved as `.pdf`). The reason says what the file is and how to have it indexed.
 */
export function typeMismatch(named: NamedType, content: ContentType): string | null {
  const textual = named === 'text' || named === 'markdown' || named === 'html';
  if (textual ? content === 'text' : content === named) return null;
  if (textual && content === 'binary') return 'contains NUL bytes: a binary file, not text';
  const claimed = textual ? 'text' : DESCRIPTIONS[named];
  const rename = EXTENSIONS[content];
  return `named as ${claimed} but its content is ${DESCRIPTIONS[content]}${rename ? `: rename it to ${rename} to index it` : ''}`;
}
