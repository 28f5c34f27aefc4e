import { createHash } from 'node:crypto';
import { constants, lstatSync, type Dirent, type Stats } from 'node:fs';
import { lstat, open, readdir, readlink, realpath, stat, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import pMap from 'p-map';
import { AbortedError, CorpusNotFoundError, InputError, throwIfAborted } from '../errors.js';
import type { SourceDocument } from '../types.js';
import { sameStamp, stampOf, type FileStamp } from './file-stamp.js';
import { htmlToVisibleText } from './html-to-visible-text.js';
import { parseAtxHeading } from '../text/atx-heading.js';
import { TurnTakingQueue } from '../turn-taking-queue.js';
import { detectContentType, DOCUMENT_EXTENSIONS, namedTypeOf, typeMismatch, type NamedType } from './detect-file-type.js';
import { docxToText } from './docx-to-text.js';
import { PdfReader } from './pdf-reader.js';
import { DEFAULT_PDF_LIMITS, type PdfLimits } from './pdf-to-text.js';
import { DEFAULT_ZIP_LIMITS, type ZipLimits } from './zip-archive.js';

/** Largest file the loader reads by default: 20 MiB, far above any prose document, small enough to keep memory bounded. */
export const DEFAULT_MAX_FILE_BYTES = 20 * 1024 * 1024;

/**
 * Files read at once by default. Reading one costs a handful of system calls that mostly wait on the file system:
 * 10,000 small files took 2.5–4.3 s one at a time on a 2-core machine, 1.4–1.9 s 32 at a time, and 64 gained nothing.
 */
export const DEFAULT_READ_CONCURRENCY = 32;

/** Longest title kept, in characters; titles are for display in lists and answers. */
export const MAX_TITLE_CHARS = 120;

/** File name endings the loader reads; everything else in the folder is ignored without a report. */
export const CORPUS_EXTENSIONS: readonly string[] = DOCUMENT_EXTENSIONS;

/** Options of {@link loadCorpus}. */
export interface LoadCorpusOptions {
  /** The corpus folder; read recursively. Relative paths resolve against the working directory. */
  readonly dir: string;
  /** Cancels the load between files (and during a file read); the promise then rejects with AbortedError. */
  readonly signal?: AbortSignal;
  /**
   * Files above this many bytes are skipped with a reason instead of being read,
   * so one stray dump cannot exhaust memory or stall ingest.
   * @default DEFAULT_MAX_FILE_BYTES (20 MiB)
   */
  readonly maxFileBytes?: number;
  /** Files read at once. @default DEFAULT_READ_CONCURRENCY (32) */
  readonly concurrency?: number;
  /**
   * Documents as last loaded, by id, with the stamp of the file they came from: a file whose stamp still matches is
   * not read again, and its id is listed in `unchanged` instead of `documents` (see `file-stamp.ts`). Omit it to read
   * every file.
   */
  readonly known?: ReadonlyMap<string, KnownDocument>;
  /** Bounds on reading one PDF (pages, text items, time). @default DEFAULT_PDF_LIMITS */
  readonly pdfLimits?: PdfLimits;
  /** Bounds on unpacking one DOCX (entries, unpacked bytes). @default DEFAULT_ZIP_LIMITS */
  readonly zipLimits?: ZipLimits;
}

/** A document from an earlier load: the hash of its bytes and the stamp of its file then. */
export interface KnownDocument {
  readonly hash: string;
  readonly stamp: FileStamp;
}

/** A file that looked like a document but was not loaded, and why; shown to the user after ingest. */
export interface SkippedFile {
  /** Path relative to the corpus folder, with `/` separators (a folder ends in `/`). */
  readonly path: string;
  /** What is wrong, in words a user can act on. */
  readonly reason: string;
}

/** The result of {@link loadCorpus}. */
export interface LoadedCorpus {
  /** Documents read this time, sorted by id (code-unit order, independent of locale and file system). */
  readonly documents: readonly SourceDocument[];
  /** Ids of the `known` documents whose file's stamp was unchanged: not read, not hashed, sorted by id. */
  readonly unchanged: readonly string[];
  /** Files and folders that were passed over, sorted by path. */
  readonly skipped: readonly SkippedFile[];
  /**
   * The stamp of each loaded document's file, by id, to pass back as `known` next time. A file changed within
   * `RACY_WINDOW_MS` of being read has none, so it is read again next time.
   */
  readonly stamps: ReadonlyMap<string, FileStamp>;
  /** The size in bytes of each loaded document's file, by id (also of those without a stamp, and of unchanged ones), for the library to show. */
  readonly sizes: ReadonlyMap<string, number>;
}

type DocumentKind = NamedType;

interface FoundFile {
  /** Document id: relative path with `/` separators. */
  readonly id: string;
  /** Real path to read (for a symlink: its verified target inside the corpus); checked again when it is opened. */
  readonly file: string;
  readonly kind: DocumentKind;
}

/**
 * Reads every `.txt`, `.md`, `.html`, `.htm`, `.pdf` and `.docx` file under `dir` into documents whose `text` is the
 * string all citation offsets index into: the file's UTF-8 text exactly as stored (only a leading BOM removed,
 * CRLF kept), for HTML the visible text, for a PDF its text layer in reading order with a page map
 * (`pdf-to-text.ts`), for a Word document its paragraphs and tables with its headings (`docx-to-text.ts`). The type
 * is checked against the content (`detect-file-type.ts`): a file whose content is not what its name says is
 * skipped with a reason. Files that cannot be documents (binary, invalid UTF-8, empty, too large, unreadable,
 * encrypted or text-less PDFs, zip bombs, symlinks leading out of the folder) are reported in `skipped` instead of
 * failing the load. Hidden entries (names starting with `.`) and other extensions are ignored.
 * `title` is the Markdown `# ` heading, the HTML `<title>` or first `<h1>`, the PDF's metadata title, the DOCX
 * `Title` or first `Heading 1`, a PDF's or DOCX's first heading, else the first line with a letter or digit,
 * whitespace collapsed and clipped to {@link MAX_TITLE_CHARS}.
 * Symlinked files are followed only when their target is inside the corpus folder; symlinked folders
 * are never descended (their files load from their real location, and cycles are impossible).
 * Each file is opened once, without following a symlink, and read from that descriptor only after the descriptor is
 * found to be a regular file inside the corpus: swapping a file or folder for a symlink while the corpus is read
 * cannot redirect the read to a file outside it (the entry is skipped with a reason instead).
 * The walk is iterative, so folder depth is limited only by the operating system's path length.
 * @throws CorpusNotFoundError when `dir` is missing, not a folder, or unreadable.
 * @throws AbortedError when `signal` fires.
 */
export async function loadCorpus(options: LoadCorpusOptions): Promise<LoadedCorpus> {
  const { signal } = options;
  const maxFileBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  if (!Number.isFinite(maxFileBytes) || maxFileBytes <= 0) {
    throw new InputError(`maxFileBytes must be a positive number of bytes, got ${maxFileBytes}`);
  }
  throwIfAborted(signal);

  const root = await openRoot(options.dir);
  const skipped: SkippedFile[] = [];
  const found = await findFiles(root, skipped, signal);
  found.sort((a, b) => compareCodeUnits(a.id, b.id));

  const decoder = new TextDecoder('utf-8', { fatal: true });
  // PDFs and Word documents are converted one at a time: 32 at once would hold 32 parsed documents in memory for no
  // gain. PDFs are read in a thread of their own (started by the first one), which a stalled read takes down instead
  // of the ingest; a PDF's time limit starts when its turn does.
  const converters: Converters = {
    queue: new TurnTakingQueue(),
    pdf: new PdfReader(),
    pdfLimits: options.pdfLimits ?? DEFAULT_PDF_LIMITS,
    zipLimits: options.zipLimits ?? DEFAULT_ZIP_LIMITS,
  };
  // Known files are confirmed by their stamps first, with synchronous lstat calls in blocks (one from the page cache
  // takes microseconds; 16,000 through promises took ~1 s, mostly queueing), yielding between blocks.
  const confirmed = await confirmedByStamp(found, options.known, signal);
  // The rest are read and hashed a bounded number at a time (each costs a handful of system calls, mostly waiting),
  // in id order in the result.
  const toRead = found.flatMap((entry, i) => (confirmed[i] ? [] : [entry]));
  const read = await pMap(
    toRead,
    (entry) => {
      throwIfAborted(signal);
      return readDocument(entry, { root, decoder, maxFileBytes, signal, converters });
    },
    { concurrency: options.concurrency ?? DEFAULT_READ_CONCURRENCY, signal },
  )
    .catch((error: unknown) => {
      throw signal?.aborted ? new AbortedError() : error;
    })
    .finally(() => converters.pdf.close());
  let next = 0;
  const results = found.map((entry, i): ReadOutcome | string => {
    const stamp = confirmed[i] ? options.known?.get(entry.id)?.stamp : undefined;
    return stamp ? { document: null, stamp, bytes: stamp.size } : read[next++]!;
  });
  const documents: SourceDocument[] = [];
  const unchanged: string[] = [];
  const stamps = new Map<string, FileStamp>();
  const sizes = new Map<string, number>();
  results.forEach((result, i) => {
    const { id } = found[i]!;
    if (typeof result === 'string') {
      skipped.push({ path: id, reason: result });
      return;
    }
    if (result.stamp) stamps.set(id, result.stamp);
    sizes.set(id, result.bytes);
    if (result.document) documents.push(result.document);
    else unchanged.push(id);
  });
  skipped.sort((a, b) => compareCodeUnits(a.path, b.path));
  return { documents, unchanged, skipped, stamps, sizes };
}

/** Files stat'ed between yields to the event loop while known files are confirmed by their stamps. */
const STAMP_CHECK_BLOCK = 1000;

/**
 * For each found file, whether it is known and its stamp (size, times, inode, device) is the one recorded: such a
 * file is not opened, so nothing outside the corpus can be read through it, and its bytes are the ones read last time.
 */
async function confirmedByStamp(found: readonly FoundFile[], known: ReadonlyMap<string, KnownDocument> | undefined, signal: AbortSignal | undefined): Promise<boolean[]> {
  const confirmed = new Array<boolean>(found.length).fill(false);
  if (!known || known.size === 0) return confirmed;
  for (let from = 0; from < found.length; from += STAMP_CHECK_BLOCK) {
    throwIfAborted(signal);
    for (let i = from; i < Math.min(found.length, from + STAMP_CHECK_BLOCK); i++) {
      const stamp = known.get(found[i]!.id)?.stamp;
      if (!stamp) continue;
      const seen = lstatSync(found[i]!.file, { throwIfNoEntry: false });
      confirmed[i] = seen?.isFile() === true && sameStamp(seen, stamp);
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
  return confirmed;
}

async function openRoot(dir: string): Promise<string> {
  let root: string;
  try {
    root = await realpath(path.resolve(dir));
  } catch (error) {
    throw new CorpusNotFoundError(dir, { cause: error });
  }
  const info = await stat(root).catch((error: unknown) => {
    throw new CorpusNotFoundError(dir, { cause: error });
  });
  if (!info.isDirectory()) throw new CorpusNotFoundError(dir);
  // Reading the root now turns "exists but unreadable" into the same actionable error.
  await readdir(root).catch((error: unknown) => {
    throw new CorpusNotFoundError(dir, { cause: error });
  });
  return root;
}

/** Walks the folder with an explicit stack: no recursion, so no depth limit of its own. */
async function findFiles(root: string, skipped: SkippedFile[], signal: AbortSignal | undefined): Promise<FoundFile[]> {
  const found: FoundFile[] = [];
  const stack: { id: string; dir: string }[] = [{ id: '', dir: root }];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    throwIfAborted(signal);
    let entries: Dirent[];
    try {
      entries = await readdir(next.dir, { withFileTypes: true });
    } catch (error) {
      skipped.push({ path: `${next.id}/`, reason: `folder could not be read (${errorCode(error)})` });
      continue;
    }
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const id = next.id === '' ? entry.name : `${next.id}/${entry.name}`;
      const full = path.join(next.dir, entry.name);
      const kind = namedTypeOf(entry.name);
      if (entry.isDirectory()) {
        stack.push({ id, dir: full });
      } else if (entry.isSymbolicLink()) {
        const outcome = await resolveLink(root, full);
        if (outcome.kind === 'file' && kind) found.push({ id, file: outcome.target, kind });
        else if (outcome.kind === 'skip') skipped.push({ path: outcome.folder ? `${id}/` : id, reason: outcome.reason });
      } else if (kind) {
        // Regular files, and also FIFOs or devices with a document's name: readDocument refuses those.
        found.push({ id, file: full, kind });
      }
    }
  }
  return found;
}

type LinkOutcome =
  | { kind: 'file'; target: string }
  | { kind: 'skip'; reason: string; folder: boolean }
  | { kind: 'ignore' };

async function resolveLink(root: string, link: string): Promise<LinkOutcome> {
  let target: string;
  try {
    target = await realpath(link);
  } catch (error) {
    return namedTypeOf(link) ? { kind: 'skip', reason: `broken symlink (${errorCode(error)})`, folder: false } : { kind: 'ignore' };
  }
  if (target !== root && !isInside(root, target)) {
    return { kind: 'skip', reason: 'symlink points outside the corpus folder; not followed', folder: false };
  }
  const info = await stat(target).catch(() => null);
  if (info?.isDirectory()) {
    return { kind: 'skip', reason: 'symlinked folder not followed; files inside the corpus load from their real location', folder: true };
  }
  return { kind: 'file', target };
}

/**
 * Read-only, never through a symlink in the last path component, and never waiting on a FIFO that was swapped in
 * after the walk (`O_NONBLOCK` does nothing to regular files). Platforms without a flag get 0, i.e. no such flag.
 */
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);

