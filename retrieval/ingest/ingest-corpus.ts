import { stat } from 'node:fs/promises';
import type { Config } from '../config.js';
import { IndexCorruptError, IndexMismatchError, InputError, throwIfAborted } from '../errors.js';
import { chunkDocument, prepareChunker } from '../chunk/chunk-document.js';
import { sameStamp, type FileStamp } from '../corpus/file-stamp.js';
import { loadCorpus, type KnownDocument, type LoadedCorpus } from '../corpus/load-corpus.js';
import { EMBEDDINGS_DISABLED_REASON, type EmbedderChoice } from '../embed/open-embedder.js';
import { LexicalIndex } from '../index/lexical-index.js';
import { ParallelLexicalBuild } from '../index/parallel-lexical-build.js';
import { closeIndex, discardGeneration, generationFiles, openSavedGeneration, readIndexChecking, openVectorIndex, removePartialGenerations, replaceManifest, saveIndex, stageGeneration, type GenerationWriter, type LoadedIndexData, type StagedGeneration } from '../index/index-files.js';
import { DocumentStore, type DocumentRows, type StoredChunk } from '../index/document-store.js';
import { withIndexLock } from '../index/index-lock.js';
import { INDEX_FORMAT_VERSION, termAnalysisOf, type EmbedderInfo, type Manifest, type ManifestDraft } from '../index/manifest.js';
import type { Embedder } from '../embed/embedder.js';
import { inEmbeddingOrder } from '../embed/length-order.js';
import { VectorIndex } from '../index/vector-index.js';
import { TERM_ANALYSIS_VERSION } from '../text/term-analysis.js';
import type { RetrievalMode, SourceDocument } from '../types.js';

/**
 * The share of deleted elements past which an updated HNSW graph is built again from the stored vectors instead:
 * deleted elements keep their memory and are still walked by searches, and inserting around them slowly loosens the
 * graph. Below it, an update inserts only the new vectors (a rebuild of 100k vectors takes minutes on two cores).
 */
export const VECTOR_REBUILD_DELETED_SHARE = 0.2;

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
  /** Whether the new generation was made from the previous one by changing only the changed documents' rows (false: built from scratch). */
  readonly incremental: boolean;
  /** What became of the HNSW graph: given only the changed vectors, built again from every stored vector, or neither (lexical, or nothing written). */
  readonly vectorIndex: 'updated' | 'rebuilt' | null;
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

