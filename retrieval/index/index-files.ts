import fs from 'node:fs/promises';
import path from 'node:path';
import { AbortedError, IndexCorruptError, IndexNotFoundError, IndexWriteError, throwIfAborted } from '../errors.js';
import { fileBlockChecksums, updatedBlockChecksums, type BlockChecksums } from './block-checksum.js';
import { DocumentStore } from './document-store.js';
import { LexicalIndex } from './lexical-index.js';
import { INDEX_FORMAT_VERSION, manifestSchema, type Manifest, type ManifestDraft } from './manifest.js';
import type { ByteRange } from './tracked-patch.js';
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
/** The documents, chunks and cached vectors of a generation (an SQLite database, `DocumentStore`). */
const DOCUMENTS_FILE = 'documents.sqlite';
/** The folder of a generation's vector index. */
const VECTOR_DIR = 'hnsw';

/** One generation, open: its manifest, its documents and chunks (read on demand) and its BM25 index. */
export interface LoadedIndexData {
  readonly manifest: Manifest;
  readonly store: DocumentStore;
  readonly lexical: LexicalIndex;
  /** Where the generation lives, so its vector index can be opened from it and its files copied into the next one. */
  readonly generationDir: string;
  /**
   * The block checksums of its databases (by name in the generation) when they were just read or written: a copy of
   * one, patched, gets its checksum from them and the blocks the patch wrote (`stageGeneration`).
   */
  readonly checksums?: ReadonlyMap<string, BlockChecksums>;
}

/** Closes what a loaded generation holds open. */
export function closeIndex(index: Pick<LoadedIndexData, 'store' | 'lexical'>): void {
  index.lexical.close();
  index.store.close();
}

/** Paths of a generation's files, for the writers that fill a new one from the previous one. */
export function generationFiles(dir: string): { readonly documents: string; readonly lexical: string; readonly vectorDir: string } {
  return { documents: path.join(dir, DOCUMENTS_FILE), lexical: path.join(dir, LEXICAL_FILE), vectorDir: path.join(dir, VECTOR_DIR) };
}

/** The byte ranges a writer changed in files copied from the previous generation (`stageGeneration`), by path. */
export type PatchedRanges = ReadonlyMap<string, readonly ByteRange[]>;

/** One file (or folder) of a new generation and how to write it. */
export interface GenerationWriter {
  /**
   * Writes it into the new generation (paths from `generationFiles` of that folder). A writer that patched a file
   * copied from the previous generation returns the ranges it changed, so that only those are read for its checksum.
   */
  readonly write: (files: ReturnType<typeof generationFiles>) => Promise<PatchedRanges | void>;
  /** The least it writes, in bytes, for the space a failed save reports it needs. */
  readonly bytesAtLeast: number;
}

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
  /** Block checksums of its databases, for the next save to patch a copy of them cheaply. */
  readonly checksums: ReadonlyMap<string, BlockChecksums>;
}

/**
 * A new generation folder, not yet current, and what was copied into it from the previous generation: the block
 * checksums of those copies (the previous generation's, when they were known), which are already synced.
 */
export interface StagedGeneration {
  readonly name: string;
  readonly dir: string;
  readonly copied: ReadonlyMap<string, BlockChecksums | undefined>;
}

/** Options of `saveIndex`. */
export interface SaveIndexOptions {
  /** Checked before the switch: when it has fired, nothing is switched, what was written is removed, and AbortedError is thrown. */
  readonly signal?: AbortSignal;
  /**
   * The folder to fill, from `stageGeneration` (started early, so that copying the previous generation's databases
   * overlaps other work); its failure fails the save like a write does. @default a new empty folder
   */
  readonly staged?: Promise<StagedGeneration>;
}

/**
 * Makes the folder of a new generation and, given the previous generation, copies its two databases into it and syncs
 * them, for the writers to patch in place. Copying 185 MB and syncing it takes about 0.3 s at 100k chunks: started as
 * soon as an ingest knows it will patch, it runs while the changed documents are chunked and embedded, and the final
 * sync after the patch has only the changed pages to write. A failure removes the folder. Call it holding the index
 * lock; hand the promise to `saveIndex`, or to `discardGeneration` when the save is not reached.
 */
