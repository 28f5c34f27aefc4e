import type { Config } from './config.js';
import { IndexMismatchError, IndexWriteError } from './errors.js';
import type { Answerer } from './answer/answerer.js';
import { configuredAnswerWeights } from './answer/answer-weights.js';
import { createExtractiveAnswerer } from './answer/extractive-answerer.js';
import { loadReader } from './answer/load-reader.js';
import { createGenerativeAnswerer } from './generate/generative-answerer.js';
import { openConfiguredGenerator } from './generate/open-generator.js';
import type { Logger } from './logger.js';
import { CachingEmbedder } from './embed/caching-embedder.js';
import { EMBEDDINGS_DISABLED_REASON, openEmbedder, type EmbedderChoice } from './embed/open-embedder.js';
import type { FetchEvent } from './models/fetch-model.js';
import { closeIndex, loadGeneration, loadIndex, openVectorIndex, readManifest, type LoadedIndexData } from './index/index-files.js';
import { termAnalysisOf } from './index/manifest.js';
import type { VectorIndex } from './index/vector-index.js';
import { ingestAndKeepIndex, type IngestedIndex, type IngestProgress, type IngestReport } from './ingest/ingest-corpus.js';
import { createPipeline, type Pipeline } from './pipeline.js';
import { TERM_ANALYSIS_VERSION } from './text/term-analysis.js';

/** Options of `openPipeline`. */
export interface OpenPipelineOptions {
  readonly config: Config;
  /** Bring the index up to date with the corpus first (as `npm start` does). @default false */
  readonly ingest?: boolean;
  /**
   * When that ingest cannot write its new index (a full disk: IndexWriteError) and an index exists, serve the
   * previous one and hand the error back in `ingestError` instead of failing: for a server, answering from the last
   * good index beats not starting. Off for measurements, which must not run on a stale index.
   * @default false
   */
  readonly fallBackToLastGoodIndex?: boolean;
  readonly onProgress?: (progress: IngestProgress) => void;
  /** Progress of fetching a missing catalog model on first use. */
  readonly onFetch?: (event: FetchEvent) => void;
  /** Replaces the default extractive answerer. */
  readonly answerer?: Answerer;
  /** Replaces loading the configured model (tests pass a tiny real model here). */
  readonly openEmbedder?: (config: Config) => Promise<EmbedderChoice>;
  readonly signal?: AbortSignal;
  /** Serve this generation folder instead of the one `CURRENT` names (answering workers serve the server's). */
  readonly generationDir?: string;
  /**
   * `generationDir` was just checked against its manifest by the process handing it over (the server, for its
   * answering workers): open it without reading and checksumming every file again. @default false
   */
  readonly generationChecked?: boolean;
  /** Generated answers this pipeline may write at once (ANSWERER=generative; a worker thread takes several). @default 1 */
  readonly generatorConcurrency?: number;
  /**
   * Make sure a local generator is fetched and describe it in the status, without loading it: for the server's
   * thread, whose worker threads answer. @default false
   */
  readonly describeGeneratorOnly?: boolean;
  /** Gets the generative answerer's fallback lines. */
  readonly logger?: Logger;
}

/** A ready pipeline and, when it ran, the ingest report. */
export interface OpenedPipeline {
  readonly pipeline: Pipeline;
  readonly ingest: IngestReport | null;
  /** Why the ingest asked for could not write its new index, when the previous one is served instead. */
  readonly ingestError: IndexWriteError | null;
}

/**
 * The one place that wires Verbatim: config → embedder (once, on demand) → index → reader (when configured) → answerer
 * (extractive, or generative over the configured generator with the extractive one as its fallback) → pipeline.
 * An index is only queried with the embedder that built it; a different model is a clear error.
 */
export async function openPipeline(options: OpenPipelineOptions): Promise<OpenedPipeline> {
  const { config } = options;
  const opened: { choice: Promise<EmbedderChoice> | null } = { choice: null };
  const getEmbedder = () => (opened.choice ??= (options.openEmbedder ?? ((c: Config) => openEmbedder(c, { signal: options.signal, onFetch: options.onFetch })))(config));

  let ingested: IngestedIndex | null = null;
  let ingestError: IndexWriteError | null = null;
  if (options.ingest) {
    try {
      ingested = await ingestAndKeepIndex({ config, openEmbedder: getEmbedder, onProgress: options.onProgress, signal: options.signal });
    } catch (error) {
      // A failed save removed what it wrote and left the previous generation current; without one, there is nothing to serve.
      if (!options.fallBackToLastGoodIndex || !(error instanceof IndexWriteError) || (await readManifest(config.indexDir).catch(() => null)) === null) throw error;
      ingestError = error;
    }
  }
  const report = ingested?.report ?? null;
  // Ingest has just read and checked (or written) the whole index: serve that instead of reading it again.
  const index = ingested?.index ?? (options.generationDir ? await loadGeneration(options.generationDir, { checked: options.generationChecked ?? false }) : await loadIndex(config.indexDir));
  try {
    return { pipeline: await servePipeline(index, ingested?.vectorIndex ?? null, options, getEmbedder, opened), ingest: report, ingestError };
  } catch (error) {
    closeIndex(index);
    throw error;
  }
}