/** How much more is read at a time once a file turns out longer than `fstat` said (it grew while being read). */
const READ_MORE_BYTES = 64 * 1024;

/** Why an entry that became a symlink after the walk checked it is not read. */
const BECAME_SYMLINK = 'changed into a symlink while the corpus was being read; not followed (ingest again to pick up the change)';

/** A document as read (null: known, its file confirmed unchanged by its stamp), with the stamp to record for its file. */
interface ReadOutcome {
  readonly document: SourceDocument | null;
  readonly stamp: FileStamp | null;
  /** The file's size in bytes. */
  readonly bytes: number;
}

/** How PDFs and Word documents are converted during one load. */
interface Converters {
  readonly queue: TurnTakingQueue;
  readonly pdf: PdfReader;
  readonly pdfLimits: PdfLimits;
  readonly zipLimits: ZipLimits;
}

async function readDocument(
  entry: FoundFile,
  context: { root: string; decoder: TextDecoder; maxFileBytes: number; signal: AbortSignal | undefined; converters: Converters },
): Promise<ReadOutcome | string> {
  const { signal } = context;
  let read: FileRead | string;
  try {
    read = await readInsideCorpus(context.root, entry.file, context.maxFileBytes, signal);
  } catch (error) {
    if (signal?.aborted) throw new AbortedError();
    return `file could not be read (${errorCode(error)})`;
  }
  if (typeof read === 'string') return read;
  const { bytes } = read;
  if (bytes.length === 0) return 'empty file';
  const mismatch = typeMismatch(entry.kind, detectContentType(bytes));
  if (mismatch) return mismatch;
  const hash = createHash('sha256').update(bytes).digest('hex');
  if (entry.kind === 'pdf' || entry.kind === 'docx') {
    const converted = await convertBinary(entry.kind, bytes, context.converters, signal);
    if (!converted.ok) return converted.reason;
    const document: SourceDocument = {
      id: entry.id,
      title: clipTitle(converted.title ?? converted.headings[0]?.text ?? firstLine(converted.text) ?? entry.id),
      text: converted.text,
      hash,
      // A file that marks no headings gets none here: the chunker then guesses them from the lines, as for plain text.
      ...(converted.headings.length > 0 ? { headings: converted.headings } : {}),
      ...(converted.pages ? { pages: converted.pages } : {}),
    };
    return { document, stamp: stampOf(read.info, read.readAtMs), bytes: bytes.length };
  }

  let raw: string;
  try {
    // `fatal` rejects invalid UTF-8 instead of inventing U+FFFD characters a citation could never match;
    // the default `ignoreBOM: false` removes a leading byte order mark.
    raw = context.decoder.decode(bytes);
  } catch {
    return 'not valid UTF-8 text (save it as UTF-8)';
  }

  let text = raw;
  let title: string | null = null;
  if (entry.kind === 'html') {
    try {
      const visible = htmlToVisibleText(raw);
      text = visible.text;
      title = visible.title;
    } catch (error) {
      return `HTML could not be converted to text (${error instanceof Error ? error.message : String(error)})`;
    }
    if (text.trim() === '') return 'no visible text';
  } else {
    if (text.trim() === '') return 'only whitespace';
    if (entry.kind === 'markdown') title = markdownTitle(text);
  }

  const document: SourceDocument = {
    id: entry.id,
    title: clipTitle(title ?? firstLine(text) ?? entry.id),
    text,
    hash,
  };
  return { document, stamp: stampOf(read.info, read.readAtMs), bytes: bytes.length };
}

