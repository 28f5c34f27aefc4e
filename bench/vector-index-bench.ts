/**
 * The HNSW vector index at scale, on synthetic unit vectors: build time, query latency, recall@k against exact search
 * at the configured `ef` and over an `ef` sweep, speed-up over exact search (hnswlib's BruteforceSearch, same C++
 * distance code) at that recall, memory per vector, and the time a fresh process takes to load the persisted index —
 * alone, and as part of a whole persisted index opened by `openPipeline`. The comparison with exact search itself
 * (`compareWithExact`) takes any vectors: the models section runs it on real embeddings.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { VectorIndex } from '../retrieval/index/vector-index.js';
import { buildBruteforce, exactTopK, recall } from './exact-search.js';
import { probeIndexLoad, type ProbeTiming } from './index-load-timing.js';
import { summarize, stopwatch, type Summary } from './stats.js';
import { syntheticChunkIds, writeSyntheticIndex, type SyntheticIndexReport } from './synthetic-index.js';
import { createVectorSource, type VectorKind } from './synthetic-vectors.js';

/** Options of {@link benchVectorIndex}. */
export interface VectorBenchOptions {
  /** Vectors indexed. */
  readonly size: number;
  readonly dimension: number;
  readonly kind: VectorKind;
  /** Held-out query vectors. */
  readonly queries: number;
  /** Neighbours compared for recall. @default 10 */
  readonly k?: number;
  /** The configured search-time candidate list size (config `hnswEf`). */
  readonly ef: number;
  /** Other `ef` values to measure. */
  readonly efSweep: readonly number[];
  readonly M: number;
  readonly efConstruction: number;
  /** Index files go under it. */
  readonly workDir: string;
  /** Also write a whole persisted index of `size` chunks and time `loadIndex` and `openPipeline` on it. */
  readonly pipelineIndex: boolean;
}

/** Recall and latency at one `ef`. */
export interface EfPoint {
  readonly ef: number;
  /** Mean recall@k against the exact top k. */
  readonly recall: number;
  readonly latency: Summary;
  /** Exact search p50 ÷ this p50. */
  readonly speedup: number;
}

/** Everything measured for one size and kind: the comparison with exact search, and what the files cost. */
export interface VectorBenchResult extends Omit<ExactComparison, 'ids'> {
  readonly size: number;
  readonly dimension: number;
  readonly kind: VectorKind;
  readonly queries: number;
  readonly M: number;
  readonly efConstruction: number;
  /** Bytes on disk of the three HNSW files. */
  readonly files: { readonly index: number; readonly docstore: number; readonly args: number };
  /** `VectorIndex.load` in a fresh process. */
  readonly load: ProbeTiming;
  /** `loadIndex` and `openPipeline` on a whole synthetic index of `size` chunks, when asked for. */
  readonly pipeline: { readonly synthetic: SyntheticIndexReport; readonly files: ProbeTiming; readonly open: ProbeTiming } | null;
}

/** Options of {@link compareWithExact}: vectors already made, synthetic or real. */
export interface ExactComparisonOptions {
  /** Unit vectors, row after row. */
  readonly data: Float32Array;
  /** Held-out unit query vectors, none of them a row of `data`. */
  readonly queries: readonly Float32Array[];
  readonly dimension: number;
  /** @default 10 */
  readonly k?: number;
  readonly ef: number;
  readonly efSweep: readonly number[];
  readonly M: number;
  readonly efConstruction: number;
}

/** HNSW against exact search over one set of vectors. */
export interface ExactComparison {
  readonly k: number;
  readonly buildMs: number;
  /** BruteforceSearch build: copying the vectors in, the floor any index pays. */
  readonly exactBuildMs: number;
  /** At the configured ef. */
  readonly configured: EfPoint;
  readonly sweep: readonly EfPoint[];
  /** Smallest swept ef with recall ≥ 0.98, if any. */
  readonly efFor098: number | null;
  /** hnswlib BruteforceSearch latency (the speed-up reference). */
  readonly exact: Summary;
  /** Plain JavaScript dot-product scan latency (how the ground truth was computed). */
  readonly exactJs: Summary;
  /** The built index (the event-loop benchmark searches it) and the chunk ids its rows were given. */
  readonly index: VectorIndex;
  readonly ids: readonly string[];
}

/**
 * Ground truth by a plain scan, hnswlib's BruteforceSearch for the speed-up, then VectorIndex.build with the
 * configured parameters and recall@k and latency at every swept ef (the configured one included). The index is left
 * at the configured ef.
 */