/**
 * The embedder, vector index and answerer for a loaded index, checked against it, in a pipeline.
 * `openedVectors` is its vector index when ingest has already opened it.
 */
async function servePipeline(
  index: LoadedIndexData,
  openedVectors: VectorIndex | null,
  options: OpenPipelineOptions,
  getEmbedder: () => Promise<EmbedderChoice>,
  opened: { readonly choice: Promise<EmbedderChoice> | null },
): Promise<Pipeline> {
  const { config } = options;
  const terms = termAnalysisOf(index.manifest);
  if (terms !== TERM_ANALYSIS_VERSION) {
    throw new IndexMismatchError(
      `the BM25 terms of the index at ${config.indexDir} were made by term analysis version ${terms}, but this Verbatim makes version ${TERM_ANALYSIS_VERSION}: run \`npm run ingest\` to re-index them (stored vectors are kept)`,
    );
  }
  const built = index.manifest.embedder;

  let embedderChoice: EmbedderChoice;
  if (!built) {
    // Vectors were never built: do not start a model the index cannot use. The reason shown is this run's (a model
    // ingest just tried, or embeddings turned off), before the one stored when the index was built.
    const loaded = opened.choice ? await opened.choice : null;
    if (loaded?.embedder) {
      await loaded.embedder.dispose();
      embedderChoice = { embedder: null, lexicalReason: `the index at ${config.indexDir} was built without vectors: run \`npm run ingest\` to add them` };
    } else {
      const reason = loaded?.lexicalReason ?? (config.disableEmbeddings ? EMBEDDINGS_DISABLED_REASON : index.manifest.lexicalReason);
      embedderChoice = { embedder: null, lexicalReason: reason ?? 'the index has no vectors' };
    }
  } else if (config.disableEmbeddings) {
    embedderChoice = { embedder: null, lexicalReason: EMBEDDINGS_DISABLED_REASON };
  } else {
    if (built.modelId !== config.modelId) {
      throw new IndexMismatchError(
        `the index at ${config.indexDir} was built with embedding model ${built.modelId}, but ${config.modelId} is configured: run \`npm run ingest\` to rebuild it, or set EMBEDDING_MODEL=${built.modelId}`,
      );
    }
    embedderChoice = await getEmbedder();
    if (embedderChoice.embedder && embedderChoice.embedder.id !== built.id) {
      const id = embedderChoice.embedder.id;
      await embedderChoice.embedder.dispose();
      throw new IndexMismatchError(`the index at ${config.indexDir} was built with embedder ${built.id}, but the loaded one is ${id}: run \`npm run ingest\` to rebuild it`);
    }
  }

  const vectors = embedderChoice.embedder && built && index.manifest.chunkCount > 0
    ? (openedVectors ?? (await openVectorIndex(index, { ef: config.hnswEf, dimension: built.dimension, checked: options.generationChecked ?? false })))
    : null;
  // A reader is asked for by name (READER_MODEL), so one that cannot be loaded is an error, not a silent fallback.
  const reader = !options.answerer && config.readerModelId
    ? await loadReader({ modelId: config.readerModelId, modelDir: config.modelDir, allowRemoteModels: config.allowRemoteModels, remoteHost: config.remoteHost, signal: options.signal }).catch(async (error: unknown) => {
        await embedderChoice.embedder?.dispose();
        throw error;
      })
    : null;
  const extractive = options.answerer ?? createExtractiveAnswerer({ answerWeights: configuredAnswerWeights(config), ...(reader ? { reader } : {}) });
  const generator = !options.answerer && config.answerer === 'generative'
    ? await openConfiguredGenerator(config, { concurrent: options.generatorConcurrency ?? 1, ...(options.describeGeneratorOnly ? { describeOnly: true } : {}), ...(options.onFetch ? { onFetch: options.onFetch } : {}), ...(options.signal ? { signal: options.signal } : {}) }).catch(async (error: unknown) => {
        await embedderChoice.embedder?.dispose();
        await reader?.dispose();
        throw error;
      })
    : null;
  const answerer = generator
    ? createGenerativeAnswerer({ generator, fallback: extractive, maxTokens: config.generatorMaxTokens, maxPassages: config.generatorPassages, passageSentences: config.generatorPassageSentences, timeoutMs: config.generatorTimeoutMs, ...(options.logger ? { logger: options.logger } : {}) })
    : extractive;
  const { embedder } = embedderChoice;
  const askTimeEmbedder = embedder && config.embedCacheEntries > 0 ? new CachingEmbedder(embedder, config.embedCacheEntries) : embedder;
  return createPipeline({ config, index, vectors, embedder: askTimeEmbedder, lexicalReason: embedderChoice.lexicalReason, answerer, reader, ...(generator && 'dispose' in generator ? { generator } : {}) });
}
