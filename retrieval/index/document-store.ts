import fs from 'node:fs/promises';
import Database from 'better-sqlite3';
import { LRUCache } from 'lru-cache';
import { IndexCorruptError, throwIfAborted } from '../errors.js';
import { patchTracked, type ByteRange } from './tracked-patch.js';
import type { Chunk, DocumentHeading, DocumentPage, SourceDocument } from '../types.js';

/**
 * The documents, chunks and cached vectors of one index generation, in one SQLite file (`documents.sqlite`), read
 * on demand: serving opens it read-only and reads a document's text only when an answer or a citation needs it, so
 * start-up parses nothing but the manifest and memory does not grow with the corpus (at 100k chunks the JSON it
 * replaced was 65 MB to parse in every process that served). A chunk is a row whose number is also its row in the
 * BM25 index and its label in the HNSW graph, so a change touches only the rows of the documents it changes.
 *
 * A new generation's store is a copy of the previous one with those rows deleted and inserted (`DocumentStore.patch`):
 * the previous generation's file is never written, so a crash leaves it serving.
 */
const SCHEMA = `
  CREATE TABLE documents (id TEXT PRIMARY KEY, hash TEXT NOT NULL, title TEXT NOT NULL, text TEXT NOT NULL, headings TEXT, pages TEXT) WITHOUT ROWID;
  CREATE TABLE chunks (row INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, doc_id TEXT NOT NULL, start INTEGER NOT NULL, end INTEGER NOT NULL, heading TEXT, vector BLOB);
  CREATE INDEX chunks_by_document ON chunks (doc_id, start);
`;

/** Documents an open store keeps parsed, most recently used first: an answer reads a handful, a page of citations a few more. */
const DOCUMENT_CACHE_ENTRIES = 64;

/** A chunk with its row: the row is shared by the BM25 index and the vector index. */
export interface StoredChunk {
  readonly row: number;
  readonly chunk: Chunk;
}

/** What `patch` and `create` write: documents with their chunks (and, in hybrid indexes, one vector per chunk). */
export interface DocumentRows {
  readonly document: SourceDocument;
  readonly chunks: readonly StoredChunk[];
  /** Row-aligned with `chunks`; absent in lexical indexes. */
  readonly vectors?: readonly Float32Array[];
}

interface DocumentRow {
  id: string;
  hash: string;
  title: string;
  text: string;
  headings: string | null;
  pages: string | null;
}

/** The columns of a `ChunkRow`. */
const CHUNK_COLUMNS = 'row, id, doc_id, start, end, heading';

interface ChunkRow {
  row: number;
  id: string;
  doc_id: string;
  start: number;
  end: number;
  heading: string | null;
}

/** The documents, chunks and vectors of one generation. Open one with `DocumentStore.open`; write one with `create` or `patch`. */
export class DocumentStore {
  private readonly cache = new LRUCache<string, SourceDocument>({ max: DOCUMENT_CACHE_ENTRIES });
  private readonly documentById: Database.Statement<[string], DocumentRow>;
  private readonly chunkById: Database.Statement<[string], ChunkRow>;
  private readonly chunksByDocument: Database.Statement<[string], ChunkRow>;
  private readonly chunkRowsByDocument: Database.Statement<[string], { row: number; id: string }>;
  private readonly vectorById: Database.Statement<[string], { vector: Buffer | null }>;
  /** Chunks in the table. */
  readonly chunkCount: number;
  /** Documents in the table. */
  readonly documentCount: number;
  /** The next free row: rows are never reused within a chain of patched generations. */
  readonly nextRow: number;

  private constructor(
    private readonly db: Database.Database,
    private readonly file: string,
  ) {
    this.documentById = db.prepare('SELECT id, hash, title, text, headings, pages FROM documents WHERE id = ?');
    this.chunkById = db.prepare(`SELECT ${CHUNK_COLUMNS} FROM chunks WHERE id = ?`);
    // Prepared once: a rebuild that reuses stored vectors asks for one per chunk.
    this.chunksByDocument = db.prepare(`SELECT ${CHUNK_COLUMNS} FROM chunks WHERE doc_id = ? ORDER BY start, end`);
    this.chunkRowsByDocument = db.prepare('SELECT row, id FROM chunks WHERE doc_id = ?');
    this.vectorById = db.prepare('SELECT vector FROM chunks WHERE id = ?');
    const counts = db.prepare('SELECT (SELECT count(*) FROM chunks) AS chunks, (SELECT count(*) FROM documents) AS documents, (SELECT coalesce(max(row), -1) + 1 FROM chunks) AS next').get() as {
      chunks: number;
      documents: number;
      next: number;
    };
    this.chunkCount = counts.chunks;
    this.documentCount = counts.documents;
    this.nextRow = counts.next;
  }