/** A PDF's or Word document's text, headings, title and (PDF) pages, or why it has none. */
type Converted =
  | { readonly ok: true; readonly text: string; readonly headings: SourceDocument['headings'] & {}; readonly title: string | null; readonly pages?: SourceDocument['pages'] }
  | { readonly ok: false; readonly reason: string };

async function convertBinary(kind: 'pdf' | 'docx', bytes: Uint8Array, converters: Converters, signal: AbortSignal | undefined): Promise<Converted> {
  const converted: Converted = await converters.queue.run(() => {
    throwIfAborted(signal);
    return kind === 'pdf' ? converters.pdf.read(bytes, { limits: converters.pdfLimits, signal }) : docxToText(bytes, { limits: converters.zipLimits });
  });
  throwIfAborted(signal);
  if (converted.ok && converted.text.trim() === '') return { ok: false, reason: kind === 'docx' ? 'a Word document without text' : 'no text' };
  return converted;
}

/** A file's bytes and what `fstat` said of it just before they were read. */
interface FileRead {
  readonly bytes: Buffer;
  readonly info: Stats;
  readonly readAtMs: number;
}

/**
 * Opens `file` once and reads it through that descriptor only, so the decision "this is a regular file inside the
 * corpus" is about the very file read: a path swapped for a symlink (or a folder on it swapped for a symlinked one)
 * after the walk cannot redirect the read outside the corpus. Reads at most `maxFileBytes` + 1 bytes, even from a
 * file that grows meanwhile. Returns the bytes, or why the file is not read.
 */
