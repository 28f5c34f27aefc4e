/**
 * The real embedding models of the catalog, measured where they cost: embedding throughput against the raw ONNX
 * Runtime session (batch sizes, intra-op threads), a real `ingest` of XQuAD-en end to end with its peak memory, `ask`
 * latency on the seed corpus with the query embedded by the model (hybrid) next to BM25 alone (lexical), and HNSW
 * recall@10 against exact search on the model's real vectors: XQuAD's chunks, and — default model — a set of 10k or
 * 100k embedded word windows (window-text-set.ts), cached on disk. A model whose folder is missing is skipped, saying so.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Answerer } from '../retrieval/answer/answerer.js';
import { loadConfig, type Config, type ConfigInput } from '../retrieval/config.js';
import type { Embedder } from '../retrieval/embed/embedder.js';
import { openEmbedder } from '../retrieval/embed/open-embedder.js';
import { closeIndex, loadIndex } from '../retrieval/index/index-files.js';
import { ingestCorpus } from '../retrieval/ingest/ingest-corpus.js';
import { DEFAULT_EMBEDDER, type EmbedderSpec } from '../retrieval/models/model-catalog.js';
import { checkModelFolder, modelFolderPath, onnxFileFor } from '../retrieval/models/model-folder.js';
import { readSquadFile } from '../eval/squad-adapter.js';
import type { BenchCorpus } from './corpora.js';
import { cachedEmbeddings } from './embedding-cache.js';
import { benchEmbedThroughput, type EmbedSetting, type EmbedThroughputResult } from './embed-throughput-bench.js';
import { runIngestProcess, type IngestProcessResult } from './ingest-process.js';
import { benchQueries, type QueryBenchResult } from './query-bench.js';
import { loadFolderTokenizer, openRawSession, tokenizeBatches } from './raw-onnx-session.js';
import { spread, type Spread } from './stats.js';
import { compareWithExact, type ExactComparison } from './vector-index-bench.js';
import { buildWindowTextSet } from './window-text-set.js';

/** Hybrid `ask` p95 on the seed corpus with a real model, query embedding included, milliseconds. */
export const HYBRID_ASK_P95_TARGET_MS = 60;
/** Share of the raw ONNX session's throughput Verbatim's embedder must keep. */
export const THROUGHPUT_RATIO_TARGET = 0.8;

/** Options of {@link benchModels}. */
export interface ModelsBenchOptions {
  /** Default configuration: its batch size, HNSW settings and model folder are the ones measured. */
  readonly config: Config;
  /** Catalog models, default first. */
  readonly specs: readonly EmbedderSpec[];
  readonly seed: BenchCorpus;
  readonly xquad: BenchCorpus;
  /** The SQuAD file the XQuAD corpus was written from (the word windows are drawn from it). */
  readonly xquadFile: string;
  /** Repeats of every timed whole run (throughput passes, ingest processes). */
  readonly repeats: number;
  readonly batchSizes: readonly number[];
  /** Intra-op thread counts tried at the configured batch size, besides ONNX Runtime's default. */
  readonly threads: readonly number[];
  /** Chunks timed per throughput pass of the sweep: evenly spaced over the corpus's chunks (all when larger). */
  readonly sweepChunks: number;
  /** Size of the real-vector set (default model only); 0 skips it. */
  readonly realVectors: number;
  /** Held-out questions searched in the real-vector set. */
  readonly realQueries: number;
  readonly efSweep: readonly number[];
  readonly answerer: Answerer;
  readonly workDir: string;
  readonly log: (message: string) => void;
}

/** A real `ingest` repeated, next to the raw session on its chunks. */
export interface IngestThroughput {
  readonly chunks: number;
  readonly documents: number;
  /** Chunks per second of the ingest (its own total: corpus read, model load, embed, index build, save). */
  readonly ingest: Spread;
  /** Chunks per second of the process, spawn to exit (Node start-up and loading the code too). */
  readonly process: Spread;
  /** Chunks per second of `session.run` on the same chunks, configured batch size, default threads. */
  readonly raw: Spread;
  /** ingest ÷ raw, pairing each ingest with the raw pass timed next to it. */
  readonly ratio: Spread;
  /** Peak RSS of each ingest process, bytes. */
  readonly peakRss: Spread;
  /** The ingest's embed stage alone, chunks per second. */
  readonly embedStage: Spread;
}

