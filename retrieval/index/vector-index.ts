/**
 * Approximate nearest-neighbour search over chunk embeddings: LangChain's `HNSWLib` store, built and loaded so that
 * the HNSW parameters are the ones configured.
 *
 * `HNSWLib` on its own never passes M / efConstruction to hnswlib (its `initIndex` uses the library defaults, and
 * re-initialises any index that is still empty), never sets the search-time `ef` (hnswlib's default of 10 loses
 * recall), and adds documents through a docstore whose `add` is quadratic in the batch size. So `build` creates and
 * fills the `HierarchicalNSW` itself and hands it, with a ready docstore, to `HNSWLib`; `ef` is set after every build
 * and load. Files on disk are what `HNSWLib.save` writes (`hnswlib.index`, `args.json`, `docstore.json`) and the labels
 * of deleted vectors (`deleted-labels.json`, see `update`).
 */
import { open, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { HNSWLib } from '@langchain/community/vectorstores/hnswlib';
import type { SynchronousInMemoryDocstore } from '@langchain/community/stores/doc/in_memory';
import type { EmbeddingsInterface } from '@langchain/core/embeddings';
import type { HierarchicalNSW } from 'hnswlib-node';
import { ConfigError, IndexCorruptError, IndexMismatchError, throwIfAborted } from '../errors.js';

/** The files `save` writes into its folder. */
export const VECTOR_INDEX_FILES = { index: 'hnswlib.index', args: 'args.json', docstore: 'docstore.json', deleted: 'deleted-labels.json' } as const;

/** One search result. */
export interface VectorHit {
  /** The chunk id given to `build` for this vector. */
  readonly id: string;
  /** Cosine similarity to the query, in [-1, 1]; higher is closer. */
  readonly score: number;
}

/** Options of `VectorIndex.build`. */
export interface BuildVectorIndexOptions {
  /**
   * Row i is the embedding of `ids[i]`: either one array per row, or all rows back to back in one Float32Array
   * (how the index stores cached vectors, so a rebuild needs no copy).
   */
  readonly vectors: Float32Array | readonly (readonly number[])[];
  /** Chunk ids, unique, in the same order as `vectors`. */
  readonly ids: readonly string[];
  /** Vector length; every row must have it. */
  readonly dimension: number;
  /** Graph degree: higher gives better recall for more memory and build time (config `hnswM`). */
  readonly M: number;
  /** Candidate list size while building: higher gives a better graph, built more slowly (config `hnswEfConstruction`). */
  readonly efConstruction: number;
  /** Candidate list size while searching; must be ≥ the k asked for to find k good hits (config `hnswEf`). */
  readonly ef: number;
  /** Lets LangChain callers search by text through `store`; our own `search` takes vectors and never needs it. @default an implementation that throws */
  readonly embeddings?: EmbeddingsInterface;
  /** Seed for level assignment, so the same input always builds the same graph. @default 100 */
  readonly randomSeed?: number;
  /** Checked between blocks of insertions; building a large index takes seconds. */
  readonly signal?: AbortSignal;
}

/** Options of `VectorIndex.load`. */
export interface LoadVectorIndexOptions {
  /** Candidate list size while searching; hnswlib does not save it, so it is set again on every load (config `hnswEf`). */
  readonly ef: number;
  /** The current embedder's vector length; a different one means the index was built by another model. @default whatever the files say */
  readonly dimension?: number;
  /** As in `BuildVectorIndexOptions.embeddings`. @default an implementation that throws */
  readonly embeddings?: EmbeddingsInterface;
}

/** Insertions between yields to the event loop (and abort checks) during `build`. */
const BUILD_BLOCK = 1024;
/** hnswlib's on-disk header: six size_t, int, uint32, three size_t, double, size_t. */
const HEADER_BYTES = 96;

/** A cosine-similarity HNSW index from chunk ids to their embeddings. */
export class VectorIndex {
  /** The LangChain store, for callers that want LangChain APIs (e.g. `asRetriever` with real `embeddings`). */
  readonly store: HNSWLib;
  /** Vector length. */
  readonly dimension: number;
  /** Graph degree the index was built with (read back from the index file after a load). */
  readonly M: number;
  /** Build-time candidate list size the index was built with (read back from the index file after a load). */
  readonly efConstruction: number;
  /** Chunk id by label; labels of deleted vectors have none. Labels are given in order, so the next one is the graph's element count. */
  private readonly ids: (string | undefined)[];
  private readonly labelById: Map<string, number>;
  private live: number;

  private readonly langchain: LangchainParts;

  private constructor(parts: { store: HNSWLib; langchain: LangchainParts; ids: (string | undefined)[]; dimension: number; M: number; efConstruction: number }) {
    this.store = parts.store;
    this.langchain = parts.langchain;
    this.ids = parts.ids;
    this.labelById = new Map();
    parts.ids.forEach((id, label) => {
      if (id !== undefined) this.labelById.set(id, label);
    });
    this.live = this.labelById.size;
    this.dimension = parts.dimension;
    this.M = parts.M;
    this.efConstruction = parts.efConstruction;
  }

  /** Number of vectors indexed (deleted ones not counted). */
  get size(): number {
    return this.live;
  }

  /** The share of the graph's elements that are deleted: they still cost memory and search time until a rebuild. */
  get deletedShare(): number {
    const elements = this.ids.length;
    return elements === 0 ? 0 : (elements - this.live) / elements;
  }

  /**
   * Marks the vectors of these chunk ids deleted (hnswlib's `markDelete`: searches skip them, the graph keeps its
   * links) and adds `add` under new labels, growing the graph's capacity as needed: an update costs the changed
   * vectors' insertions, not a rebuild. Ids not in the index are ignored.
   * @throws RangeError when an added id is already in the index, or a vector does not have the index's dimension.
   */
  async update(change: { readonly remove: readonly string[]; readonly add: readonly { readonly id: string; readonly vector: Float32Array }[] }, options: { signal?: AbortSignal } = {}): Promise<void> {
    const index = this.store.index;
    const docstore = this.store.docstore as SynchronousInMemoryDocstore;
    for (const id of change.remove) {
      const label = this.labelById.get(id);
      if (label === undefined) continue;
      index.markDelete(label);
      docstore._docs.delete(String(label));
      this.labelById.delete(id);
      this.ids[label] = undefined;
      this.live--;
    }
    const needed = this.ids.length + change.add.length;
    if (needed > index.getMaxElements()) index.resizeIndex(needed);
    const row = new Array<number>(this.dimension).fill(0);
    for (const [i, { id, vector }] of change.add.entries()) {
      if (this.labelById.has(id)) throw new RangeError(`chunk id ${id} is already in the vector index`);
      if (vector.length !== this.dimension) throw new RangeError(`vector of ${id} has length ${vector.length}, expected ${this.dimension}`);
      copyRow(row, vector, 0, `vector of ${id}`);
      const label = this.ids.length;
      index.addPoint(row, label);
      this.ids.push(id);
      this.labelById.set(id, label);
      docstore._docs.set(String(label), new this.langchain.Document({ pageContent: '', metadata: {}, id }));
      this.live++;
      if (i % BUILD_BLOCK === BUILD_BLOCK - 1) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        throwIfAborted(options.signal);
      }
    }
  }

  /**
   * The least `save` writes, in bytes: hnswlib's header, level-0 links and vector and label per element, each
   * element's link-list length, and the ids (the upper levels' links come on top). For saying how much room a save
   * needs when it does not get it.
   */
  get savedBytesAtLeast(): number {
    return VectorIndex.bytesAtLeast({ count: this.ids.length, dimension: this.dimension, M: this.M }) + this.ids.reduce((sum, id) => sum + (id === undefined ? 0 : Buffer.byteLength(id)), 0);
  }

  /** The least `save` writes for `count` vectors, ids aside (see `savedBytesAtLeast`), before the index is built. */
  static bytesAtLeast(shape: { readonly count: number; readonly dimension: number; readonly M: number }): number {
    const bytesPerElement = 2 * shape.M * 4 + 4 + shape.dimension * 4 + 8;
    return HEADER_BYTES + shape.count * (bytesPerElement + 4);
  }

  /** The search-time candidate list size in effect. */
  get ef(): number {
    return this.store.index.getEf();
  }

  /**
   * Builds the index from vectors already computed (ingest caches them, so rebuilding after a corpus change embeds
   * nothing again). Allocates the graph once for all vectors. Insertion is single-threaded and dominated by
   * efConstruction: on this project's 2-core machine, 2k 64-dim vectors take ~0.3 s and 10k 384-dim ~14 s at M=16, efConstruction=200.
   * @throws ConfigError for out-of-range HNSW parameters; RangeError for vectors that do not match `ids` or `dimension`.
   */
  static async build(options: BuildVectorIndexOptions): Promise<VectorIndex> {
    const { ids, dimension, M, efConstruction, ef, vectors } = options;
    validateParams({ dimension, M, efConstruction, ef });
    const count = ids.length;
    const rows = vectors instanceof Float32Array ? vectors.length / dimension : vectors.length;
    if (rows !== count) throw new RangeError(`got ${rows} vectors of dimension ${dimension} for ${count} ids`);
    if (new Set(ids).size !== count) throw new RangeError('chunk ids must be unique');

    const langchain = await langchainParts();
    const { HierarchicalNSW } = await langchain.HNSWLib.imports();
    const index = new HierarchicalNSW('cosine', dimension);
    // Capacity for every vector up front: growing the graph later means copying it.
    index.initIndex({ maxElements: Math.max(count, 1), m: M, efConstruction, randomSeed: options.randomSeed ?? 100 });
    const docs = new Map<string, InstanceType<LangchainParts['Document']>>();
    // hnswlib-node only accepts plain arrays; one reused row avoids an allocation per vector.
    const row = new Array<number>(dimension).fill(0);
    for (let i = 0; i < count; i += 1) {
      if (vectors instanceof Float32Array) {
        copyRow(row, vectors, i * dimension, `vector ${i} (${ids[i]})`);
      } else {
        const source = vectors[i]!;
        if (source.length !== dimension) throw new RangeError(`vector ${i} (${ids[i]}) has length ${source.length}, expected ${dimension}`);
        copyRow(row, source, 0, `vector ${i} (${ids[i]})`);
      }
      index.addPoint(row, i);
      docs.set(String(i), new langchain.Document({ pageContent: '', metadata: {}, id: ids[i] }));
      if (i % BUILD_BLOCK === BUILD_BLOCK - 1) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        throwIfAborted(options.signal);
      }
    }
    index.setEf(ef);
    const store = createStore(langchain, index, dimension, new langchain.SynchronousInMemoryDocstore(docs), options.embeddings);
    return new VectorIndex({ store, langchain, ids: [...ids], dimension, M, efConstruction });
  }

  /**
   * Loads an index written by `save`, checking every file first: a missing, truncated or inconsistent file is an
   * error naming that file, never an empty index.
   * @throws IndexCorruptError naming the unreadable file.
   * @throws IndexMismatchError when `dimension` differs from the stored vectors'.
   */
  static async load(dir: string, options: LoadVectorIndexOptions): Promise<VectorIndex> {
    validateParams({ ef: options.ef });
    const argsFile = path.join(dir, VECTOR_INDEX_FILES.args);
    const docstoreFile = path.join(dir, VECTOR_INDEX_FILES.docstore);
    const indexFile = path.join(dir, VECTOR_INDEX_FILES.index);

    const args = parseArgs(argsFile, await readJson(argsFile));
    if (options.dimension !== undefined && options.dimension !== args.numDimensions) {
      throw new IndexMismatchError(`the vector index at ${dir} holds ${args.numDimensions}-dimensional vectors but the embedder makes ${options.dimension}-dimensional ones: run \`npm run ingest\` to rebuild it`);
    }
    const header = await readHeader(indexFile, args.numDimensions);
    const deletedFile = path.join(dir, VECTOR_INDEX_FILES.deleted);
    const deleted = await readJson(deletedFile);
    const ids = parseDocstore(docstoreFile, await readJson(docstoreFile), header.count, { file: deletedFile, value: deleted });
    const labels = ids.flatMap((id, label) => (id === undefined ? [] : [label]));

    const langchain = await langchainParts();
    const { HierarchicalNSW } = await langchain.HNSWLib.imports();
    const index = new HierarchicalNSW('cosine', args.numDimensions);
    try {
      await index.readIndex(indexFile);
    } catch (error) {
      throw new IndexCorruptError(indexFile, error instanceof Error ? error.message : String(error), { cause: error });
    }
    if (index.getCurrentCount() !== ids.length) throw new IndexCorruptError(indexFile, `holds ${index.getCurrentCount()} vectors, ${docstoreFile} labels for ${ids.length}`);
    index.setEf(options.ef);
    const docstore = new langchain.SynchronousInMemoryDocstore(new Map(labels.map((label) => [String(label), new langchain.Document({ pageContent: '', metadata: {}, id: ids[label]! })])));
    const store = createStore(langchain, index, args.numDimensions, docstore, options.embeddings);
    return new VectorIndex({ store, langchain, ids, dimension: args.numDimensions, M: header.M, efConstruction: header.efConstruction });
  }

  /**
   * The `k` nearest chunks to `query`, best first. Asks hnswlib for at most `size` results (more makes it warn).
   * @throws IndexMismatchError when `query` has the wrong length.
   */
  search(query: readonly number[], k: number): VectorHit[] {
    if (query.length !== this.dimension) throw new IndexMismatchError(`query vector has length ${query.length} but the vector index holds ${this.dimension}-dimensional vectors: was it embedded with another model?`);
    const wanted = Math.min(Math.floor(k), this.size);
    if (wanted < 1) return [];
    const { neighbors, distances } = this.store.index.searchKnn(Array.from(query), wanted);
    // hnswlib's cosine space returns 1 - cosine similarity; float32 rounding can step just past ±1.
    return neighbors.flatMap((label, i) => {
      const id = this.ids[label];
      return id === undefined ? [] : [{ id, score: Math.max(-1, Math.min(1, 1 - distances[i]!)) }];
    });
  }

  /**
   * Writes the three index files into `dir` (created if needed), overwriting files of the same name. Not atomic:
   * write into a fresh folder and switch to it, as the index generations do.
   * @throws Error when hnswlib's file came out short: hnswlib reports no write errors, so a full disk would
   * otherwise leave a truncated index that only fails when it is next loaded.
   */
  async save(dir: string): Promise<void> {
    await this.store.save(dir);
    await assertWrittenWhole(path.join(dir, VECTOR_INDEX_FILES.index), this.dimension);
    const deleted = this.ids.flatMap((id, label) => (id === undefined ? [label] : []));
    await writeFile(path.join(dir, VECTOR_INDEX_FILES.deleted), JSON.stringify(deleted));
  }
}