async function readInsideCorpus(root: string, file: string, maxFileBytes: number, signal: AbortSignal | undefined): Promise<FileRead | string> {
  // Checked before opening, so a FIFO or device named like a document is not even opened in the ordinary case;
  // what is opened is checked again through its descriptor below.
  const seen = await lstat(file);
  if (seen.isSymbolicLink()) return BECAME_SYMLINK;
  if (!seen.isFile()) return 'not a regular file';
  let handle: FileHandle;
  try {
    handle = await open(file, OPEN_FLAGS);
  } catch (error) {
    // O_NOFOLLOW on a symlink: ELOOP on Linux and macOS, EMLINK on FreeBSD.
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ELOOP' || code === 'EMLINK') return BECAME_SYMLINK;
    throw error;
  }
  try {
    const info = await handle.stat();
    const readAtMs = Date.now();
    if (!info.isFile()) return 'not a regular file';
    if (!(await openedInside(root, file, handle, info))) {
      return 'resolved outside the corpus folder while being read (a folder on its path was swapped for a symlink); not read';
    }
    if (info.size > maxFileBytes) return tooLarge(info.size, maxFileBytes);
    const bytes = await readAtMost(handle, info.size, maxFileBytes, signal);
    return typeof bytes === 'string' ? bytes : { bytes, info, readAtMs };
  } finally {
    await handle.close();
  }
}

