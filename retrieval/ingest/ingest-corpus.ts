import path from 'node:path';
import type { Config } from '../config.js';
import { IndexCorruptError, IndexMismatchError, InputError, throwIfAborted } from '../errors.js';
import { chunkDocument } from '../chunk/chunk-document.js';
import { sameStamp, type FileStamp } from '../corpus/file-stamp.js';
import { loadCorpus, type KnownDocument } from '../corpus/load-corpus.js';
import { EMBEDDINGS_DISABLED_REASON, type EmbedderChoice } from '../embed/open-embedder.js';
import { LexicalIndex } from '../index/lexical-index.js';
import { loadIndex, openVectorIndex, readManifest, removePartialGenerations, replaceManifest, saveIndex, type LoadedIndexData } from '../index/index-files.js';
import { withIndexLock } from '../index/index-lock.js';
import { INDEX_FORMAT_VERSION, termAnalysisOf, type EmbedderInfo, type Manifest, type ManifestDraft } from '../index/manifest.js';
import type { Embedder } from '../embed/embedder.js';
import { inEmbeddingOrder } from '../embed/length-order.js';
import { VectorIndex } from '../index/vector-index.js';
import { TERM_ANALYSIS_VERSION } from '../text/term-analysis.js';
import type { Chunk, RetrievalMode, SourceDocument } from '../types.js';

/** Progress of one ingest, for a progress bar. */
export interface IngestProgress {
  readonly phase: 'load' | 'split' | 'embed' | 'index' | 'save';
  /** Documents or chunks done in this phase. */
  readonly done: number;
  readonly total: number;
}

/** What one ingest did. */
export interface IngestReport {
  readonly indexDir: string;
  readonly mode: RetrievalMode;
  /** Why there are no vectors, in lexical mode. */
  readonly lexicalReason: string | null;
  readonly documents: number;
  readonly chunks: number;
  readonly added: readonly string[];
  readonly changed: readonly string[];
  readonly removed: readonly string[];
  readonly unchanged: number;
  /** Documents confirmed unchanged by their file's size, times and inode alone: not read, not hashed. */
  readonly confirmedByStamp: number;
  /** Chunks sent through the embedding model in this run. */
  readonly embeddedChunks: number;
  /** Files not ingested, with the reason. */
  readonly skipped: readonly { readonly path: string; readonly reason: string }[];
  /** False when the index was already up to date and nothing was written. */
  readonly wrote: boolean;
  readonly timingsMs: { readonly load: number; readonly split: number; readonly embed: number; readonly index: number; readonly save: number; readonly total: number };
}

/** Options of `ingestCorpus`. */
export interface IngestOptions {
  readonly config: Config;
  /**
   * Loads the embedder on demand; not called when nothing needs embedding, so an up-to-date
   * index is confirmed without starting the model.
   */
  readonly openEmbedder: () => Promise<EmbedderChoice>;
  readonly onProgress?: (progress: IngestProgress) => void;
  /** How long a second ingest waits for the lock before refusing. @default 3000 */
  readonly lockWaitMs?: number;
  /** Read and hash every file, trusting no file's stamp (size, times, inode). @default false */
  readonly rehash?: boolean;
  readonly signal?: AbortSignal;
}

/** The manifest with `stamps` as its documents' file stamps, or null when it already records exactly those. */
function restampedManifest(manifest: Manifest, stamps: ReadonlyMap<string, FileStamp>): Manifest | null {
  const same = (a: FileStamp | undefined, b: FileStamp | undefined) => a === b || (a !== undefined && b !== undefined && sameStamp(a, b));
  if (manifest.documents.every((d) => same(d.file, stamps.get(d.id)))) return null;
  return { ...manifest, documents: manifest.documents.map((d) => ({ ...d, file: stamps.get(d.id) })) };
}

/** The previous index's documents with the stamps of their files, for `loadCorpus` to skip unchanged files. */
function knownDocuments(previous: LoadedIndexData | null): Map<string, KnownDocument> {
  const known = new Map<string, KnownDocument>();
  if (!previous) return known;
  const byId = new Map(previous.documents.map((d) => [d.id, d]));
  for (const entry of previous.manifest.documents) {
    const document = byId.get(entry.id);
    if (entry.file && document?.hash === entry.hash) known.set(entry.id, { document, stamp: entry.file });
  }
  return known;
}