/**
 * LangChain's parts the store is made of, imported when a vector index is first built or loaded: with LangChain's
 * core they take about a second to import, which a lexical index (and every process that never searches vectors)
 * need not pay.
 */
async function langchainParts() {
  const [{ HNSWLib }, { SynchronousInMemoryDocstore }, { Document }, { Embeddings }] = await Promise.all([
    import('@langchain/community/vectorstores/hnswlib'),
    import('@langchain/community/stores/doc/in_memory'),
    import('@langchain/core/documents'),
    import('@langchain/core/embeddings'),
  ]);
  return { HNSWLib, SynchronousInMemoryDocstore, Document, Embeddings };
}

type LangchainParts = Awaited<ReturnType<typeof langchainParts>>;

/**
 * Copies one vector, from `offset` in `source`, into the plain-array row hnswlib-node takes (reused: no allocation per
 * vector), refusing a non-finite value. `name` names the vector in the error.
 */
function copyRow(row: number[], source: ArrayLike<number>, offset: number, name: string): void {
  for (let j = 0; j < row.length; j += 1) row[j] = source[offset + j]!;
  if (!row.every(Number.isFinite)) throw new RangeError(`${name} has a non-finite value`);
}

function createStore(langchain: LangchainParts, index: HierarchicalNSW, dimension: number, docstore: SynchronousInMemoryDocstore, embeddings: EmbeddingsInterface | undefined): HNSWLib {
  const store = new langchain.HNSWLib(embeddings ?? vectorsOnly(langchain.Embeddings), { space: 'cosine', numDimensions: dimension, index, docstore });
  // HNSWLib keeps its constructor args for args.json; drop the index and docstore so only the settings are written.
  store.args = { space: 'cosine', numDimensions: dimension };
  return store;
}