/** HNSW against exact search on one set of real vectors. */
export interface RealVectorComparison {
  readonly name: string;
  readonly model: string;
  readonly size: number;
  readonly queries: number;
  /** How the vectors and queries were made. */
  readonly description: string;
  readonly comparison: Omit<ExactComparison, 'index' | 'ids'>;
}

/** Everything measured for one model. */
export interface ModelBenchResult {
  readonly spec: EmbedderSpec;
  /** Why the model was not measured; null when it was. */
  readonly skipped: string | null;
  readonly throughput: readonly EmbedThroughputResult[];
  readonly ingest: IngestThroughput | null;
  readonly ask: QueryBenchResult | null;
  readonly chunkVectors: RealVectorComparison | null;
}

/** The section's results. */
export interface ModelsBenchResult {
  readonly models: readonly ModelBenchResult[];
  /** BM25 alone on the seed corpus, the reference for the hybrid asks. */
  readonly lexicalAsk: QueryBenchResult;
  /** The large real-vector set (default model), when asked for. */
  readonly realSet: (RealVectorComparison & { readonly cacheDir: string; readonly embedMs: number; readonly fromCache: boolean }) | null;
  readonly batchSize: number;
}

/** Runs the section for every model that is present. */
export async function benchModels(options: ModelsBenchOptions): Promise<ModelsBenchResult> {
  const { log } = options;
  const lexicalAsk = await benchSeedAsk(options, null);
  const models: ModelBenchResult[] = [];
  for (const spec of options.specs) {
    const folder = await checkModelFolder(spec, options.config.modelDir);
    if (folder.state === 'missing' || folder.state === 'incomplete') {
      const skipped = `not in ${folder.folder} (${folder.state}): \`npm run models -- fetch ${spec.name}\``;
      log(`models: ${spec.name} skipped — ${skipped}`);
      models.push({ spec, skipped, throughput: [], ingest: null, ask: null, chunkVectors: null });
      continue;
    }
    models.push(await benchModel(options, spec));
  }
  let realSet: ModelsBenchResult['realSet'] = null;
  if (options.realVectors > 0 && models.some((m) => m.spec.modelId === DEFAULT_EMBEDDER.modelId && !m.skipped)) realSet = await benchRealSet(options);
  return { models, lexicalAsk, realSet, batchSize: options.config.embedBatchSize };
}

/** The defaults with `spec` as the embedding model (null: BM25 alone), the model folder measured, and `extra`. */
function configFor(options: ModelsBenchOptions, spec: EmbedderSpec | null, extra: Partial<ConfigInput> = {}): Config {
  return loadConfig({
    overrides: {
      modelDir: options.config.modelDir,
      modelId: spec?.modelId ?? options.config.modelId,
      allowRemoteModels: false,
      disableEmbeddings: spec === null,
      requireEmbeddings: spec !== null,
      ...extra,
    },
  });
}