/** The previous index's documents with the hashes and stamps of their files, for `loadCorpus` to skip unchanged files. */
function knownDocuments(previous: Manifest | null): Map<string, KnownDocument> {
  const known = new Map<string, KnownDocument>();
  for (const entry of previous?.documents ?? []) if (entry.file) known.set(entry.id, { hash: entry.hash, stamp: entry.file });
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

/**
 * Looks over the corpus with the previous index's manifest while that index's databases are checked against it (the
 * check reads them whole: 185 MB at 100k chunks), then opens it. No index yet, or one that cannot be read: it is built
 * from the corpus, which is never touched, every file read.
 */
async function loadPreviousAndCorpus(config: Config, options: { rehash: boolean; signal: AbortSignal }): Promise<{ previous: LoadedIndexData | null; corpus: LoadedCorpus }> {
  const checking = await readIndexChecking(config.indexDir).catch(() => null);
  const opening = checking ? checking.opened.catch(() => null) : Promise.resolve(null);
  const scan = (known: ReadonlyMap<string, KnownDocument> | undefined) => loadCorpus({ dir: config.corpusDir, signal: options.signal, known });
  let corpus: LoadedCorpus;
  try {
    corpus = await scan(options.rehash ? undefined : knownDocuments(checking?.manifest ?? null));
  } catch (error) {
    const previous = await opening;
    if (previous) closeIndex(previous);
    throw error;
  }
  const previous = await opening;
  // Files trusted by the stamps of a damaged index must be read after all: they are built from scratch.
  if (checking && !previous && !options.rehash) corpus = await scan(undefined);
  return { previous, corpus };
}

/**
 * Opens the previous generation's vector index: null when it has none, 'damaged' when it does not load. `loadIndex`
 * does not open it, so without this check an index whose HNSW files are damaged would be reported as up to date, and
 * `openPipeline`'s advice to run `npm run ingest` would never repair it. A damaged vector index is rebuilt from the
 * cached vectors, which the document store keeps. A loaded one is handed on, so a caller about to serve it need not
 * read it again.
 */
async function openPreviousVectorIndex(previous: LoadedIndexData, ef: number): Promise<VectorIndex | null | 'damaged'> {
  const built = previous.manifest.embedder;
  if (!built || previous.manifest.chunkCount === 0) return null;
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
  // The index is not opened again only to be closed.
  return (await ingest(options, { keep: false })).report;
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
 *
 * When the previous generation was built with the same chunking, term analysis and embedder, the new one is made
 * from it: its databases are copied and only the rows of added, changed and removed documents are deleted or
 * inserted, and only the new chunks are embedded. Otherwise everything is built again from the documents (those not
 * read this time come from the previous generation's store) and stored vectors are reused where the embedder is the
 * same. Either way the new generation is complete before `CURRENT` names it.
 */
export async function ingestAndKeepIndex(options: IngestOptions): Promise<IngestedIndex> {
  const { report, index, vectorIndex } = await ingest(options, { keep: true });
  return { report, index: index!, ...(vectorIndex !== undefined ? { vectorIndex } : {}) };
}

async function ingest(options: IngestOptions, handBack: { keep: boolean }): Promise<{ report: IngestReport; index: LoadedIndexData | null; vectorIndex?: VectorIndex | null }> {
  const { config } = options;
  return withIndexLock(config.indexDir, { waitMs: options.lockWaitMs }, async (lockLost) => {
    // A lost lock stops the ingest like a cancel does; withIndexLock then reports the loss.
    const signal = options.signal ? AbortSignal.any([options.signal, lockLost]) : lockLost;
    const t0 = now();
    const progress = options.onProgress ?? (() => {});
    // Holding the lock, no other save is under way: what a killed or failed one left is garbage, and its space may be
    // exactly what this ingest needs.
    await removePartialGenerations(config.indexDir);
    const { previous, corpus } = await loadPreviousAndCorpus(config, { rehash: options.rehash === true, signal });
    // The previous index stays open only if it is handed back as current; otherwise it is closed here.
    let servingPrevious = false;
    // The new generation's folder with the previous databases copied in, while they are being copied; removed here
    // unless the save takes it over.
    let staged: Promise<StagedGeneration> | null = null;
    let stagedSaving = false;
    // A full build's BM25 index, built on a second thread as the chunks are made (closed here if the ingest fails first).
    let lexicalBuild: ParallelLexicalBuild | null = null;
    try {
      const documentCount = corpus.documents.length + corpus.unchanged.length;
      progress({ phase: 'load', done: documentCount, total: documentCount });
      const tLoad = now();
      const previousDocs = new Map(previous?.manifest.documents.map((d) => [d.id, d]) ?? []);
      if (documentCount === 0 && previousDocs.size > 0) {
        // An emptied or wrongly mounted folder must not silently wipe a good index.
        throw new InputError(
          `the corpus folder ${config.corpusDir} has no documents to index (${corpus.skipped.length} skipped): refusing to replace the index of ${previousDocs.size} documents at ${config.indexDir} with an empty one; delete that folder first if an empty index is what you want`,
          { code: 'EMPTY_CORPUS' },
        );
      }
      const settingsKept = previous !== null && sameSettings(previous.manifest, config);

      const wanted = config.disableEmbeddings ? null : config.modelId;
      const previousModel = previous?.manifest.embedder?.modelId ?? null;
      // Read documents whose bytes are what the previous index holds are unchanged too (a touched file, say).
      const changedOrNew = corpus.documents.filter((d) => previousDocs.get(d.id)?.hash !== d.hash);
      const currentIds = new Set([...corpus.unchanged, ...corpus.documents.map((d) => d.id)]);
      const removed = [...previousDocs.keys()].filter((id) => !currentIds.has(id));

      // BM25 terms made by another term analysis are rebuilt from the stored chunks; their vectors are kept.
      const termsStale = previous !== null && termAnalysisOf(previous.manifest) !== TERM_ANALYSIS_VERSION;
      // Only an otherwise unchanged index needs its vector index checked: any change rebuilds or updates it anyway.
      const unchanged = previous !== null && settingsKept && !termsStale && changedOrNew.length === 0 && removed.length === 0;
      const previousVectors = unchanged ? await openPreviousVectorIndex(previous, config.hnswEf) : null;
      const vectorIndexOk = previousVectors !== 'damaged';
      // The model is opened when something must be embedded, or to retry a model that was missing last time.
      const needsModelCheck = changedOrNew.length > 0 || removed.length > 0 || termsStale || wanted !== previousModel || !vectorIndexOk || !settingsKept;
      // LangChain's splitter loads while the model does.
      if (changedOrNew.length > 0) prepareChunker();
      const choice: EmbedderChoice | null = needsModelCheck ? await options.openEmbedder() : null;
      const embedder = choice?.embedder ?? null;
      const sameEmbedder = (embedder?.id ?? null) === (previous?.manifest.embedder?.id ?? null);

      const upToDate = unchanged && vectorIndexOk && (choice === null || sameEmbedder);
      if (upToDate) {
        const report: IngestReport = {
          indexDir: config.indexDir,
          mode: previous.manifest.embedder ? 'hybrid' : 'lexical',
          // This run's reason, not the stored one: an index built while the model was missing is now lexical by choice.
          lexicalReason: choice ? choice.lexicalReason : config.disableEmbeddings ? EMBEDDINGS_DISABLED_REASON : previous.manifest.lexicalReason,
          documents: documentCount,
          chunks: previous.manifest.chunkCount,
          added: [],
          changed: [],
          removed: [],
          unchanged: documentCount,
          confirmedByStamp: corpus.unchanged.length,
          incremental: false,
          vectorIndex: null,
          embeddedChunks: 0,
          skipped: corpus.skipped,
          wrote: false,
          timingsMs: { load: tLoad - t0, split: 0, embed: 0, index: 0, save: 0, total: now() - t0 },
        };
        // Files read this time (not trusted by stamp) get their new stamps recorded, so the next run need not read them.
        const restamped = restampedManifest(previous.manifest, corpus.stamps);
        if (restamped) await replaceManifest(previous.generationDir, restamped);
        if (!handBack.keep) return { report, index: null };
        servingPrevious = true;
        return { report, index: restamped ? { ...previous, manifest: restamped } : previous, vectorIndex: previousVectors };
      }

      // From the previous generation when it was made the same way: only the changed documents' rows move. Its
      // databases are copied (and synced) into the new generation while the changed documents are chunked and embedded.
      const incremental = previous !== null && settingsKept && !termsStale && sameEmbedder;
      if (incremental) {
        staged = stageGeneration(config.indexDir, previous);
        // Awaited by the save, or by the clean-up when the save is not reached.
        staged.catch(() => {});
      }
      // Likewise the previous HNSW graph (and LangChain's store around it) loads while documents are chunked and embedded.
      const previousVectorIndex = incremental && embedder ? openPreviousVectorIndex(previous, config.hnswEf) : null;
      previousVectorIndex?.catch(() => {});
      const changedIds = new Set(changedOrNew.map((d) => d.id));
      const readById = new Map(corpus.documents.map((d) => [d.id, d]));
      const toChunk: SourceDocument[] = incremental
        ? changedOrNew
        : [...currentIds].sort().map((id) => readById.get(id) ?? previous!.store.document(id)!);

      const rowsByDoc = new Map<string, StoredChunk[]>();
      let nextRow = incremental ? previous.store.nextRow : 0;
      if (!incremental) lexicalBuild ??= ParallelLexicalBuild.start();
      let split = 0;
      for (const doc of toChunk) {
        throwIfAborted(signal);
        // Unchanged documents keep their chunks when the chunking is the same (a rebuild for new terms, say).
        const kept = !changedIds.has(doc.id) && settingsKept ? previous!.store.chunksOf(doc.id) : null;
        const chunks = kept ?? (await chunkDocument(doc, { chunkSize: config.chunkSize, chunkOverlap: config.chunkOverlap }));
        const rows = chunks.map((chunk) => ({ row: nextRow++, chunk }));
        rowsByDoc.set(doc.id, rows);
        lexicalBuild?.add(rows);
        progress({ phase: 'split', done: ++split, total: toChunk.length });
      }
      const tSplit = now();

      // Embed only what has no stored vector of the same embedder.
      const vectorsByDoc = new Map<string, Float32Array[]>();
      let embeddedChunks = 0;
      if (embedder) {
        const reuse = previous !== null && previous.manifest.embedder?.id === embedder.id;
        const stale: { docId: string; index: number; text: string }[] = [];
        for (const [docId, rows] of rowsByDoc) {
          const vectors: Float32Array[] = new Array(rows.length);
          vectorsByDoc.set(docId, vectors);
          rows.forEach(({ chunk }, index) => {
            const stored = reuse && !changedIds.has(docId) ? previous!.store.vectorOf(chunk.id, embedder.dimension) : undefined;
            if (stored) vectors[index] = stored;
            else stale.push({ docId, index, text: chunk.text });
          });
        }
        // Longest first, so that each batch pads its texts to nearly their own length (length-order.ts).
        const pending = await inEmbeddingOrder(embedder, stale, (item) => item.text, { signal });
        // A batch for each embedding worker per call (pooled-embedder.ts), so that all of them have one.
        const batch = Math.max(1, config.embedBatchSize) * config.embedWorkers;
        for (let b = 0; b < pending.length; b += batch) {
          throwIfAborted(signal);
          const items = pending.slice(b, b + batch);
          const embedded = await embedder.embed(
            items.map((item) => item.text),
            { signal },
          );
          items.forEach((item, j) => (vectorsByDoc.get(item.docId)![item.index] = Float32Array.from(embedded[j]!)));
          embeddedChunks += items.length;
          progress({ phase: 'embed', done: embeddedChunks, total: pending.length });
        }
      }
      const tEmbed = now();

      // Building the indexes happens while the save writes the generation; its share is reported as the index stage.
      let indexMs = 0;
      const timed = async <T>(work: () => Promise<T>): Promise<T> => {
        const start = now();
        try {
          return await work();
        } finally {
          indexMs += now() - start;
        }
      };
      const documentRows = function* (): IterableIterator<DocumentRows> {
        for (const doc of toChunk) yield { document: doc, chunks: rowsByDoc.get(doc.id)!, ...(embedder ? { vectors: vectorsByDoc.get(doc.id)! } : {}) };
      };
      const newChunks = [...rowsByDoc.values()].flat();
      const goneDocs = incremental ? [...removed, ...changedOrNew.filter((d) => previousDocs.has(d.id)).map((d) => d.id)] : [];
      const goneRows = incremental ? previous.store.chunkRowsOf(goneDocs) : [];
      const before = incremental ? generationFiles(previous.generationDir) : null;
      // A patched database starts as a copy of the previous one: at least its size is written.
      const previousBytes = async (file: string | undefined) => (file ? (await stat(file)).size : 0);
      // A full build's BM25 index is finished (its last batches analysed on this thread, merged and written on its own)
      // while the document store is written, and the lexical writer waits for it.
      let lexicalFinished: Promise<unknown> | null = null;
      const documentsWriter: GenerationWriter = {
        bytesAtLeast: (await previousBytes(before?.documents)) + toChunk.reduce((sum, d) => sum + d.text.length, 0),
        write: async (files) => {
          if (before) return new Map([[files.documents, await DocumentStore.patch(files.documents, { remove: goneDocs, add: documentRows() }, { signal })]]);
          lexicalFinished = timed(() => lexicalBuild!.finish(files.lexical, { signal }));
          // Awaited by the lexical writer, unless the store fails first: the build thread is then stopped before the save
          // removes the generation, so that it writes nothing into it afterwards.
          lexicalFinished.catch(() => undefined);
          try {
            await DocumentStore.create(files.documents, documentRows(), { signal });
          } catch (error) {
            await lexicalBuild!.close();
            throw error;
          }
        },
      };
      const lexicalWriter: GenerationWriter = {
        bytesAtLeast: (await previousBytes(before?.lexical)) + newChunks.reduce((sum, c) => sum + c.chunk.text.length, 0),
        write: async (files) => {
          if (before) return new Map([[files.lexical, await timed(() => LexicalIndex.patch(files.lexical, { removeRows: goneRows.map((r) => r.row), add: newChunks }, { signal }))]]);
          await lexicalFinished;
        },
      };
      // The chunks the new generation holds: the previous ones but those of gone documents, and the new ones.
      const chunkCount = (incremental ? previous.manifest.chunkCount - goneRows.length : 0) + newChunks.length;
      // The previous vector index updated in place (deleted vectors marked, new ones inserted) while deleted elements
      // stay a small share of it; otherwise built again from the new generation's stored vectors.
      const updatedVectorIndex = async (): Promise<VectorIndex | null> => {
        if (!previousVectorIndex) return null;
        const opened = await previousVectorIndex;
        if (!(opened instanceof VectorIndex)) return null;
        const add = [...rowsByDoc].flatMap(([docId, rows]) => rows.map(({ chunk }, i) => ({ id: chunk.id, vector: vectorsByDoc.get(docId)![i]! })));
        await opened.update({ remove: goneRows.map((r) => r.id), add }, { signal });
        return opened.deletedShare <= VECTOR_REBUILD_DELETED_SHARE ? opened : null;
      };
      const rebuiltVectorIndex = async (documentsFile: string, dimension: number): Promise<VectorIndex | null> => {
        const store = DocumentStore.open(documentsFile);
        try {
          const rows = [...store.vectors(dimension)];
          if (rows.length === 0) return null;
          const vectors = new Float32Array(rows.length * dimension);
          rows.forEach((r, i) => vectors.set(r.vector, i * dimension));
          return await VectorIndex.build({ vectors, ids: rows.map((r) => r.id), dimension, M: config.hnswM, efConstruction: config.hnswEfConstruction, ef: config.hnswEf, signal });
        } finally {
          store.close();
        }
      };
      let vectorIndexWritten: IngestReport['vectorIndex'] = null;
      const vectorWriter: GenerationWriter | null = embedder
        ? {
            bytesAtLeast: VectorIndex.bytesAtLeast({ count: chunkCount, dimension: embedder.dimension, M: config.hnswM }),
            write: async (files) => {
              const updated = await timed(updatedVectorIndex);
              const vectorIndex = updated ?? (await timed(() => rebuiltVectorIndex(files.documents, embedder.dimension)));
              if (!vectorIndex) return;
              vectorIndexWritten = updated ? 'updated' : 'rebuilt';
              progress({ phase: 'index', done: vectorIndex.size, total: vectorIndex.size });
              await vectorIndex.save(files.vectorDir);
            },
          }
        : null;

      const chunkCounts = new Map([...rowsByDoc].map(([id, rows]) => [id, rows.length]));
      const chunkedById = new Map(toChunk.map((d) => [d.id, d]));
      const builtAt = new Date().toISOString();
      const draft: ManifestDraft = {
        formatVersion: INDEX_FORMAT_VERSION,
        builtAt,
        embedder: embedder ? embedderInfo(embedder, config.modelId) : null,
        lexicalReason: embedder ? null : (choice?.lexicalReason ?? 'no embedder'),
        chunking: { chunkSize: config.chunkSize, chunkOverlap: config.chunkOverlap },
        hnsw: { M: config.hnswM, efConstruction: config.hnswEfConstruction },
        documents: [...currentIds].sort().map((id) => {
          const doc = chunkedById.get(id);
          const known = previousDocs.get(id);
          const file = corpus.stamps.get(id);
          const bytes = corpus.sizes.get(id) ?? known?.bytes;
          // First indexed: kept while the file changes in place; a new id (a new or renamed file) is added now.
          const addedAt = known ? known.addedAt : builtAt;
          if (!doc) return { ...known!, file, bytes, addedAt };
          return { id, title: doc.title, hash: doc.hash, length: doc.text.length, chunks: chunkCounts.get(id) ?? 0, file, bytes, addedAt };
        }),
        chunkCount,
        termAnalysis: TERM_ANALYSIS_VERSION,
      };
      throwIfAborted(signal);
      stagedSaving = true;
      const saved = await saveIndex(config.indexDir, draft, [documentsWriter, lexicalWriter, ...(vectorWriter ? [vectorWriter] : [])], { signal, ...(staged ? { staged } : {}) });
      const written = handBack.keep ? openSavedGeneration(saved) : null;
      progress({ phase: 'save', done: 1, total: 1 });
      const tSave = now();

      const added = [...changedIds].filter((id) => !previousDocs.has(id));
      const changed = [...changedIds].filter((id) => previousDocs.has(id));
      const report: IngestReport = {
        indexDir: config.indexDir,
        mode: embedder ? 'hybrid' : 'lexical',
        lexicalReason: saved.manifest.lexicalReason,
        documents: documentCount,
        chunks: saved.manifest.chunkCount,
        added,
        changed,
        removed,
        unchanged: documentCount - added.length - changed.length,
        confirmedByStamp: corpus.unchanged.length,
        incremental,
        vectorIndex: vectorIndexWritten,
        embeddedChunks,
        skipped: corpus.skipped,
        wrote: true,
        timingsMs: {
          load: tLoad - t0,
          split: tSplit - tLoad,
          embed: tEmbed - tSplit,
          index: indexMs,
          save: tSave - tEmbed - indexMs,
          total: tSave - t0,
        },
      };
      return { report, index: written };
    } finally {
      await lexicalBuild?.close();
      if (staged && !stagedSaving) await discardGeneration(staged);
      if (!servingPrevious && previous) closeIndex(previous);
    }
  });
}