function validateParams(params: { dimension?: number; M?: number; efConstruction?: number; ef: number }): void {
  const checks: [string, number | undefined, number][] = [
    ['dimension', params.dimension, 1],
    ['HNSW M', params.M, 2],
    ['HNSW efConstruction', params.efConstruction, 1],
    ['HNSW ef', params.ef, 1],
  ];
  for (const [name, value, min] of checks) {
    if (value !== undefined && (!Number.isInteger(value) || value < min)) throw new ConfigError(`${name} must be an integer ≥ ${min}, got ${value}`);
  }
}

async function readJson(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new IndexCorruptError(file, (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : String(error), { cause: error });
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new IndexCorruptError(file, text.length === 0 ? 'empty' : `not valid JSON (${text.length} bytes; truncated?)`, { cause: error });
  }
}

function parseArgs(file: string, value: unknown): { numDimensions: number } {
  const args = value as { space?: unknown; numDimensions?: unknown } | null;
  if (typeof args !== 'object' || args === null || args.space !== 'cosine' || !Number.isInteger(args.numDimensions) || (args.numDimensions as number) < 1) {
    throw new IndexCorruptError(file, 'expected {"space":"cosine","numDimensions":<positive integer>}');
  }
  return { numDimensions: args.numDimensions as number };
}