export async function stageGeneration(indexDir: string, from?: Pick<LoadedIndexData, 'generationDir' | 'checksums'>): Promise<StagedGeneration> {
  const name = `gen-${Date.now().toString(36)}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const dir = path.join(indexDir, name);
  const copied = new Map<string, BlockChecksums | undefined>();
  try {
    await fs.mkdir(dir, { recursive: true });
    if (from) {
      await Promise.all(
        [DOCUMENTS_FILE, LEXICAL_FILE].map(async (file) => {
          const target = path.join(dir, file);
          await fs.copyFile(path.join(from.generationDir, file), target);
          const handle = await fs.open(target, 'r+');
          try {
            await handle.sync();
          } finally {
            await handle.close();
          }
          copied.set(file, from.checksums?.get(file));
        }),
      );
    }
  } catch (error) {
    await fs.rm(dir, { recursive: true, force: true }).catch(() => {});
    throw error;
  }
  return { name, dir, copied };
}

/** Removes a staged generation that no save took over (the ingest failed or was cancelled before saving). */
export async function discardGeneration(staged: Promise<StagedGeneration>): Promise<void> {
  // A staging that failed has removed its folder itself.
  const generation = await staged.catch(() => null);
  if (generation) await fs.rm(generation.dir, { recursive: true, force: true }).catch(() => {});
}

/** Error codes of a write that failed for lack of space (quota included; SQLite's own when a database write does not fit). */
const DISK_FULL_CODES: readonly string[] = ['ENOSPC', 'EDQUOT', 'SQLITE_FULL'];

/**
 * Writes a complete new generation with `writers` (each fills its files, from scratch or by patching the previous
 * generation's copied in by `stageGeneration`), syncs every file, records their checksums in the manifest, then
 * switches `CURRENT` to it and removes the generations before the one it replaces. A patched copy's checksum is
 * made from the previous one's and the blocks the patch changed. A save that fails removes everything it wrote, so the
 * previous generation stays current and no space is lost.
 * @throws IndexWriteError (`DISK_FULL` or `INDEX_WRITE_FAILED`) naming the folder, the space needed and free, and the fix.
 * @throws AbortedError when `options.signal` fired before the switch.
 */
export async function saveIndex(indexDir: string, draft: ManifestDraft, writers: readonly GenerationWriter[], options: SaveIndexOptions = {}): Promise<SavedGeneration> {
  const previous = await currentGeneration(indexDir).catch(() => null);
  let generation: StagedGeneration | undefined;
  let pointer: string | undefined;
  let manifest: Manifest;
  let checksums: Map<string, BlockChecksums>;
  try {
    generation = await (options.staged ?? stageGeneration(indexDir));
    const { name, dir } = generation;
    pointer = path.join(indexDir, `${CURRENT}.${name}.tmp`);
    const patched = new Map<string, readonly ByteRange[]>();
    for (const writer of writers) {
      throwIfAborted(options.signal);
      for (const [file, ranges] of (await writer.write(generationFiles(dir))) ?? []) patched.set(file, ranges);
    }
    checksums = await checksumFiles(dir, { sync: true, copied: generation.copied, patched });
    // The manifest goes last: a generation without one is incomplete by construction.
    manifest = { ...draft, files: Object.fromEntries([...checksums].map(([file, { bytes, crc32 }]) => [file, { bytes, crc32 }])) };
    // Compact: at 100k chunks the manifest lists 16k documents, and every start and ingest parses it.
    await writeFileSynced(path.join(dir, 'manifest.json'), JSON.stringify(manifest));
    throwIfAborted(options.signal);
    await writeFileSynced(pointer, `${name}\n`);
    throwIfAborted(options.signal);
    await fs.rename(pointer, path.join(indexDir, CURRENT));
  } catch (error) {
    if (generation) await fs.rm(generation.dir, { recursive: true, force: true }).catch(() => {});
    if (pointer) await fs.rm(pointer, { force: true }).catch(() => {});
    if (error instanceof AbortedError) throw error;
    const neededBytes = writers.reduce((sum, writer) => sum + writer.bytesAtLeast, 0);
    throw await writeError(indexDir, error, { neededBytes, previousKept: previous !== null });
  }
  // The new generation is current: failing to tidy up after it does not undo that, and the next save tidies again.
  await removeStaleGenerations(indexDir, [generation.name, ...(previous ? [path.basename(previous)] : [])]).catch(() => {});
  const databases = new Map([DOCUMENTS_FILE, LEXICAL_FILE].flatMap((file) => (checksums.has(file) ? [[file, checksums.get(file)!]] : [])));
  return { generationDir: generation.dir, manifest, checksums: databases };
}

/** Opens the generation a save has just written and checksummed, without reading it again. */
export function openSavedGeneration(saved: SavedGeneration): LoadedIndexData {
  return openGeneration(saved.generationDir, saved.manifest, saved.checksums);
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
    await writeFileSynced(temporary, JSON.stringify(manifestSchema.parse(manifest)));
    await fs.rename(temporary, file);
  } catch (error) {
    await fs.rm(temporary, { force: true }).catch(() => {});
    throw error;
  }
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

/**
 * Size and CRC-32 of every file under a generation folder, by path relative to it (with `/`); `sync` also makes each
 * durable. A file copied in with known checksums and patched in known ranges is read only in those ranges. The files
 * are read and synced at once, so one file's reads and sync overlap another's checksumming.
 */
async function checksumFiles(dir: string, options: { sync: boolean; copied: StagedGeneration['copied']; patched: PatchedRanges }): Promise<Map<string, BlockChecksums>> {
  const entries = (await fs.readdir(dir, { recursive: true, withFileTypes: true })).filter((entry) => entry.isFile());
  const sums = await Promise.all(
    entries.map(async (entry) => {
      const file = path.join(entry.parentPath, entry.name);
      const name = path.relative(dir, file).split(path.sep).join('/');
      const base = options.copied.get(name);
      const ranges = options.patched.get(file);
      return [name, base && ranges ? await updatedBlockChecksums(file, base, ranges, options) : await fileBlockChecksums(file, options)] as const;
    }),
  );
  return new Map<string, BlockChecksums>(sums);
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
 * Checks one file of a generation against the size and CRC-32 its manifest recorded.
 * @returns its block checksums, for a copy of it that is patched (`stageGeneration`).
 * @throws IndexCorruptError naming the file when it is missing, unlisted, or differs.
 */
async function checkFile(dir: string, manifest: Manifest, name: string): Promise<BlockChecksums> {
  const file = path.join(dir, name);
  const expected = manifest.files[name];
  if (!expected) throw new IndexCorruptError(file, 'not listed in the manifest');
  const actual = await fileBlockChecksums(file).catch((error: unknown) => {
    throw new IndexCorruptError(file, (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : (error as Error).message, { cause: error });
  });
  if (actual.bytes !== expected.bytes) throw new IndexCorruptError(file, `${actual.bytes} bytes, the manifest says ${expected.bytes}`);
  if (actual.crc32 !== expected.crc32) throw new IndexCorruptError(file, 'its checksum differs from the manifest: the file was damaged or changed after it was written');
  return actual;
}

/** Reads and validates only the manifest of the current generation; null when there is no index. */
export async function readManifest(indexDir: string): Promise<Manifest | null> {
  const dir = await currentGeneration(indexDir);
  return dir ? readGenerationManifest(dir) : null;
}

/**
 * Reads a generation's manifest. `checked`: whoever handed the folder over has just read this same manifest through
 * the schema (the server, for its answering workers), so it is not validated again (at 100k documents' worth of
 * entries that is ~50–100 ms and a second copy of them, per worker).
 */
async function readGenerationManifest(dir: string, checked = false): Promise<Manifest> {
  const file = path.join(dir, 'manifest.json');
  const json = parseJson(file, (await readBytes(file)).toString('utf8'));
  // The version first: an older manifest is not damaged, it is another format, and the fix is the same.
  const version = (json as { formatVersion?: unknown } | null)?.formatVersion;
  if (typeof version === 'number' && version !== INDEX_FORMAT_VERSION) {
    throw new IndexCorruptError(file, `format version ${version}, this Verbatim reads version ${INDEX_FORMAT_VERSION}`);
  }
  if (checked) return json as Manifest;
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
 * Opens one generation folder, checking every file against its manifest (the answering workers open exactly the
 * generation the server serves, whatever `CURRENT` names by then). Nothing but the manifest is parsed: documents and
 * chunks are read from the store when asked for.
 * @throws IndexCorruptError naming the bad file.
 */
export async function loadGeneration(dir: string, options: { checked?: boolean } = {}): Promise<LoadedIndexData> {
  const manifest = await readGenerationManifest(dir, options.checked);
  // Both databases are checked at once (the reads overlap), then opened in place; `checked`: by whoever handed the
  // folder over, just now (the server, for its answering workers), so the files are not read again.
  if (options.checked) return openGeneration(dir, manifest);
  return checkAndOpen(dir, manifest);
}

async function checkAndOpen(dir: string, manifest: Manifest): Promise<LoadedIndexData> {
  const checked = await Promise.all([DOCUMENTS_FILE, LEXICAL_FILE].map(async (file) => [file, await checkFile(dir, manifest, file)] as const));
  return openGeneration(dir, manifest, new Map(checked));
}

/** The current generation's manifest, read and validated, while its databases are being checked against it. */
export interface CheckingGeneration {
  readonly manifest: Manifest;
  /** The generation, opened once its databases have passed the check (rejects as `loadGeneration` throws). */
  readonly opened: Promise<LoadedIndexData>;
}

/**
 * `loadIndex` for a caller holding the index lock (no generation switches meanwhile) that has other work to do with
 * the manifest alone: it is handed over at once, and the 0.2 s of reading 185 MB to check the databases at 100k chunks
 * runs while that work does (an ingest looks over the corpus meanwhile). Null when there is no index.
 * @throws IndexCorruptError for a bad `CURRENT` or manifest.
 */
export async function readIndexChecking(indexDir: string): Promise<CheckingGeneration | null> {
  const dir = await currentGeneration(indexDir);
  if (!dir) return null;
  const manifest = await readGenerationManifest(dir);
  const opened = checkAndOpen(dir, manifest);
  // Whoever stops waiting for it (a failed ingest) must not leave it rejected unhandled.
  opened.catch(() => {});
  return { manifest, opened };
}

/**
 * Opens a generation's two databases in place, checking that they hold what its manifest counts.
 * @throws IndexCorruptError naming the file that differs; nothing is left open then.
 */
function openGeneration(dir: string, manifest: Manifest, checksums?: ReadonlyMap<string, BlockChecksums>): LoadedIndexData {
  const files = generationFiles(dir);
  const store = DocumentStore.open(files.documents);
  if (store.documentCount !== manifest.documents.length || store.chunkCount !== manifest.chunkCount) {
    store.close();
    throw new IndexCorruptError(files.documents, `holds ${store.documentCount} documents and ${store.chunkCount} chunks, the manifest says ${manifest.documents.length} and ${manifest.chunkCount}`);
  }
  // Last, so nothing is left open when an earlier file is bad.
  let lexical: LexicalIndex;
  try {
    lexical = LexicalIndex.open(files.lexical);
  } catch (error) {
    store.close();
    throw error;
  }
  if (lexical.size !== manifest.chunkCount) {
    closeIndex({ store, lexical });
    throw new IndexCorruptError(files.lexical, 'chunk count differs from the manifest');
  }
  return { manifest, store, lexical, generationDir: dir, ...(checksums ? { checksums } : {}) };
}

/**
 * Opens a loaded generation's vector index after checking its files against the manifest.
 * @throws IndexCorruptError naming a damaged file; IndexMismatchError when its vectors are not `dimension` long.
 */
export async function openVectorIndex(index: LoadedIndexData, options: { ef: number; dimension: number; checked?: boolean }): Promise<VectorIndex> {
  if (!options.checked) {
    for (const name of Object.keys(index.manifest.files).filter((n) => n.startsWith(`${VECTOR_DIR}/`))) await checkFile(index.generationDir, index.manifest, name);
  }
  return VectorIndex.load(path.join(index.generationDir, VECTOR_DIR), options);
}