/** What the manifest records of the embedder that built the vectors. */
function embedderInfo(embedder: Embedder, modelId: string): EmbedderInfo {
  const { model } = embedder;
  const identity = model ? { onnxSha256: model.onnxSha256, dtype: model.dtype, pooling: model.pooling, source: model.source } : {};
  return { id: embedder.id, modelId, dimension: embedder.dimension, ...identity };
}

function sameSettings(manifest: Manifest, config: Config): boolean {
  return (
    manifest.chunking.chunkSize === config.chunkSize &&
    manifest.chunking.chunkOverlap === config.chunkOverlap &&
    manifest.hnsw.M === config.hnswM &&
    manifest.hnsw.efConstruction === config.hnswEfConstruction
  );
}

async function loadPrevious(indexDir: string): Promise<LoadedIndexData | null> {
  // A previous index that cannot be read is rebuilt from the corpus, which is never touched.
  try {
    return (await readManifest(indexDir)) ? await loadIndex(indexDir) : null;
  } catch {
    return null;
  }
}

/**
 * Opens the previous generation's vector index: null when it has none, 'damaged' when it does not load. `loadIndex`
 * does not open it, so without this check an index whose HNSW files are damaged would be reported as up to date, and
 * `openPipeline`'s advice to run `npm run ingest` would never repair it. A damaged vector index is rebuilt from the
 * cached vectors, which `loadIndex` has checked. A loaded one is handed on, so a caller about to serve it need not
 * read it again.
 */
async function openPreviousVectorIndex(previous: LoadedIndexData, ef: number): Promise<VectorIndex | null | 'damaged'> {
  const built = previous.manifest.embedder;
  if (!built || previous.chunks.length === 0) return null;
  try {
    return await openVectorIndex(previous, { ef, dimension: built.dimension });
  } catch (error) {
    if (error instanceof IndexCorruptError || error instanceof IndexMismatchError) return 'damaged';
    throw error;
  }
}

const now = () => performance.now();

/**
 * Brings the index of `config.corpusDir` at `config.indexDir` up to date: new and changed documents are
 * chunked and embedded, removed ones dropped, unchanged ones reused with their stored vectors.
 * Holds the index lock throughout and switches to the new index atomically.
 */
export async function ingestCorpus(options: IngestOptions): Promise<IngestReport> {
  const { report, index } = await ingestAndKeepIndex(options);
  index.lexical.close();
  return report;
}

/** What `ingestAndKeepIndex` hands back. */
export interface IngestedIndex {
  readonly report: IngestReport;
  /** The index as it now stands: the one written, or the one found up to date (already read and checked). */
  readonly index: LoadedIndexData;
  /** Its vector index, when the up-to-date check already opened it (at the configured ef). */
  readonly vectorIndex?: VectorIndex | null;
}

/**
 * `ingestCorpus`, also handing back the index as it now stands, so that a caller about to serve it need not read
 * it all again.
 */