  /**
   * Opens a store file read-only.
   * @throws IndexCorruptError naming `file` when it is missing or not such a store.
   */
  static open(file: string): DocumentStore {
    let db: Database.Database | undefined;
    try {
      db = new Database(file, { readonly: true, fileMustExist: true });
      return new DocumentStore(db, file);
    } catch (error) {
      db?.close();
      const reason = (error as NodeJS.ErrnoException).code === 'SQLITE_CANTOPEN' ? 'missing' : (error as Error).message;
      throw new IndexCorruptError(file, reason, { cause: error });
    }
  }

  /** Writes a new store at `file` holding exactly `rows`, in batches that yield to the event loop. */
  static async create(file: string, rows: Iterable<DocumentRows>, options: { signal?: AbortSignal } = {}): Promise<void> {
    await fs.rm(file, { force: true });
    const db = openForWriting(file);
    try {
      db.exec(SCHEMA);
      await insertInBatches(db, rows, options.signal);
    } finally {
      db.close();
    }
  }

  /**
   * Changes the store at `file`, a copy of the previous generation's, into this generation's: without the documents
   * `remove` names (and their chunks and vectors), with `add` inserted. The cost is that of the changed rows, not of
   * the corpus. Returns the byte ranges of the file that changed, for its checksum (`patchTracked`).
   */
  static async patch(file: string, change: { readonly remove: readonly string[]; readonly add: Iterable<DocumentRows> }, options: { signal?: AbortSignal } = {}): Promise<ByteRange[]> {
    return patchTracked(file, async (db) => {
      const removeChunks = db.prepare('DELETE FROM chunks WHERE doc_id = ?');
      const removeDocument = db.prepare('DELETE FROM documents WHERE id = ?');
      db.transaction(() => {
        for (const id of change.remove) {
          removeChunks.run(id);
          removeDocument.run(id);
        }
      })();
      await insertInBatches(db, change.add, options.signal);
    });
  }

  /** The document with this id, or undefined; parsed once and kept while it is among the recently used. */
  document(id: string): SourceDocument | undefined {
    const cached = this.cache.get(id);
    if (cached) return cached;
    const row = this.documentById.get(id);
    if (!row) return undefined;
    const document: SourceDocument = {
      id: row.id,
      title: row.title,
      text: row.text,
      hash: row.hash,
      ...(row.headings ? { headings: this.parse<DocumentHeading[]>(row.headings, id) } : {}),
      ...(row.pages ? { pages: this.parse<DocumentPage[]>(row.pages, id) } : {}),
    };
    this.cache.set(id, document);
    return document;
  }

  /** The chunk with this id (`docId#start-end`), with its text, or undefined. */
  chunk(id: string): Chunk | undefined {
    return this.storedChunk(id)?.chunk;
  }

  /** The chunk with this id and its row, or undefined. */
  storedChunk(id: string): StoredChunk | undefined {
    const row = this.chunkById.get(id);
    if (!row) return undefined;
    const text = this.document(row.doc_id)?.text;
    if (text === undefined || !(row.start >= 0 && row.start <= row.end && row.end <= text.length)) {
      throw new IndexCorruptError(this.file, `chunk ${id} does not fit its document`);
    }
    return { row: row.row, chunk: chunkOf(row, text) };
  }

  /** The chunks of a document, in order, with their text; null when the store does not hold the document. */
  chunksOf(docId: string): Chunk[] | null {
    const text = this.document(docId)?.text;
    if (text === undefined) return null;
    return this.chunksByDocument.all(docId).map((row) => chunkOf(row, text));
  }

  /** The stored vector of a chunk, or undefined when it has none (or not of this length). */
  vectorOf(id: string, dimension: number): Float32Array | undefined {
    const vector = this.vectorById.get(id)?.vector;
    if (!vector || vector.byteLength !== dimension * 4) return undefined;
    return vectorOfBlob(vector);
  }

