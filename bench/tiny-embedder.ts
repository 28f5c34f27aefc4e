/**
 * The tiny test embedder for benchmarks: the real ONNX model the test suite writes (token embeddings + mean pooling,
 * no transformer layers), loaded through the production `loadEmbedder` path with downloads off. It measures what
 * Verbatim adds around a model (batching, copying, normalising, storing), not what a real model costs.
 */
import path from 'node:path';
import { writeTinyModel } from '../retrieval/embed/__fixtures__/tiny-model.js';
import type { Embedder } from '../retrieval/embed/embedder.js';
import { loadEmbedder } from '../retrieval/embed/load-embedder.js';
import { stopwatch } from './stats.js';

/** A loaded tiny model and what configures it. */
export interface TinyEmbedder {
  readonly embedder: Embedder;
  readonly modelId: string;
  readonly modelDir: string;
  /** Time to load it through `loadEmbedder`, milliseconds. */
  readonly loadMs: number;
}

/** Writes the tiny model under `workDir/models` and loads it with the given batch size. */
export async function openTinyEmbedder(workDir: string, batchSize: number): Promise<TinyEmbedder> {
  const tiny = await writeTinyModel({ modelDir: path.join(workDir, 'models') });
  const elapsed = stopwatch();
  const embedder = await loadEmbedder({ modelId: tiny.modelId, modelDir: tiny.modelDir, allowRemoteModels: false, batchSize });
  return { embedder, modelId: tiny.modelId, modelDir: tiny.modelDir, loadMs: elapsed() };
}

/** Wraps an embedder so that closing a pipeline does not dispose the shared model. */
export function undisposable(embedder: Embedder): Embedder {
  return { id: embedder.id, dimension: embedder.dimension, embed: (texts, options) => embedder.embed(texts, options), dispose: async () => {} };
}