export async function ingestAndKeepIndex(options: IngestOptions): Promise<IngestedIndex> {
  const { config } = options;
  return withIndexLock(config.indexDir, { waitMs: options.lockWaitMs }, async (lockLost) => {
    // A lost lock stops the ingest like a cancel does; withIndexLock then reports the loss.
    const signal = options.signal ? AbortSignal.any([options.signal, lockLost]) : lockLost;
    const t0 = now();
    const progress = options.onProgress ?? (() => {});
    // Holding the lock, no other save is under way: what a killed or failed one left is garbage, and its space may be
    // exactly what this ingest needs.
    await removePartialGenerations(config.indexDir);
    const previous = await loadPrevious(config.indexDir);
    // The previous index stays open only if it is handed back as current; otherwise its database is closed here.
    let servingPrevious = false;
    try {
      const corpus = await loadCorpus({ dir: config.corpusDir, signal, known: options.rehash ? undefined : knownDocuments(previous) });
      progress({ phase: 'load', done: corpus.documents.length, total: corpus.documents.length });
      const tLoad = now();
      const previousDocs = new Map(previous?.manifest.documents.map((d) => [d.id, d]) ?? []);
      if (corpus.documents.length === 0 && previousDocs.size > 0) {
        // An emptied or wrongly mounted folder must not silently wipe a good index.
        throw new InputError(
          `the corpus folder ${config.corpusDir} has no documents to index (${corpus.skipped.length} skipped): refusing to replace the index of ${previousDocs.size} documents at ${config.indexDir} with an empty one; delete that folder first if an empty index is what you want`,
          { code: 'EMPTY_CORPUS' },
        );
      }
      const settingsKept = previous !== null && sameSettings(previous.manifest, config);

      const wanted = config.disableEmbeddings ? null : config.modelId;
      const previousModel = previous?.manifest.embedder?.modelId ?? null;
      const docsToChunk = corpus.documents.filter((d) => !settingsKept || previousDocs.get(d.id)?.hash !== d.hash);
      const currentIds = new Set(corpus.documents.map((d) => d.id));
      const removed = [...previousDocs.keys()].filter((id) => !currentIds.has(id));

      // BM25 terms made by another term analysis are rebuilt from the stored chunks; their vectors are kept.
      const termsStale = previous !== null && termAnalysisOf(previous.manifest) !== TERM_ANALYSIS_VERSION;
      // Only an otherwise unchanged index needs its vector index checked: any change rebuilds it anyway.
      const unchanged = previous !== null && settingsKept && !termsStale && docsToChunk.length === 0 && removed.length === 0;
      const previousVectors = unchanged ? await openPreviousVectorIndex(previous, config.hnswEf) : null;
      const vectorIndexOk = previousVectors !== 'damaged';
      // The model is opened when something must be embedded, or to retry a model that was missing last time.
      const needsModelCheck = docsToChunk.length > 0 || removed.length > 0 || termsStale || wanted !== previousModel || !vectorIndexOk;
      const choice: EmbedderChoice | null = needsModelCheck ? await options.openEmbedder() : null;
      const embedder = choice?.embedder ?? null;
      const keepVectors = embedder !== null && previous?.manifest.embedder?.id === embedder.id && previous.vectors !== null;
      const reembedAll = embedder !== null && !keepVectors;

      const upToDate =
        unchanged &&
        vectorIndexOk &&
        (choice === null || (embedder?.id ?? null) === (previous.manifest.embedder?.id ?? null));
      if (upToDate) {
        const report: IngestReport = {
          indexDir: config.indexDir,
          mode: previous.manifest.embedder ? 'hybrid' : 'lexical',
          // This run's reason, not the stored one: an index built while the model was missing is now lexical by choice.
          lexicalReason: choice ? choice.lexicalReason : config.disableEmbeddings ? EMBEDDINGS_DISABLED_REASON : previous.manifest.lexicalReason,
          documents: corpus.documents.length,
          chunks: previous.chunks.length,
          added: [],
          changed: [],
          removed: [],
          unchanged: corpus.documents.length,
          confirmedByStamp: corpus.reused,
          embeddedChunks: 0,
          skipped: corpus.skipped,
          wrote: false,
          timingsMs: { load: tLoad - t0, split: 0, embed: 0, index: 0, save: 0, total: now() - t0 },
        };
        // Files read this time (not trusted by stamp) get their new stamps recorded, so the next run need not read them.
        const restamped = restampedManifest(previous.manifest, corpus.stamps);
        if (restamped) await replaceManifest(previous.generationDir, restamped);
        servingPrevious = true;
        return { report, index: restamped ? { ...previous, manifest: restamped } : previous, vectorIndex: previousVectors };
      }

      // Split: reuse the previous chunks of unchanged documents.
      const previousChunksByDoc = new Map<string, { chunk: Chunk; row: number }[]>();
      previous?.chunks.forEach((chunk, row) => {
        const list = previousChunksByDoc.get(chunk.docId) ?? [];
        list.push({ chunk, row });
        previousChunksByDoc.set(chunk.docId, list);
      });
      const toChunk = new Set(docsToChunk.map((d) => d.id));
      const chunks: Chunk[] = [];
      const reusedRows: (number | null)[] = [];
      let split = 0;
      for (const doc of corpus.documents) {
        throwIfAborted(signal);
        if (toChunk.has(doc.id)) {
          for (const chunk of await chunkDocument(doc, { chunkSize: config.chunkSize, chunkOverlap: config.chunkOverlap })) {
            chunks.push(chunk);
            reusedRows.push(null);
          }
        } else {
          for (const { chunk, row } of previousChunksByDoc.get(doc.id) ?? []) {
            chunks.push(chunk);
            reusedRows.push(row);
          }
        }
        progress({ phase: 'split', done: ++split, total: corpus.documents.length });
      }
      const tSplit = now();

      // Embed only what has no stored vector.
      let vectors: Float32Array | null = null;
      let embeddedChunks = 0;
      if (embedder) {
        const dim = embedder.dimension;
        vectors = new Float32Array(chunks.length * dim);
        const stale: number[] = [];
        chunks.forEach((_, i) => {
          const row = reusedRows[i];
          if (!reembedAll && row !== null && row !== undefined && previous?.vectors) vectors!.set(previous.vectors.subarray(row * dim, (row + 1) * dim), i * dim);
          else stale.push(i);
        });
        // Longest first, so that each batch pads its texts to nearly their own length (length-order.ts).
        const pending = await inEmbeddingOrder(embedder, stale, (i) => chunks[i]!.text, { signal });
        // A batch for each embedding worker per call (pooled-embedder.ts), so that all of them have one.
        const batch = Math.max(1, config.embedBatchSize) * config.embedWorkers;
        for (let b = 0; b < pending.length; b += batch) {
          throwIfAborted(signal);
          const rows = pending.slice(b, b + batch);
          const embedded = await embedder.embed(
            rows.map((i) => chunks[i]!.text),
            { signal },
          );
          rows.forEach((i, j) => vectors!.set(embedded[j]!, i * dim));
          embeddedChunks += rows.length;
          progress({ phase: 'embed', done: embeddedChunks, total: pending.length });
        }
      }
      const tEmbed = now();

      const lexical = await LexicalIndex.build(chunks, { signal });
      const vectorIndex =
        embedder && vectors && chunks.length > 0
          ? await VectorIndex.build({
              vectors,
              ids: chunks.map((c) => c.id),
              dimension: embedder.dimension,
              M: config.hnswM,
              efConstruction: config.hnswEfConstruction,
              ef: config.hnswEf,
              signal,
            })
          : null;
      progress({ phase: 'index', done: chunks.length, total: chunks.length });
      const tIndex = now();

      const chunkCounts = new Map<string, number>();
      for (const c of chunks) chunkCounts.set(c.docId, (chunkCounts.get(c.docId) ?? 0) + 1);
      const documents: readonly SourceDocument[] = corpus.documents;
      const draft: ManifestDraft = {
        formatVersion: INDEX_FORMAT_VERSION,
        builtAt: new Date().toISOString(),
        embedder: embedder ? embedderInfo(embedder, config.modelId) : null,
        lexicalReason: embedder ? null : (choice?.lexicalReason ?? 'no embedder'),
        chunking: { chunkSize: config.chunkSize, chunkOverlap: config.chunkOverlap },
        hnsw: { M: config.hnswM, efConstruction: config.hnswEfConstruction },
        documents: documents.map((d) => ({
          id: d.id,
          title: d.title,
          hash: d.hash,
          length: d.text.length,
          chunks: chunkCounts.get(d.id) ?? 0,
          file: corpus.stamps.get(d.id),
        })),
        chunkCount: chunks.length,
        termAnalysis: TERM_ANALYSIS_VERSION,
      };
      throwIfAborted(signal);
      // Built above, so that everything the save does is writing: a failure in it is a write failure, cleaned up there.
      const { generationDir, manifest } = await saveIndex(
        config.indexDir,
        { manifest: draft, documents, chunks, lexical, vectors },
        vectorIndex ? (vectorDir) => vectorIndex.save(vectorDir) : undefined,
        { signal, vectorIndexBytes: vectorIndex?.savedBytesAtLeast },
      ).catch((error: unknown) => {
        lexical.close();
        throw error;
      });
      progress({ phase: 'save', done: 1, total: 1 });
      const tSave = now();

      const added = corpus.documents.filter((d) => !previousDocs.has(d.id)).map((d) => d.id);
      const changed = corpus.documents.filter((d) => previousDocs.has(d.id) && previousDocs.get(d.id)!.hash !== d.hash).map((d) => d.id);
      const report: IngestReport = {
        indexDir: config.indexDir,
        mode: embedder ? 'hybrid' : 'lexical',
        lexicalReason: manifest.lexicalReason,
        documents: documents.length,
        chunks: chunks.length,
        added,
        changed,
        removed,
        unchanged: documents.length - added.length - changed.length,
        confirmedByStamp: corpus.reused,
        embeddedChunks,
        skipped: corpus.skipped,
        wrote: true,
        timingsMs: {
          load: tLoad - t0,
          split: tSplit - tLoad,
          embed: tEmbed - tSplit,
          index: tIndex - tEmbed,
          save: tSave - tIndex,
          total: tSave - t0,
        },
      };
      return { report, index: { manifest, documents, chunks, lexical, vectors, generationDir } };
    } finally {
      if (!servingPrevious) previous?.lexical.close();
    }
  });
}
