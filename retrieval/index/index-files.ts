import fs from 'node:fs/promises';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import { AbortedError, IndexCorruptError, IndexNotFoundError, IndexWriteError, throwIfAborted } from '../errors.js';
import type { Chunk, SourceDocument } from '../types.js';
import { LexicalIndex } from './lexical-index.js';
import { INDEX_FORMAT_VERSION, manifestSchema, type Manifest, type ManifestDraft } from './manifest.js';
import { VectorIndex } from './vector-index.js';

/**
 * An index on disk is a folder of generations: `gen-*` folders, each complete, and a `CURRENT` file naming
 * the one in use. A save writes a new generation aside and then renames `CURRENT` over the old pointer —
 * one atomic step — so a crash or kill at any moment leaves the previous generation serving. The generation
 * it replaced is kept until the next save, so a reader that started on it just before the switch can finish.
 * A generation gets its `manifest.json` last, before `CURRENT` ever names it: a `gen-*` folder without one is
 * partial (a save that was killed), was never current, and no reader can be on it.
 */
const CURRENT = 'CURRENT';
/** The BM25 index file of a generation (an SQLite database). */
const LEXICAL_FILE = 'lexical.sqlite';
/** The folder of a generation's vector index. */
const VECTOR_DIR = 'hnsw';

/** The contents of one index generation. */
export interface IndexData {
  readonly manifest: Manifest;
  readonly documents: readonly SourceDocument[];
  readonly chunks: readonly Chunk[];
  readonly lexical: LexicalIndex;
  /** Row i is the embedding of chunks[i]; null in lexical-only indexes. */
  readonly vectors: Float32Array | null;
}

/** Where a loaded generation lives, so its vector index can be opened from it. */
export interface LoadedIndexData extends IndexData {
  readonly generationDir: string;
}

type StoredChunk = Omit<Chunk, 'text' | 'id'>;