export async function compareWithExact(options: ExactComparisonOptions): Promise<ExactComparison> {
  const { data, queries, dimension, ef, M, efConstruction } = options;
  const k = options.k ?? 10;
  const size = data.length / dimension;
  const queryArrays = queries.map((q) => Array.from(q));

  // Ground truth, timed: the cost of search without an index, in JavaScript.
  const truth: number[][] = [];
  const exactJsTimes: number[] = [];
  for (const query of queries) {
    const elapsed = stopwatch();
    truth.push(exactTopK(data, dimension, query, k));
    exactJsTimes.push(elapsed());
  }

  const exactBuilt = buildBruteforce(data, dimension);
  const exactTimes = timeQueries(queryArrays, (q) => exactBuilt.index.search(q, k)).times;
  const exact = summarize(exactTimes);

  const ids = syntheticChunkIds(size);
  const buildTimer = stopwatch();
  const index = await VectorIndex.build({ vectors: data, ids, dimension, M, efConstruction, ef });
  const buildMs = buildTimer();
  const labelOf = new Map(ids.map((id, label) => [id, label]));

  const measure = (atEf: number): EfPoint => {
    index.store.index.setEf(atEf);
    const { times, results } = timeQueries(queryArrays, (q) => index.search(q, k).map((hit) => labelOf.get(hit.id)!));
    const meanRecall = results.reduce((sum, found, i) => sum + recall(found, truth[i]!), 0) / results.length;
    const latency = summarize(times);
    return { ef: atEf, recall: meanRecall, latency, speedup: exact.p50 / latency.p50 };
  };
  const sweep = [...new Set([...options.efSweep, ef])].sort((a, b) => a - b).map(measure);
  // The sweep always includes the configured ef: its point is the configured figure, not a second timing of it.
  const configured = sweep.find((point) => point.ef === ef)!;
  index.store.index.setEf(ef);
  return {
    k,
    buildMs,
    exactBuildMs: exactBuilt.buildMs,
    configured,
    sweep,
    efFor098: sweep.find((point) => point.recall >= 0.98)?.ef ?? null,
    exact,
    exactJs: summarize(exactJsTimes),
    index,
    ids,
  };
}

/** Builds, measures and persists one index. */
export async function benchVectorIndex(options: VectorBenchOptions): Promise<VectorBenchResult> {
  const { size, dimension, kind, ef, M, efConstruction } = options;
  const source = createVectorSource({ dimension, kind, seed: 1 });
  const data = source.sample(size, 11);
  const queryRows = source.sample(options.queries, 22);
  const queries = Array.from({ length: options.queries }, (_, q) => queryRows.subarray(q * dimension, (q + 1) * dimension));
  const compared = await compareWithExact({ data, queries, dimension, k: options.k, ef, efSweep: options.efSweep, M, efConstruction });
  const { k, buildMs, configured, sweep, efFor098, exact, exactJs, index } = compared;

  const hnswDir = path.join(options.workDir, `hnsw-${kind}-${size}`);
  await fs.rm(hnswDir, { recursive: true, force: true });
  await index.save(hnswDir);
  const sizeOf = async (name: string) => (await fs.stat(path.join(hnswDir, name))).size;
  const files = { index: await sizeOf('hnswlib.index'), docstore: await sizeOf('docstore.json'), args: await sizeOf('args.json') };
  const load = await probeIndexLoad({ mode: 'vector', dir: hnswDir, ef, dimension });

  let pipeline: VectorBenchResult['pipeline'] = null;
  if (options.pipelineIndex) {
    const indexDir = path.join(options.workDir, `index-${kind}-${size}`);
    const synthetic = await writeSyntheticIndex({ indexDir, count: size, dimension, vectors: data, hnswDir, M, efConstruction });
    const filesTiming = await probeIndexLoad({ mode: 'files', dir: indexDir, ef, dimension });
    const open = await probeIndexLoad({ mode: 'pipeline', dir: indexDir, ef, dimension });
    pipeline = { synthetic, files: filesTiming, open };
  }

  return {
    size,
    dimension,
    kind,
    queries: options.queries,
    k,
    M,
    efConstruction,
    buildMs,
    exactBuildMs: compared.exactBuildMs,
    configured,
    sweep,
    efFor098,
    exact,
    exactJs,
    files,
    load,
    pipeline,
    index,
  };
}

/** Times `search` on every query after a warm-up of up to 50 queries. */
function timeQueries<T>(queries: readonly number[][], search: (query: number[]) => T): { times: number[]; results: T[] } {
  for (const query of queries.slice(0, 50)) search(query);
  const times: number[] = [];
  const results: T[] = [];
  for (const query of queries) {
    const started = performance.now();
    const result = search(query);
    times.push(performance.now() - started);
    results.push(result);
  }
  return { times, results };
}