async function benchModel(options: ModelsBenchOptions, spec: EmbedderSpec): Promise<ModelBenchResult> {
  const { log, config } = options;
  log(`models: ${spec.name} — ingest of ${options.xquad.name} as a process × ${options.repeats + 1} (the first is a warm-up), raw session alongside`);
  const { ingest, chunkTexts, chunkVectors: vectors } = await benchIngestThroughput(options, spec);
  log(`  ${ingest.chunks} chunks; ingest ${ingest.ingest.median.toFixed(1)} chunks/s, raw ${ingest.raw.median.toFixed(1)}, ratio ${ingest.ratio.median.toFixed(3)}, peak RSS ${(ingest.peakRss.median / 2 ** 20).toFixed(0)} MiB`);

  const sample = evenlySpaced(chunkTexts, options.sweepChunks);
  const settings: EmbedSetting[] = [
    ...options.batchSizes.map((batchSize) => ({ batchSize, threads: null })),
    ...options.threads.map((threads) => ({ batchSize: config.embedBatchSize, threads })),
  ];
  log(`models: ${spec.name} — throughput, ${sample.length} chunks, ${settings.length} settings × ${options.repeats}`);
  const throughput = await benchEmbedThroughput({ spec, modelDir: config.modelDir, texts: sample, settings, repeats: options.repeats, log });

  log(`models: ${spec.name} — ask on ${options.seed.name} (hybrid)`);
  const ask = await benchSeedAsk(options, spec);

  log(`models: ${spec.name} — HNSW on its ${options.xquad.name} chunk vectors, all ${options.xquad.name} questions as queries`);
  const questions = [...new Set(options.xquad.questions.map((q) => q.question))];
  const queryVectors = await withEmbedder(configFor(options, spec), (embedder) => cachedEmbeddings({ embedder, texts: questions, name: `${options.xquad.name}-questions` }));
  const comparison = await compareWithExact({
    data: vectors,
    queries: rows(queryVectors.vectors, queryVectors.dimension),
    dimension: queryVectors.dimension,
    ef: config.hnswEf,
    efSweep: options.efSweep,
    M: config.hnswM,
    efConstruction: config.hnswEfConstruction,
  });
  const chunkVectors: RealVectorComparison = {
    name: `${options.xquad.name} chunks`,
    model: spec.name,
    size: ingest.chunks,
    queries: questions.length,
    description: `the ${ingest.chunks} chunk vectors of a real ingest of ${options.xquad.name}; queries: its ${questions.length} distinct questions`,
    comparison: withoutIndex(comparison),
  };
  return { spec, skipped: null, throughput, ingest, ask, chunkVectors };
}

/**
 * Ingest processes with the raw session timed between them: raw, ingest, raw, ingest, … The first ingest is a warm-up
 * (page cache, tsx's compile cache) whose index gives the chunk texts and vectors the rest of the model's figures use.
 */
async function benchIngestThroughput(options: ModelsBenchOptions, spec: EmbedderSpec): Promise<{ ingest: IngestThroughput; chunkTexts: string[]; chunkVectors: Float32Array }> {
  const { config } = options;
  const indexDir = (run: number) => path.join(options.workDir, `models-${spec.name}-ingest-${run}`);
  const run = async (i: number): Promise<IngestProcessResult> => {
    await fs.rm(indexDir(i), { recursive: true, force: true });
    return runIngestProcess({ corpusDir: options.xquad.dir, indexDir: indexDir(i), model: spec.modelId });
  };
  const warm = await run(0);
  const index = await loadIndex(indexDir(0));
  const chunkTexts = [...index.store.allChunks()].map((c) => c.chunk.text);
  const stored = [...index.store.vectors(index.manifest.embedder?.dimension ?? 0)];
  closeIndex(index);
  if (stored.length === 0 || stored.length !== chunkTexts.length) throw new Error(`the ingest with ${spec.name} wrote no vectors`);
  const chunkVectors = new Float32Array(stored.length * stored[0]!.vector.length);
  stored.forEach((r, i) => chunkVectors.set(r.vector, i * r.vector.length));
  await fs.rm(indexDir(0), { recursive: true, force: true });

  const folder = modelFolderPath(config.modelDir, spec.modelId);
  const raw = await openRawSession(path.join(folder, onnxFileFor(spec.dtype)), null);
  const results: IngestProcessResult[] = [];
  const rawRates: number[] = [];
  const ratio: number[] = [];
  try {
    const { feeds } = tokenizeBatches(await loadFolderTokenizer(folder), chunkTexts, { batchSize: config.embedBatchSize, maxTokens: spec.maxTokens, inputNames: raw.session.inputNames });
    await raw.time(feeds.slice(0, 2));
    for (let i = 1; i <= options.repeats; i++) {
      const rawRate = (chunkTexts.length / (await raw.time(feeds))) * 1000;
      const result = await run(i);
      await fs.rm(indexDir(i), { recursive: true, force: true });
      if (result.report.chunks !== chunkTexts.length) throw new Error(`ingest ${i} made ${result.report.chunks} chunks, the first ${chunkTexts.length}`);
      rawRates.push(rawRate);
      results.push(result);
      ratio.push(chunkTexts.length / (result.report.timingsMs.total / 1000) / rawRate);
    }
  } finally {
    await raw.release();
  }
  const perSecond = (ms: number) => (chunkTexts.length / ms) * 1000;
  return {
    ingest: {
      chunks: chunkTexts.length,
      documents: warm.report.documents,
      ingest: spread(results.map((r) => perSecond(r.report.timingsMs.total))),
      process: spread(results.map((r) => perSecond(r.processWallMs))),
      raw: spread(rawRates),
      ratio: spread(ratio),
      peakRss: spread(results.map((r) => r.maxRss)),
      embedStage: spread(results.map((r) => perSecond(r.report.timingsMs.embed))),
    },
    chunkTexts,
    chunkVectors,
  };
}