/**
 * Whether the opened file is inside the corpus. On Linux the kernel's own path of the descriptor
 * (`/proc/self/fd/N`) says so exactly; elsewhere the path's real location must be inside the corpus and be the
 * same file (device and inode) as the one opened.
 */
async function openedInside(root: string, file: string, handle: FileHandle, info: Stats): Promise<boolean> {
  const opened = await readlink(`/proc/self/fd/${handle.fd}`).catch(() => null);
  // A file renamed over after it was opened reads "… (deleted)": still the file that was inside.
  if (opened !== null && path.isAbsolute(opened)) return isInside(root, opened.replace(/ \(deleted\)$/, ''));
  const real = await realpath(file).catch(() => null);
  if (real === null || !isInside(root, real)) return false;
  const now = await lstat(real).catch(() => null);
  return now !== null && now.dev === info.dev && now.ino === info.ino;
}

/** Reads the whole file from its descriptor, but never more than `limit` + 1 bytes; a longer file is a reason. */
async function readAtMost(handle: FileHandle, expected: number, limit: number, signal: AbortSignal | undefined): Promise<Buffer | string> {
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    throwIfAborted(signal);
    // The first read asks for one byte more than fstat said, so the end of an unchanged file is seen at once.
    const want = Math.min(limit + 1 - total, Math.max(expected + 1 - total, READ_MORE_BYTES));
    const buffer = Buffer.allocUnsafe(want);
    const { bytesRead } = await handle.read(buffer, 0, want, null);
    if (bytesRead === 0) break;
    chunks.push(buffer.subarray(0, bytesRead));
    total += bytesRead;
    if (total > limit) return `grew past the ${limit}-byte limit while being read: split it or raise maxFileBytes`;
  }
  return Buffer.concat(chunks, total);
}

