/**
 * An `Embedder` that spreads the batches of one `embed` call over worker threads, each with its own model session and
 * one ONNX Runtime intra-op thread, instead of one session whose operators use every core. Batches are formed as
 * `TransformersEmbedder` forms them (longest text first by token count) and vectors come back in the caller's order.
 * Each worker costs a model session and a JavaScript heap (peak RSS of an XQuAD ingest: ~1.1 GiB with two, against
 * ~0.5 GiB on one thread).
 * Measured against one session with ONNX Runtime's default threads in bench/RESULTS.md ("Embedding at ingest:
 * batching by length and cores").
 */
import pMap from 'p-map';
import { Piscina } from 'piscina';
import { ModelUnavailableError, throwIfAborted } from '../errors.js';
import { messageOf } from '../models/load-model-pipeline.js';
import type { Embedder, EmbedderModel } from './embedder.js';
import type { EmbedWorkerData, EmbedWorkerDescription, EmbedWorkerTask } from './embed-worker.js';
import { inEmbeddingOrder } from './length-order.js';
import { loadEmbedder, type LoadEmbedderOptions } from './load-embedder.js';
import { workerModule } from '../workers/worker-module.js';

/** Options of {@link loadPooledEmbedder}. */
export interface PooledEmbedderOptions {
  /** How every session loads the model; `intraOpThreads` is set to 1 for the workers. */
  readonly load: LoadEmbedderOptions;
  /** Worker threads, each with its own session. */
  readonly workers: number;
  /**
   * Texts embedded on this thread before the workers start. Starting them costs about 2.5 s of both cores (a
   * JavaScript runtime and a model session each); 64 texts take 4–8 s on one session, so a small ingest (a document
   * or two changed) is done before workers would have paid off, and a large one switches to them early. @default 64
   */
  readonly startAfterTexts?: number;
}

/**
 * Loads the model on this thread, which checks it, keeps its tokenizer (for ordering texts) and embeds until the
 * workers are up. The `workers` worker threads start in the background once `startAfterTexts` texts have been
 * embedded, so a small ingest (a changed document or two) never pays for them.
 * @throws ModelUnavailableError as `loadEmbedder` does.
 */
export async function loadPooledEmbedder(options: PooledEmbedderOptions): Promise<PooledEmbedder> {
  return new PooledEmbedder(await loadEmbedder(options.load), options);
}

/** The embedder `loadPooledEmbedder` makes. */
export class PooledEmbedder implements Embedder {
  readonly id: string;
  readonly dimension: number;
  readonly model: EmbedderModel | undefined;
  private readonly local: Embedder;
  private readonly options: PooledEmbedderOptions;
  private pool: Piscina | null = null;
  private starting: Promise<void> | null = null;
  private ready = false;
  private disposed = false;
  /** Texts embedded on this thread so far. */
  private embeddedHere = 0;

  constructor(local: Embedder, options: PooledEmbedderOptions) {
    this.local = local;
    this.options = options;
    this.id = local.id;
    this.dimension = local.dimension;
    this.model = local.model;
  }

  /**
   * Starts the workers if they are not starting yet; resolves once every one has loaded the model.
   * @throws ModelUnavailableError when a worker cannot load what this thread loaded (`embed` then stays on this thread).
   */
  workersReady(): Promise<void> {
    return (this.starting ??= this.startWorkers());
  }

  private async startWorkers(): Promise<void> {
    const { workers } = this.options;
    const { signal: _signal, ...load } = this.options.load;
    const model = this.local.model!;
    const workerData: EmbedWorkerData = { load: { ...load, intraOpThreads: 1, verified: { onnxSha256: model.onnxSha256, source: model.source } } };
    const pool = new Piscina({
      ...workerModule(new URL('./embed-worker.ts', import.meta.url)),
      workerData,
      minThreads: workers,
      maxThreads: workers,
      idleTimeout: Number.POSITIVE_INFINITY,
      // Tasks await ONNX Runtime: plain messages rather than parking the thread between tasks.
      atomics: 'disabled',
    });
    this.pool = pool;
    try {
      const descriptions = (await Promise.all(Array.from({ length: workers }, () => pool.run({ kind: 'describe' } satisfies EmbedWorkerTask)))) as EmbedWorkerDescription[];
      const odd = descriptions.find((description) => description.id !== this.id);
      if (odd) throw new Error(`a worker loaded ${odd.id}, this thread ${this.id}`);
      this.ready = !this.disposed;
    } catch (error) {
      this.pool = null;
      await pool.destroy().catch(() => undefined);
      throw new ModelUnavailableError(this.options.load.modelId, `the model loaded, but not in an embedding worker thread (${messageOf(error)})`, { cause: error });
    }
  }

  /**
   * Embeds in batches of `batchSize`, one per worker at a time once the workers are up (on this thread until then);
   * `signal` stops new batches (running ones finish).
   */
  async embed(texts: readonly string[], options: { signal?: AbortSignal } = {}): Promise<number[][]> {
    if (this.disposed) throw new ModelUnavailableError(this.model?.modelId ?? this.id, 'this embedder was disposed; load the model again');
    const pool = this.pool;
    if (!this.ready || !pool) {
      this.embeddedHere += texts.length;
      // A worker that cannot start leaves the work on this thread, which embeds the same vectors.
      if (this.embeddedHere > (this.options.startAfterTexts ?? 64)) this.workersReady().catch(() => undefined);
      return this.local.embed(texts, options);
    }
    const { batchSize } = this.options.load;
    const positions = [...texts.keys()];
    const order = texts.length > batchSize ? await inEmbeddingOrder(this, positions, (i) => texts[i]!, options) : positions;
    const batches: number[][] = [];
    for (let start = 0; start < order.length; start += batchSize) batches.push(order.slice(start, start + batchSize));
    const vectors = new Array<number[]>(texts.length);
    await pMap(
      batches,
      async (rows) => {
        throwIfAborted(options.signal);
        const flat = (await pool.run({ kind: 'embed', texts: rows.map((i) => texts[i]!) } satisfies EmbedWorkerTask)) as Float32Array;
        rows.forEach((i, j) => (vectors[i] = Array.from(flat.subarray(j * this.dimension, (j + 1) * this.dimension))));
      },
      { concurrency: this.options.workers },
    );
    return vectors;
  }

  countTokens(texts: readonly string[], options?: { signal?: AbortSignal }): Promise<number[]> {
    return this.local.countTokens!(texts, options);
  }

  /** Ends the worker threads (started or starting) and frees this thread's session; later `embed` calls throw. Safe to call twice. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.ready = false;
    await Promise.allSettled([this.pool?.destroy(), this.local.dispose()]);
  }
}
