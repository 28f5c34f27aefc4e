/**
 * Embedding throughput of a real model, chunks per second, through Verbatim's embedder (`loadEmbedder` →
 * `TransformersEmbedder.embed`: tokenising, the model, masked mean pooling, normalising, copying out) against the raw
 * ONNX Runtime session on the same texts in the same batches (raw-onnx-session.ts). The ratio is the share of the
 * model's own speed that Verbatim keeps. Each repeat times both, alternating which goes first, so a machine that
 * slows down or speeds up mid-run moves both. A setting also chooses the order batches are formed in (as the texts
 * come, or longest first) and whether worker threads share them (`loadPooledEmbedder`).
 */
import path from 'node:path';
import { inEmbeddingOrder } from '../retrieval/embed/length-order.js';
import { loadEmbedder } from '../retrieval/embed/load-embedder.js';
import { loadPooledEmbedder, type PooledEmbedder, type PooledEmbedderOptions } from '../retrieval/embed/pooled-embedder.js';
import type { EmbedderSpec } from '../retrieval/models/model-catalog.js';
import { modelFolderPath, onnxFileFor } from '../retrieval/models/model-folder.js';
import { loadFolderTokenizer, openRawSession, tokenizeBatches, type FeedShape } from './raw-onnx-session.js';
import { spread, stopwatch, type Spread } from './stats.js';

/** A pooled embedder whose workers have loaded the model (they start at its first call otherwise). */
export async function startedPool(options: PooledEmbedderOptions): Promise<PooledEmbedder> {
  const pooled = await loadPooledEmbedder(options);
  await pooled.workersReady();
  return pooled;
}

/** One way of running the model. */
export interface EmbedSetting {
  readonly batchSize: number;
  /** ONNX Runtime intra-op threads; null is its own default. Ignored with `workers` (each worker runs one). */
  readonly threads: number | null;
  /**
   * The order batches are formed in: `arrival` (the texts as given, ingest order — what ingest did before issue 13)
   * or `length` (longest first by token count, as ingest and the embedder now do). @default "arrival"
   */
  readonly order?: 'arrival' | 'length';
  /**
   * Worker threads, each with its own session at one intra-op thread, sharing the batches (pooled-embedder.ts);
   * null or absent: one session on the calling thread.
   */
  readonly workers?: number | null;
}

/** The setting as a table cell: order, and workers when there are any. */
export function settingText(setting: EmbedSetting): string {
  return `${setting.order ?? 'arrival'} order${setting.workers ? `, ${setting.workers} workers × 1 thread` : ''}`;
}

/** Options of {@link benchEmbedThroughput}. */
export interface EmbedThroughputOptions {
  readonly spec: EmbedderSpec;
  readonly modelDir: string;
  /** Real chunk texts, in ingest order (the `arrival` order of a setting). */
  readonly texts: readonly string[];
  readonly settings: readonly EmbedSetting[];
  /** Timed passes over `texts` per setting and path (after a warm-up). */
  readonly repeats: number;
  readonly log?: (message: string) => void;
}

/** Throughput of one setting. */
export interface EmbedThroughputResult {
  readonly model: string;
  readonly setting: EmbedSetting;
  readonly texts: number;
  readonly shape: FeedShape;
  /** Chunks per second through `embedder.embed`. */
  readonly product: Spread;
  /** Chunks per second of `session.run` alone. */
  readonly raw: Spread;
  /** product ÷ raw of each repeat. */
  readonly ratio: Spread;
  /** `loadEmbedder` time, milliseconds (model load, ONNX hash, probe). */
  readonly loadMs: number;
}

/** Measures every setting in turn; one embedder and one raw session are open at a time. */
export async function benchEmbedThroughput(options: EmbedThroughputOptions): Promise<EmbedThroughputResult[]> {
  const { spec, texts } = options;
  const folder = modelFolderPath(options.modelDir, spec.modelId);
  const tokenizer = await loadFolderTokenizer(folder);
  const results: EmbedThroughputResult[] = [];
  for (const setting of options.settings) {
    const loadTimer = stopwatch();
    const load = {
      modelId: spec.modelId,
      modelDir: options.modelDir,
      allowRemoteModels: false,
      batchSize: setting.batchSize,
      spec,
      ...(setting.threads === null ? {} : { intraOpThreads: setting.threads }),
    };
    const workers = setting.workers ?? 0;
    // The workers start at the first call otherwise: the timing is of the workers, so they are up before it.
    const embedder = workers > 0 ? await startedPool({ load, workers }) : await loadEmbedder(load);
    const loadMs = loadTimer();
    // The raw reference is one session as configured: for workers, ONNX Runtime's default threads (what they replace).
    const raw = await openRawSession(path.join(folder, onnxFileFor(spec.dtype)), workers > 0 ? null : setting.threads);
    try {
      // Ordered once, outside the timing, as ingest orders all its pending chunks before embedding any.
      const ordered = setting.order === 'length' ? await inEmbeddingOrder(embedder, texts, (text) => text) : texts;
      const { feeds, shape } = tokenizeBatches(tokenizer, ordered, { batchSize: setting.batchSize, maxTokens: spec.maxTokens, inputNames: raw.session.inputNames });
      // Texts per embed call, as ingest hands them over: one batch, or one per worker so that every worker has one.
      const perCall = setting.batchSize * Math.max(1, workers);
      // Warm-up: the first runs of a session allocate its arenas.
      const warm = Math.min(texts.length, perCall * 2);
      await raw.time(feeds.slice(0, Math.ceil(warm / setting.batchSize)));
      await embedder.embed(ordered.slice(0, warm));
      const product: number[] = [];
      const rawRates: number[] = [];
      const ratio: number[] = [];
      const timeProduct = async (): Promise<number> => {
        const elapsed = stopwatch();
        for (let start = 0; start < ordered.length; start += perCall) await embedder.embed(ordered.slice(start, start + perCall));
        return elapsed();
      };
      for (let run = 0; run < options.repeats; run++) {
        let rawMs: number;
        let productMs: number;
        if (run % 2 === 0) {
          rawMs = await raw.time(feeds);
          productMs = await timeProduct();
        } else {
          productMs = await timeProduct();
          rawMs = await raw.time(feeds);
        }
        rawRates.push((texts.length / rawMs) * 1000);
        product.push((texts.length / productMs) * 1000);
        ratio.push(rawMs / productMs);
      }
      const result: EmbedThroughputResult = { model: spec.name, setting, texts: texts.length, shape, product: spread(product), raw: spread(rawRates), ratio: spread(ratio), loadMs };
      options.log?.(`  ${spec.name} batch ${setting.batchSize}, threads ${setting.threads ?? 'default'}, ${settingText(setting)}, ${(shape.paddedTokens / shape.rows).toFixed(0)} padded tokens/chunk: ${result.product.median.toFixed(1)} chunks/s, raw ${result.raw.median.toFixed(1)}, ratio ${result.ratio.median.toFixed(3)}`);
      results.push(result);
    } finally {
      await raw.release();
      await embedder.dispose();
    }
  }
  return results;
}