async function writeFileSynced(file: string, data: string | Uint8Array): Promise<void> {
  const handle = await fs.open(file, 'w');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** The generation folder `CURRENT` names, or null when there is no index yet. */
export async function currentGeneration(indexDir: string): Promise<string | null> {
  let name: string;
  try {
    name = (await fs.readFile(path.join(indexDir, CURRENT), 'utf8')).trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  if (!/^gen-[\w-]+$/.test(name)) throw new IndexCorruptError(path.join(indexDir, CURRENT), `names no generation: ${JSON.stringify(name.slice(0, 60))}`);
  const dir = path.join(indexDir, name);
  // A truncated pointer can still look like a name; blame CURRENT, not a manifest in a folder that never existed.
  const info = await fs.stat(dir).catch(() => null);
  if (!info?.isDirectory()) throw new IndexCorruptError(path.join(indexDir, CURRENT), `names generation ${name}, which does not exist`);
  return dir;
}

/** What `saveIndex` wrote: the generation folder and its manifest, with the files it checks. */
export interface SavedGeneration {
  readonly generationDir: string;
  readonly manifest: Manifest;
}

/** Options of `saveIndex`. */
export interface SaveIndexOptions {
  /** Checked before the switch: when it has fired, nothing is switched, what was written is removed, and AbortedError is thrown. */
  readonly signal?: AbortSignal;
  /** The least `writeVectorIndex` writes, in bytes, for the space a failed save reports it needs. @default the size of the vectors */
  readonly vectorIndexBytes?: number;
}

/** Error codes of a write that failed for lack of space (quota included). */
const DISK_FULL_CODES: readonly string[] = ['ENOSPC', 'EDQUOT'];

/**
 * Writes a complete new generation, then switches `CURRENT` to it and removes the generations before the one
 * it replaces. `writeVectorIndex` saves the vector index into the folder it is given, before the switch.
 * A save that fails removes everything it wrote, so the previous generation stays current and no space is lost.
 * @throws IndexWriteError (`DISK_FULL` or `INDEX_WRITE_FAILED`) naming the folder, the space needed and free, and the fix.
 * @throws AbortedError when `options.signal` fired before the switch.
 */
export async function saveIndex(
  indexDir: string,
  data: Omit<IndexData, 'manifest'> & { readonly manifest: ManifestDraft },
  writeVectorIndex?: (vectorDir: string) => Promise<void>,
  options: SaveIndexOptions = {},
): Promise<SavedGeneration> {
  const previous = await currentGeneration(indexDir).catch(() => null);
  const name = `gen-${Date.now().toString(36)}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const dir = path.join(indexDir, name);
  const pointer = path.join(indexDir, `${CURRENT}.${name}.tmp`);
  // Each file's content is made only when it is written, so that no two large ones are in memory at once.
  const contents: { file: string; content: () => string | Uint8Array }[] = [
    { file: 'documents.json', content: () => JSON.stringify(data.documents) },
    { file: 'chunks.json', content: () => JSON.stringify(data.chunks.map(({ docId, start, end, heading }): StoredChunk => ({ docId, start, end, heading }))) },
    { file: LEXICAL_FILE, content: () => data.lexical.serialize() },
    ...(data.vectors ? [{ file: 'vectors.f32', content: () => new Uint8Array(data.vectors!.buffer, data.vectors!.byteOffset, data.vectors!.byteLength) }] : []),
  ];
  let manifest: Manifest;
  try {
    await fs.mkdir(dir, { recursive: true });
    for (const { file, content } of contents) await writeFileSynced(path.join(dir, file), content());
    if (writeVectorIndex) await writeVectorIndex(path.join(dir, VECTOR_DIR));
    // The manifest goes last: a generation without one is incomplete by construction.
    manifest = { ...data.manifest, files: await checksumFiles(dir) };
    await writeFileSynced(path.join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2));
    throwIfAborted(options.signal);
    await writeFileSynced(pointer, `${name}\n`);
    throwIfAborted(options.signal);
    await fs.rename(pointer, path.join(indexDir, CURRENT));
  } catch (error) {
    await fs.rm(dir, { recursive: true, force: true }).catch(() => {});
    await fs.rm(pointer, { force: true }).catch(() => {});
    if (error instanceof AbortedError) throw error;
    // At least what this save writes itself, and the vector index (which holds every vector again, at the least).
    const vectorIndexBytes = writeVectorIndex ? (options.vectorIndexBytes ?? data.vectors?.byteLength ?? 0) : 0;
    const neededBytes = contents.reduce((sum, { content }) => sum + byteLength(content()), 0) + vectorIndexBytes;
    throw await writeError(indexDir, error, { neededBytes, previousKept: previous !== null });
  }
  // The new generation is current: failing to tidy up after it does not undo that, and the next save tidies again.
  await removeStaleGenerations(indexDir, [name, ...(previous ? [path.basename(previous)] : [])]).catch(() => {});
  return { generationDir: dir, manifest };
}

/**
 * Replaces the manifest of a generation with `manifest`, atomically (a synced file renamed over it), for changes that
 * leave every other file as it is, such as the stamps of files found unchanged. A reader sees the old manifest or the
 * new one, both true of the generation; a crash leaves the old one. Call it holding the index lock.
 */
export async function replaceManifest(generationDir: string, manifest: Manifest): Promise<void> {
  const file = path.join(generationDir, 'manifest.json');
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    await writeFileSynced(temporary, JSON.stringify(manifestSchema.parse(manifest), null, 2));
    await fs.rename(temporary, file);
  } catch (error) {
    await fs.rm(temporary, { force: true }).catch(() => {});
    throw error;
  }
}

function byteLength(content: string | Uint8Array): number {
  return typeof content === 'string' ? Buffer.byteLength(content, 'utf8') : content.byteLength;
}

/**
 * The IndexWriteError for a failed save. A failure counts as a full disk when the system says so (ENOSPC, EDQUOT),
 * or when the filesystem has less room than the generation needs (hnswlib reports no write errors of its own: a
 * full disk leaves it a short file, which the vector index notices).
 */
async function writeError(indexDir: string, error: unknown, details: { neededBytes: number; previousKept: boolean }): Promise<IndexWriteError> {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  const freeBytes = await fs.statfs(indexDir).then(
    (info) => info.bavail * info.bsize,
    () => null,
  );
  const diskFull = (typeof code === 'string' && DISK_FULL_CODES.includes(code)) || (freeBytes !== null && freeBytes < details.neededBytes);
  const reason = typeof code === 'string' ? code : error instanceof Error ? error.message : String(error);
  return new IndexWriteError(indexDir, { diskFull, reason, neededBytes: details.neededBytes, freeBytes, previousKept: details.previousKept }, { cause: error });
}

/**
 * Removes what failed or killed saves left behind: `gen-*` folders without a manifest other than the current one,
 * and pointer files never renamed into place. Call it holding the index lock, so no save of another process is
 * under way; the generation kept for readers after the last switch has its manifest and is left alone.
 * @returns the names removed.
 */
export async function removePartialGenerations(indexDir: string): Promise<string[]> {
  const current = await currentGeneration(indexDir).then(
    (dir) => (dir ? path.basename(dir) : null),
    () => null,
  );
  const removed: string[] = [];
  const entries = await fs.readdir(indexDir, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    const partialGeneration = entry.name.startsWith('gen-') && entry.name !== current && !(await exists(path.join(indexDir, entry.name, 'manifest.json')));
    const strayPointer = entry.name.startsWith(`${CURRENT}.`) && entry.name.endsWith('.tmp');
    if (!partialGeneration && !strayPointer) continue;
    await fs.rm(path.join(indexDir, entry.name), { recursive: true, force: true });
    removed.push(entry.name);
  }
  return removed;
}

async function exists(file: string): Promise<boolean> {
  return fs.access(file).then(
    () => true,
    () => false,
  );
}

/** Size and CRC-32 of every file under a generation folder, by path relative to it (with `/`). */
async function checksumFiles(dir: string): Promise<Manifest['files']> {
  const files: Record<string, { bytes: number; crc32: number }> = {};
  for (const entry of await fs.readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    const bytes = await fs.readFile(file);
    files[path.relative(dir, file).split(path.sep).join('/')] = { bytes: bytes.byteLength, crc32: crc32(bytes) };
  }
  return files;
}

async function removeStaleGenerations(indexDir: string, keep: readonly string[]): Promise<void> {
  for (const entry of await fs.readdir(indexDir)) {
    if (keep.includes(entry) || entry === CURRENT) continue;
    if (entry.startsWith('gen-') || (entry.startsWith(`${CURRENT}.`) && entry.endsWith('.tmp'))) {
      await fs.rm(path.join(indexDir, entry), { recursive: true, force: true });
    }
  }
}

function parseJson(file: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new IndexCorruptError(file, `not valid JSON (${(error as Error).message})`, { cause: error });
  }
}

async function readBytes(file: string): Promise<Buffer> {
  try {
    return await fs.readFile(file);
  } catch (error) {
    throw new IndexCorruptError(file, (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : (error as Error).message, { cause: error });
  }
}

/**
 * Reads one file of a generation and checks it against the size and CRC-32 its manifest recorded.
 * @throws IndexCorruptError naming the file when it is missing, unlisted, or differs.
 */
async function readChecked(dir: string, manifest: Manifest, name: string): Promise<Buffer> {
  const file = path.join(dir, name);
  const expected = manifest.files[name];
  if (!expected) throw new IndexCorruptError(file, 'not listed in the manifest');
  const bytes = await readBytes(file);
  if (bytes.byteLength !== expected.bytes) throw new IndexCorruptError(file, `${bytes.byteLength} bytes, the manifest says ${expected.bytes}`);
  if (crc32(bytes) !== expected.crc32) throw new IndexCorruptError(file, 'its checksum differs from the manifest: the file was damaged or changed after it was written');
  return bytes;
}

/** Reads and validates only the manifest of the current generation; null when there is no index. */
export async function readManifest(indexDir: string): Promise<Manifest | null> {
  const dir = await currentGeneration(indexDir);
  return dir ? readGenerationManifest(dir) : null;
}

async function readGenerationManifest(dir: string): Promise<Manifest> {
  const file = path.join(dir, 'manifest.json');
  const json = parseJson(file, (await readBytes(file)).toString('utf8'));
  // The version first: an older manifest is not damaged, it is another format, and the fix is the same.
  const version = (json as { formatVersion?: unknown } | null)?.formatVersion;
  if (typeof version === 'number' && version !== INDEX_FORMAT_VERSION) {
    throw new IndexCorruptError(file, `format version ${version}, this Verbatim reads version ${INDEX_FORMAT_VERSION}`);
  }
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success) throw new IndexCorruptError(file, `unexpected content: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  return parsed.data;
}

/**
 * Loads the current generation, checking every file against the manifest. The vector index is opened apart
 * (`openVectorIndex`), only when an embedder will query it.
 * @throws IndexNotFoundError when there is no index; IndexCorruptError naming the bad file otherwise.
 */
export async function loadIndex(indexDir: string): Promise<LoadedIndexData> {
  // An ingest that finishes meanwhile switches CURRENT; the generation being read is kept until the next save.
  // Two saves within one read would delete it: its files then look missing. That is not damage, so read again from
  // the generation CURRENT names now (a third switch within one read means something else is wrong).
  for (let attempt = 1; ; attempt++) {
    let dir: string | null = null;
    try {
      dir = await currentGeneration(indexDir);
      if (!dir) throw new IndexNotFoundError(indexDir);
      return await loadGeneration(dir);
    } catch (error) {
      const switched = error instanceof IndexCorruptError && (await currentGeneration(indexDir).catch(() => dir)) !== dir;
      if (!switched || attempt >= 3) throw error;
    }
  }
}

/**
 * Loads one generation folder, checking every file against its manifest (the answering workers load exactly the
 * generation the server serves, whatever `CURRENT` names by then).
 * @throws IndexCorruptError naming the bad file.
 */
export async function loadGeneration(dir: string): Promise<LoadedIndexData> {
  const manifest = await readGenerationManifest(dir);
  // All files are read and checksummed at once: the reads overlap each other and the parsing (at 100k chunks,
  // ~400 MB from the page cache). The BM25 database is only checked here; it is opened in place below.
  const [documentsBytes, chunksBytes, vectorBytes] = await Promise.all([
    readChecked(dir, manifest, 'documents.json'),
    readChecked(dir, manifest, 'chunks.json'),
    manifest.embedder ? readChecked(dir, manifest, 'vectors.f32') : null,
    readChecked(dir, manifest, LEXICAL_FILE).then(() => null),
  ]);
  const documentsFile = path.join(dir, 'documents.json');
  const documents = parseJson(documentsFile, documentsBytes.toString('utf8')) as SourceDocument[];
  if (!Array.isArray(documents) || documents.length !== manifest.documents.length) {
    throw new IndexCorruptError(documentsFile, 'document count differs from the manifest');
  }
  const textById = new Map(documents.map((d) => [d.id, d.text]));
  const chunksFile = path.join(dir, 'chunks.json');
  const stored = parseJson(chunksFile, chunksBytes.toString('utf8')) as StoredChunk[];
  if (!Array.isArray(stored) || stored.length !== manifest.chunkCount) throw new IndexCorruptError(chunksFile, 'chunk count differs from the manifest');
  const chunks: Chunk[] = stored.map((c) => {
    const text = textById.get(c.docId);
    if (text === undefined || !(c.start >= 0 && c.end <= text.length && c.start <= c.end)) {
      throw new IndexCorruptError(chunksFile, `chunk ${c.docId}#${c.start}-${c.end} does not fit its document`);
    }
    return { id: `${c.docId}#${c.start}-${c.end}`, docId: c.docId, start: c.start, end: c.end, heading: c.heading, text: text.slice(c.start, c.end) };
  });
  let vectors: Float32Array | null = null;
  if (manifest.embedder && vectorBytes) {
    const vectorsFile = path.join(dir, 'vectors.f32');
    const expected = chunks.length * manifest.embedder.dimension * 4;
    if (vectorBytes.byteLength !== expected) throw new IndexCorruptError(vectorsFile, `${vectorBytes.byteLength} bytes, expected ${expected}`);
    vectors = new Float32Array(vectorBytes.buffer.slice(vectorBytes.byteOffset, vectorBytes.byteOffset + vectorBytes.byteLength));
    // Ingest rebuilds the HNSW graph from these cached rows; a NaN or infinity would make every later ingest fail
    // while building it, so it is refused here, where the error names the file and the fix.
    const bad = firstNonFinite(vectors);
    if (bad !== -1) throw new IndexCorruptError(vectorsFile, `row ${Math.floor(bad / manifest.embedder.dimension)} holds a non-finite value`);
  }
  // Last, so nothing is left open when an earlier file is bad.
  const lexicalFile = path.join(dir, LEXICAL_FILE);
  const lexical = LexicalIndex.open(lexicalFile);
  if (lexical.size !== chunks.length) {
    lexical.close();
    throw new IndexCorruptError(lexicalFile, 'chunk count differs from the manifest');
  }
  return { manifest, documents, chunks, lexical, vectors, generationDir: dir };
}

/**
 * Opens a loaded generation's vector index after checking its files against the manifest.
 * @throws IndexCorruptError naming a damaged file; IndexMismatchError when its vectors are not `dimension` long.
 */
export async function openVectorIndex(index: LoadedIndexData, options: { ef: number; dimension: number }): Promise<VectorIndex> {
  for (const name of Object.keys(index.manifest.files).filter((n) => n.startsWith(`${VECTOR_DIR}/`))) {
    await readChecked(index.generationDir, index.manifest, name);
  }
  return VectorIndex.load(path.join(index.generationDir, VECTOR_DIR), options);
}

/** Index of the first NaN or infinity, or -1; a plain loop, ~0.1 s for 100k 384-dimensional rows (`findIndex` is 6× slower). */
function firstNonFinite(values: Float32Array): number {
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i]!)) return i;
  return -1;
}
