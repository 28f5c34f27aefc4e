/**
 * An `Embedder` that spreads the batches of one `embed` call over worker threads, each with its own model session and
 * one ONNX Runtime intra-op thread, instead of one session whose operators use every core. Batches are formed as
 * `TransformersEmbedder` forms them (longest text first by token count) and vectors come back in the caller's order.
 * Measured against one session with ONNX Runtime's default threads in bench/RESULTS.md ("Embedding at ingest:
 * batching by length and cores").
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import pMap from 'p-map';
import { Piscina } from 'piscina';
import { ModelUnavailableError, throwIfAborted } from '../errors.js';
import { messageOf } from '../models/load-model-pipeline.js';
import type { Embedder, EmbedderModel } from './embedder.js';
import type { EmbedWorkerData, EmbedWorkerDescription, EmbedWorkerTask } from './embed-worker.js';
import { inEmbeddingOrder } from './length-order.js';
import { loadEmbedder, type LoadEmbedderOptions } from './load-embedder.js';

/** Options of {@link loadPooledEmbedder}. */
export interface PooledEmbedderOptions {
  /** How every session loads the model; `intraOpThreads` is set to 1 for the workers. */
  readonly load: LoadEmbedderOptions;
  /** Worker threads, each with its own session. */
  readonly workers: number;
}

/** The worker's module and, when it is TypeScript (no build step), the loader that lets a worker thread run it. */
function workerModule(url: URL): { filename: string; execArgv: string[] } {
  const loader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  return { filename: url.href, execArgv: url.pathname.endsWith('.ts') ? ['--import', loader] : [] };
}

/**
 * Loads the model on this thread (which checks it and keeps its tokenizer, for ordering texts) and in `workers`
 * worker threads, which run the batches.
 * @throws ModelUnavailableError as `loadEmbedder` does, or when a worker cannot load what this thread loaded.
 */
export async function loadPooledEmbedder(options: PooledEmbedderOptions): Promise<Embedder> {
  const local = await loadEmbedder(options.load);
  const { signal: _signal, ...load } = options.load;
  const model = local.model!;
  const workerData: EmbedWorkerData = { load: { ...load, intraOpThreads: 1, verified: { onnxSha256: model.onnxSha256, source: model.source } } };
  const pool = new Piscina({
    ...workerModule(new URL('./embed-worker.ts', import.meta.url)),
    workerData,
    minThreads: options.workers,
    maxThreads: options.workers,
    idleTimeout: Number.POSITIVE_INFINITY,
    // Tasks await ONNX Runtime: plain messages rather than parking the thread between tasks.
    atomics: 'disabled',
  });
  try {
    const descriptions = (await Promise.all(Array.from({ length: options.workers }, () => pool.run({ kind: 'describe' } satisfies EmbedWorkerTask)))) as EmbedWorkerDescription[];
    const odd = descriptions.find((description) => description.id !== local.id);
    if (odd) throw new Error(`a worker loaded ${odd.id}, this thread ${local.id}`);
  } catch (error) {
    await Promise.allSettled([pool.destroy(), local.dispose()]);
    throw new ModelUnavailableError(options.load.modelId, `the model loaded, but not in an embedding worker thread (${messageOf(error)})`, { cause: error });
  }
  return new PooledEmbedder(local, pool, options.load.batchSize, options.workers);
}

class PooledEmbedder implements Embedder {
  readonly id: string;
  readonly dimension: number;
  readonly model: EmbedderModel | undefined;
  private disposed = false;

  constructor(
    private readonly local: Embedder,
    private readonly pool: Piscina,
    private readonly batchSize: number,
    private readonly workers: number,
  ) {
    this.id = local.id;
    this.dimension = local.dimension;
    this.model = local.model;
  }

  /** Embeds in batches of `batchSize`, one per worker at a time; `signal` stops new batches (running ones finish). */
  async embed(texts: readonly string[], options: { signal?: AbortSignal } = {}): Promise<number[][]> {
    if (this.disposed) throw new ModelUnavailableError(this.model?.modelId ?? this.id, 'this embedder was disposed; load the model again');
    const positions = [...texts.keys()];
    const order = texts.length > this.batchSize ? await inEmbeddingOrder(this, positions, (i) => texts[i]!, options) : positions;
    const batches: number[][] = [];
    for (let start = 0; start < order.length; start += this.batchSize) batches.push(order.slice(start, start + this.batchSize));
    const vectors = new Array<number[]>(texts.length);
    await pMap(
      batches,
      async (rows) => {
        throwIfAborted(options.signal);
        const flat = (await this.pool.run({ kind: 'embed', texts: rows.map((i) => texts[i]!) } satisfies EmbedWorkerTask)) as Float32Array;
        rows.forEach((i, j) => (vectors[i] = Array.from(flat.subarray(j * this.dimension, (j + 1) * this.dimension))));
      },
      { concurrency: this.workers },
    );
    return vectors;
  }

  countTokens(texts: readonly string[], options?: { signal?: AbortSignal }): Promise<number[]> {
    return this.local.countTokens!(texts, options);
  }

  /** Ends the worker threads and frees this thread's session; later `embed` calls throw. Safe to call twice. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await Promise.allSettled([this.pool.destroy(), this.local.dispose()]);
  }
}