/** Ingests the seed corpus (with `spec`, or BM25 alone for null) in-process and times asks through openPipeline. */
async function benchSeedAsk(options: ModelsBenchOptions, spec: EmbedderSpec | null): Promise<QueryBenchResult> {
  const indexDir = path.join(options.workDir, `models-seed-${spec?.name ?? 'lexical'}`);
  await fs.rm(indexDir, { recursive: true, force: true });
  const config = configFor(options, spec, { corpusDir: options.seed.dir, indexDir });
  await ingestCorpus({ config, openEmbedder: () => openEmbedder(config) });
  try {
    return await benchQueries({ corpus: options.seed, config, mode: spec ? 'model' : 'lexical', answerer: options.answerer });
  } finally {
    await fs.rm(indexDir, { recursive: true, force: true });
  }
}

/** The default model's large set of real vectors: built once, then read from the cache. */
async function benchRealSet(options: ModelsBenchOptions): Promise<NonNullable<ModelsBenchResult['realSet']>> {
  const { config, log } = options;
  const set = buildWindowTextSet(await readSquadFile(options.xquadFile), { size: options.realVectors, queries: options.realQueries });
  log(`models: real-vector set — ${set.description}`);
  const { vectors, queries } = await withEmbedder(configFor(options, DEFAULT_EMBEDDER), async (embedder) => ({
    queries: await cachedEmbeddings({ embedder, texts: set.queries, name: 'xquad-held-out-questions', log }),
    vectors: await cachedEmbeddings({ embedder, texts: set.texts, name: 'xquad-windows', log }),
  }));
  log(`  vectors ${vectors.shardsEmbedded === 0 ? 'read from' : 'written to'} ${vectors.dir}; HNSW build and ef sweep on ${set.texts.length.toLocaleString('en-US')} vectors`);
  const comparison = await compareWithExact({
    data: vectors.vectors,
    queries: rows(queries.vectors, queries.dimension),
    dimension: vectors.dimension,
    ef: config.hnswEf,
    efSweep: options.efSweep,
    M: config.hnswM,
    efConstruction: config.hnswEfConstruction,
  });
  return {
    name: 'XQuAD word windows',
    model: DEFAULT_EMBEDDER.name,
    size: set.texts.length,
    queries: set.queries.length,
    description: set.description,
    comparison: withoutIndex(comparison),
    cacheDir: vectors.dir,
    embedMs: vectors.embedMs,
    fromCache: vectors.shardsEmbedded === 0,
  };
}

/** Opens the configured model as the product does (`openEmbedder`), runs `use`, and disposes it. */
async function withEmbedder<T>(config: Config, use: (embedder: Embedder) => Promise<T>): Promise<T> {
  const choice = await openEmbedder(config);
  if (!choice.embedder) throw new Error(`no embedder: ${choice.lexicalReason}`);
  try {
    return await use(choice.embedder);
  } finally {
    await choice.embedder.dispose();
  }
}

/** `count` items spread evenly over `items` (all of them when there are no more). */
function evenlySpaced<T>(items: readonly T[], count: number): T[] {
  if (items.length <= count) return [...items];
  return Array.from({ length: count }, (_, i) => items[Math.floor((i * items.length) / count)]!);
}

/** The rows of a row-major matrix, as views. */
function rows(data: Float32Array, dimension: number): Float32Array[] {
  return Array.from({ length: data.length / dimension }, (_, i) => data.subarray(i * dimension, (i + 1) * dimension));
}

function withoutIndex(comparison: ExactComparison): Omit<ExactComparison, 'index' | 'ids'> {
  const { index: _index, ids: _ids, ...rest } = comparison;
  return rest;
}
