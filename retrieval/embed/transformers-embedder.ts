/**
 * The real `Embedder`: a transformers.js feature-extraction pipeline run locally with onnxruntime-node.
 * `loadEmbedder` (load-embedder.ts, over models/load-model-pipeline.ts) finds the model and builds it; this file only turns texts into vectors.
 */
import type { FeatureExtractionPipeline } from '@huggingface/transformers';
import { ModelUnavailableError, throwIfAborted } from '../errors.js';
import type { Embedder } from './embedder.js';

/** Pooling fixed for every call, so vectors under one `id` are always comparable; mean pooling is what sentence-transformers models are trained with. */
export const EMBED_OPTIONS = { pooling: 'mean', normalize: true } as const;

/** What `TransformersEmbedder` wraps. */
export interface TransformersEmbedderParts {
  /** A loaded fp32 feature-extraction pipeline; the embedder owns it and disposes it. */
  readonly extractor: FeatureExtractionPipeline;
  /** Hub id the pipeline was loaded from; part of `id` and of error messages. */
  readonly modelId: string;
  /** Vector length, measured by `loadEmbedder` with a probe text. */
  readonly dimension: number;
  /** Texts per model call; each batch is padded to its longest text. */
  readonly batchSize: number;
}

/** An `Embedder` over a transformers.js pipeline. Build it with `loadEmbedder`, which handles lookup and download. */
export class TransformersEmbedder implements Embedder {
  /** `transformers:<modelId>:fp32:mean`: dtype and pooling change the vectors as much as the model does. */
  readonly id: string;
  /** Vector length, the model's hidden size. */
  readonly dimension: number;
  private readonly extractor: FeatureExtractionPipeline;
  private readonly modelId: string;
  private readonly batchSize: number;
  private disposed = false;

  constructor(parts: TransformersEmbedderParts) {
    this.extractor = parts.extractor;
    this.modelId = parts.modelId;
    this.dimension = parts.dimension;
    this.batchSize = parts.batchSize;
    this.id = `transformers:${parts.modelId}:fp32:mean`;
  }

  /**
   * Embeds `texts` in batches of `batchSize`; `signal` is checked between batches (a running batch finishes).
   * Texts longer than the model's maximum sequence length are truncated by the tokenizer.
   */
  async embed(texts: readonly string[], options: { signal?: AbortSignal } = {}): Promise<number[][]> {
    if (this.disposed) throw new ModelUnavailableError(this.modelId, 'this embedder was disposed; load the model again');
    const vectors: number[][] = [];
    for (let start = 0; start < texts.length; start += this.batchSize) {
      throwIfAborted(options.signal);
      const output = await this.extractor(texts.slice(start, start + this.batchSize), EMBED_OPTIONS);
      for (const row of output.tolist() as number[][]) vectors.push(row);
    }
    return vectors;
  }

  /** Frees the ONNX session; later `embed` calls throw. Safe to call twice. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.extractor.dispose();
  }
}