function isInside(root: string, target: string): boolean {
  const relative = path.relative(root, target);
  return relative !== '' && relative !== '..' && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative);
}

function tooLarge(size: number, limit: number): string {
  return `larger than the ${limit}-byte limit (${size} bytes): split it or raise maxFileBytes`;
}

function errorCode(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return typeof code === 'string' ? code : error instanceof Error ? error.message : String(error);
}

function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The first level-1 ATX heading (`# Title`) outside fenced code. */
function markdownTitle(text: string): string | null {
  let fence: string | null = null;
  for (const line of text.split(/\r\n|\n|\r/)) {
    const marker = /^ {0,3}(`{3,}|~{3,})/.exec(line)?.[1];
    if (marker) {
      if (fence === null) fence = marker[0]!;
      else if (marker[0] === fence) fence = null;
      continue;
    }
    if (fence !== null) continue;
    const atx = parseAtxHeading(line);
    if (atx?.level === 1 && atx.titleEnd > atx.titleStart) return line.slice(atx.titleStart, atx.titleEnd);
  }
  return null;
}

/** The first line with a letter or digit (so a Markdown rule or front-matter fence is not a title). */
function firstLine(text: string): string | null {
  for (const line of text.split(/\r\n|\n|\r/)) {
    if (/[\p{L}\p{N}]/u.test(line)) return line.replace(/^\s*#+\s+/, '');
  }
  return null;
}

function clipTitle(title: string): string {
  const flat = title.replace(/\s+/g, ' ').trim();
  if (flat.length <= MAX_TITLE_CHARS) return flat;
  const cut = Array.from(flat).slice(0, MAX_TITLE_CHARS - 1).join('');
  const space = cut.lastIndexOf(' ');
  return `${(space > MAX_TITLE_CHARS / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}