  /**
   * How many pages each document with pages (a PDF) has, by id: one query that reads no document's text (a library
   * listing of 16k documents would otherwise read them all).
   */
  pageCounts(): Map<string, number> {
    const rows = this.db.prepare<[], { id: string; pages: number }>('SELECT id, json_array_length(pages) AS pages FROM documents WHERE pages IS NOT NULL').all();
    return new Map(rows.map(({ id, pages }) => [id, pages]));
  }

  /** The rows and ids of the chunks of these documents. */
  chunkRowsOf(docIds: readonly string[]): { row: number; id: string }[] {
    return docIds.flatMap((id) => this.chunkRowsByDocument.all(id));
  }

  /** Every chunk with its row, in row order (the order of `vectors`). */
  *allChunks(): IterableIterator<StoredChunk> {
    for (const row of this.db.prepare<[], ChunkRow>(`SELECT ${CHUNK_COLUMNS} FROM chunks ORDER BY row`).iterate()) {
      yield { row: row.row, chunk: chunkOf(row, this.document(row.doc_id)?.text ?? '') };
    }
  }

  /** Every cached vector with its row and chunk id, in row order; rows stored without one are left out. */
  *vectors(dimension: number): IterableIterator<{ row: number; id: string; vector: Float32Array }> {
    for (const { row, id, vector } of this.db.prepare<[], { row: number; id: string; vector: Buffer | null }>('SELECT row, id, vector FROM chunks ORDER BY row').iterate()) {
      if (!vector) continue;
      if (vector.byteLength !== dimension * 4) throw new IndexCorruptError(this.file, `chunk ${id} has a ${vector.byteLength / 4}-dimensional vector, expected ${dimension}`);
      yield { row, id, vector: vectorOfBlob(vector) };
    }
  }

  /** Releases the database; reads after this throw. */
  close(): void {
    if (this.db.open) this.db.close();
  }

  private parse<T>(json: string, id: string): T {
    try {
      return JSON.parse(json) as T;
    } catch (error) {
      throw new IndexCorruptError(this.file, `the stored layout of ${id} is not valid JSON`, { cause: error });
    }
  }
}

/**
 * Opens a database file of a generation being written. It is written once and made durable by the save's own sync,
 * and a save that fails removes the whole generation: no journal is needed.
 */
export function openForWriting(file: string): Database.Database {
  const db = new Database(file);
  db.pragma('journal_mode = OFF');
  db.pragma('synchronous = OFF');
  return db;
}

/** A stored vector as its own Float32Array (a copy: the blob's buffer may be shared and unaligned). */
function vectorOfBlob(blob: Buffer): Float32Array {
  return new Float32Array(blob.buffer.slice(blob.byteOffset, blob.byteOffset + blob.byteLength));
}

/** A stored chunk row as a chunk of `text`, its document's text. */
function chunkOf(row: ChunkRow, text: string): Chunk {
  return { id: row.id, docId: row.doc_id, start: row.start, end: row.end, heading: row.heading, text: text.slice(row.start, row.end) };
}

/** Rows inserted per transaction; between transactions the event loop runs (timers such as the index lock's refresh). */
const INSERT_BATCH_ROWS = 2000;

async function insertInBatches(db: Database.Database, rows: Iterable<DocumentRows>, signal: AbortSignal | undefined): Promise<void> {
  const addDocument = db.prepare('INSERT INTO documents (id, hash, title, text, headings, pages) VALUES (?, ?, ?, ?, ?, ?)');
  const addChunk = db.prepare('INSERT INTO chunks (row, id, doc_id, start, end, heading, vector) VALUES (?, ?, ?, ?, ?, ?, ?)');
  const insert = db.transaction((batch: readonly DocumentRows[]) => {
    for (const { document: d, chunks, vectors } of batch) {
      addDocument.run(d.id, d.hash, d.title, d.text, d.headings ? JSON.stringify(d.headings) : null, d.pages ? JSON.stringify(d.pages) : null);
      chunks.forEach(({ row, chunk }, i) => {
        const vector = vectors?.[i];
        addChunk.run(row, chunk.id, chunk.docId, chunk.start, chunk.end, chunk.heading, vector ? Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength) : null);
      });
    }
  });
  let batch: DocumentRows[] = [];
  let batchRows = 0;
  for (const entry of rows) {
    batch.push(entry);
    batchRows += 1 + entry.chunks.length;
    if (batchRows >= INSERT_BATCH_ROWS) {
      throwIfAborted(signal);
      insert(batch);
      batch = [];
      batchRows = 0;
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  throwIfAborted(signal);
  if (batch.length > 0) insert(batch);
}