/**
 * Chunk ids by label, for labels 0..count-1: every label is either in the docstore or listed as deleted (marked so in
 * hnswlib's file by `markDelete`), never both, never neither.
 */
function parseDocstore(file: string, value: unknown, count: number, deleted: { file: string; value: unknown }): (string | undefined)[] {
  if (!Array.isArray(value)) throw new IndexCorruptError(file, 'expected an array of [label, document] pairs');
  const deletedLabels = deleted.value;
  if (!Array.isArray(deletedLabels) || !deletedLabels.every((label) => Number.isInteger(label) && label >= 0 && label < count)) {
    throw new IndexCorruptError(deleted.file, `expected an array of labels below ${count}`);
  }
  if (value.length + deletedLabels.length !== count) {
    throw new IndexCorruptError(file, `holds ${value.length} entries and ${deletedLabels.length} deleted labels but ${VECTOR_INDEX_FILES.index} holds ${count} vectors`);
  }
  const ids = new Array<string | undefined>(count).fill(undefined);
  const isDeleted = new Set<number>(deletedLabels as number[]);
  const seen = new Set<string>();
  for (const entry of value as unknown[]) {
    const [label, doc] = Array.isArray(entry) ? (entry as unknown[]) : [];
    const index = typeof label === 'string' && /^\d+$/.test(label) ? Number(label) : -1;
    const id = (doc as { id?: unknown } | null)?.id;
    if (index < 0 || index >= count || ids[index] !== undefined || isDeleted.has(index) || typeof id !== 'string' || seen.has(id)) {
      throw new IndexCorruptError(file, `bad entry ${JSON.stringify(entry)?.slice(0, 80)}`);
    }
    ids[index] = id;
    seen.add(id);
  }
  return ids;
}

