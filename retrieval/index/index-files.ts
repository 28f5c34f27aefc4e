import fs from 'node:fs/promises';
import path from 'node:path';
import { IndexCorruptError, IndexNotFoundError } from '../errors.js';
import type { Chunk, SourceDocument } from '../types.js';
import { LexicalIndex } from './lexical-index.js';
import { INDEX_FORMAT_VERSION, manifestSchema, type Manifest } from './manifest.js';

/**
 * An index on disk is a folder of generations: `gen-*` folders, each complete, and a `CURRENT` file naming
 * the one in use. A save writes a new generation aside and then renames `CURRENT` over the old pointer —
 * one atomic step — so a crash or kill at any moment leaves the previous generation serving.
 */
const CURRENT = 'CURRENT';

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

/**
 * Writes a complete new generation, then switches `CURRENT` to it and removes older generations.
 * `writeExtra` adds files (the vector index) into the generation folder before the switch.
 */
export async function saveIndex(indexDir: string, data: IndexData, writeExtra?: (generationDir: string) => Promise<void>): Promise<string> {
  await fs.mkdir(indexDir, { recursive: true });
  const name = `gen-${Date.now().toString(36)}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const dir = path.join(indexDir, name);
  await fs.mkdir(dir);
  const storedChunks: StoredChunk[] = data.chunks.map(({ docId, start, end, heading }) => ({ docId, start, end, heading }));
  await writeFileSynced(path.join(dir, 'documents.json'), JSON.stringify(data.documents));
  await writeFileSynced(path.join(dir, 'chunks.json'), JSON.stringify(storedChunks));
  await writeFileSynced(path.join(dir, 'lexical.json'), data.lexical.toJSON());
  if (data.vectors) await writeFileSynced(path.join(dir, 'vectors.f32'), new Uint8Array(data.vectors.buffer, data.vectors.byteOffset, data.vectors.byteLength));
  if (writeExtra) await writeExtra(dir);
  // The manifest goes last: a generation without one is incomplete by construction.
  await writeFileSynced(path.join(dir, 'manifest.json'), JSON.stringify(data.manifest, null, 2));
  const pointer = path.join(indexDir, `${CURRENT}.${name}.tmp`);
  await writeFileSynced(pointer, `${name}\n`);
  await fs.rename(pointer, path.join(indexDir, CURRENT));
  await removeStaleGenerations(indexDir, name);
  return dir;
}

async function removeStaleGenerations(indexDir: string, keep: string): Promise<void> {
  for (const entry of await fs.readdir(indexDir)) {
    if (entry === keep || entry === CURRENT) continue;
    if (entry.startsWith('gen-') || (entry.startsWith(`${CURRENT}.`) && entry.endsWith('.tmp'))) {
      await fs.rm(path.join(indexDir, entry), { recursive: true, force: true });
    }
  }
}

async function readJson(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    throw new IndexCorruptError(file, (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : (error as Error).message, { cause: error });
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new IndexCorruptError(file, `not valid JSON (${(error as Error).message})`, { cause: error });
  }
}

/** Reads and validates only the manifest of the current generation; null when there is no index. */
export async function readManifest(indexDir: string): Promise<Manifest | null> {
  const dir = await currentGeneration(indexDir);
  return dir ? readGenerationManifest(dir) : null;
}

async function readGenerationManifest(dir: string): Promise<Manifest> {
  const file = path.join(dir, 'manifest.json');
  const parsed = manifestSchema.safeParse(await readJson(file));
  if (!parsed.success) throw new IndexCorruptError(file, `unexpected content: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  if (parsed.data.formatVersion !== INDEX_FORMAT_VERSION) {
    throw new IndexCorruptError(file, `format version ${parsed.data.formatVersion}, this Verbatim reads version ${INDEX_FORMAT_VERSION}`);
  }
  return parsed.data;
}

/**
 * Loads the current generation, checking every file against the manifest.
 * @throws IndexNotFoundError when there is no index; IndexCorruptError naming the bad file otherwise.
 */
export async function loadIndex(indexDir: string): Promise<LoadedIndexData> {
  // An ingest that finishes meanwhile switches CURRENT and deletes the generation being read: its files then look
  // missing. That is not damage, so read again from the generation CURRENT names now (an ingest takes far longer
  // than a read, so a third switch within one read means something else is wrong).
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

async function loadGeneration(dir: string): Promise<LoadedIndexData> {
  const manifest = await readGenerationManifest(dir);
  const documentsFile = path.join(dir, 'documents.json');
  const documents = (await readJson(documentsFile)) as SourceDocument[];
  if (!Array.isArray(documents) || documents.length !== manifest.documents.length) {
    throw new IndexCorruptError(documentsFile, 'document count differs from the manifest');
  }
  const textById = new Map(documents.map((d) => [d.id, d.text]));
  const chunksFile = path.join(dir, 'chunks.json');
  const stored = (await readJson(chunksFile)) as StoredChunk[];
  if (!Array.isArray(stored) || stored.length !== manifest.chunkCount) throw new IndexCorruptError(chunksFile, 'chunk count differs from the manifest');
  const chunks: Chunk[] = stored.map((c) => {
    const text = textById.get(c.docId);
    if (text === undefined || !(c.start >= 0 && c.end <= text.length && c.start <= c.end)) {
      throw new IndexCorruptError(chunksFile, `chunk ${c.docId}#${c.start}-${c.end} does not fit its document`);
    }
    return { id: `${c.docId}#${c.start}-${c.end}`, docId: c.docId, start: c.start, end: c.end, heading: c.heading, text: text.slice(c.start, c.end) };
  });
  const lexicalFile = path.join(dir, 'lexical.json');
  let lexicalJson: string;
  try {
    lexicalJson = await fs.readFile(lexicalFile, 'utf8');
  } catch (error) {
    throw new IndexCorruptError(lexicalFile, 'missing', { cause: error });
  }
  const lexical = LexicalIndex.fromJSON(lexicalJson, lexicalFile);
  if (lexical.size !== chunks.length) throw new IndexCorruptError(lexicalFile, 'chunk count differs from the manifest');
  let vectors: Float32Array | null = null;
  if (manifest.embedder) {
    const vectorsFile = path.join(dir, 'vectors.f32');
    let bytes: Buffer;
    try {
      bytes = await fs.readFile(vectorsFile);
    } catch (error) {
      throw new IndexCorruptError(vectorsFile, 'missing', { cause: error });
    }
    const expected = chunks.length * manifest.embedder.dimension * 4;
    if (bytes.byteLength !== expected) throw new IndexCorruptError(vectorsFile, `${bytes.byteLength} bytes, expected ${expected}`);
    vectors = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    // Ingest rebuilds the HNSW graph from these cached rows; a NaN or infinity from a damaged file would make every
    // later ingest fail while building it, so it is refused here, where the error names the file and the fix.
    const bad = firstNonFinite(vectors);
    if (bad !== -1) throw new IndexCorruptError(vectorsFile, `row ${Math.floor(bad / manifest.embedder.dimension)} holds a non-finite value`);
  }
  return { manifest, documents, chunks, lexical, vectors, generationDir: dir };
}

/** Index of the first NaN or infinity, or -1; a plain loop, ~0.1 s for 100k 384-dimensional rows (`findIndex` is 6× slower). */
function firstNonFinite(values: Float32Array): number {
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i]!)) return i;
  return -1;
}