/**
 * Reads hnswlib's header and checks it against the file size and `dimension` before hnswlib sees the file:
 * hnswlib happily reads an index of another dimension, and a garbled count could make it allocate without bound.
 */
async function readHeader(file: string, dimension: number): Promise<{ count: number; M: number; efConstruction: number; bytesPerElement: number; size: number }> {
  let size: number;
  const header = Buffer.alloc(HEADER_BYTES);
  try {
    size = (await stat(file)).size;
    const handle = await open(file, 'r');
    try {
      await handle.read(header, 0, Math.min(HEADER_BYTES, size), 0);
    } finally {
      await handle.close();
    }
  } catch (error) {
    throw new IndexCorruptError(file, (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : String(error), { cause: error });
  }
  if (size < HEADER_BYTES) throw new IndexCorruptError(file, size === 0 ? 'empty' : `truncated (${size} bytes, shorter than its header)`);
  const sizeT = (offset: number): number => Number(header.readBigUInt64LE(offset));
  const count = sizeT(16);
  const bytesPerElement = sizeT(24);
  const labelOffset = sizeT(32);
  const dataOffset = sizeT(40);
  const M = sizeT(72);
  const efConstruction = sizeT(88);
  if (labelOffset - dataOffset !== dimension * 4) {
    throw new IndexCorruptError(file, `stores ${(labelOffset - dataOffset) / 4}-dimensional vectors but ${VECTOR_INDEX_FILES.args} says ${dimension}`);
  }
  // hnswlib trusts these fields: a damaged entry point, level or degree loads without complaint and then crashes the
  // process (SIGSEGV / abort) on the first search. Each is fixed by M and the dimension, so check them all.
  const maxLevel = header.readInt32LE(48);
  const entryPoint = header.readUInt32LE(52);
  const maxM = sizeT(56);
  const maxM0 = sizeT(64);
  const mult = header.readDoubleLE(80);
  const consistent =
    sizeT(0) === 0 &&
    sizeT(8) >= count &&
    M >= 2 &&
    maxM === M &&
    maxM0 === 2 * M &&
    dataOffset === maxM0 * 4 + 4 &&
    bytesPerElement === labelOffset + 8 &&
    Math.abs(mult - 1 / Math.log(M)) < 1e-9 &&
    (count === 0 || (maxLevel >= 0 && maxLevel <= 64 && entryPoint < count));
  if (!consistent) throw new IndexCorruptError(file, 'inconsistent header (damaged file)');
  // Level-0 data for every element plus a 4-byte link-list size each is the least a complete file holds.
  const minimum = HEADER_BYTES + count * (bytesPerElement + 4);
  if (!Number.isSafeInteger(minimum) || size < minimum) throw new IndexCorruptError(file, `truncated (${size} bytes, at least ${minimum} expected for ${count} vectors)`);
  return { count, M, efConstruction, bytesPerElement, size };
}

/**
 * Checks that an index file hnswlib has just written is all there: after the header and the level-0 data come one
 * length-prefixed link list per element, and the file must end exactly after the last. Reads only that tail (about
 * 4 bytes per element plus the upper levels' links).
 */
async function assertWrittenWhole(file: string, dimension: number): Promise<void> {
  let header: Awaited<ReturnType<typeof readHeader>>;
  try {
    header = await readHeader(file, dimension);
  } catch (error) {
    throw new Error(`hnswlib wrote an incomplete ${file} (${error instanceof Error ? error.message : String(error)})`, { cause: error });
  }
  const start = HEADER_BYTES + header.count * header.bytesPerElement;
  const tail = Buffer.alloc(header.size - start);
  const handle = await open(file, 'r');
  try {
    await handle.read(tail, 0, tail.length, start);
  } finally {
    await handle.close();
  }
  let at = 0;
  let lists = 0;
  for (; lists < header.count && at + 4 <= tail.length; lists++) at += 4 + tail.readUInt32LE(at);
  if (lists < header.count || at !== tail.length) {
    throw new Error(`hnswlib wrote an incomplete ${file} (${header.size} bytes, its link lists end at ${start + at})`);
  }
}

/** Stands in for `Embeddings` when the caller only searches by vector, and says so if text search is attempted. */
function vectorsOnly(Embeddings: LangchainParts['Embeddings']): EmbeddingsInterface {
  class VectorsOnly extends Embeddings {
    constructor() {
      super({});
    }

    override embedDocuments(): Promise<number[][]> {
      return Promise.reject(new Error('this vector index was opened without embeddings: pass `embeddings` to VectorIndex.build/load to search by text'));
    }

    override embedQuery(): Promise<number[]> {
      return this.embedDocuments().then(() => []);
    }
  }
  return new VectorsOnly();
}
