/** Starts the transformers.js embedding model as an `Embedder` (finding and downloading it: `loadModelPipeline`). */
import path from 'node:path';
import { ConfigError, ModelUnavailableError } from '../errors.js';
import { loadModelPipeline, messageOf, type LoadModelOptions } from '../models/load-model-pipeline.js';
import type { Embedder } from './embedder.js';
import { EMBED_OPTIONS, TransformersEmbedder } from './transformers-embedder.js';

export { MODEL_FILES } from '../models/load-model-pipeline.js';

/** How `loadEmbedder` finds, downloads and runs the model. Mirrors the `modelId`/`modelDir`/... settings in config.ts. */
export interface LoadEmbedderOptions extends LoadModelOptions {
  /** Texts per model call: larger is faster until padding to the longest text in the batch dominates. */
  readonly batchSize: number;
}

const PROBE_TEXT = 'dimension probe';

/**
 * Loads a transformers.js feature-extraction model as an `Embedder`, from `<modelDir>/<modelId>/` or, when allowed,
 * by downloading it into that folder. Embeds a probe text to learn the vector length.
 * @throws ModelUnavailableError with the folder looked in and why the download did not help.
 * @throws AbortedError when `signal` fires first.
 * @throws ConfigError for a non-positive `batchSize` or `timeoutMs`.
 */
export async function loadEmbedder(options: LoadEmbedderOptions): Promise<Embedder> {
  if (!Number.isInteger(options.batchSize) || options.batchSize < 1) throw new ConfigError(`embedding batch size must be a positive integer, got ${options.batchSize}`);
  const extractor = await loadModelPipeline('feature-extraction', options);
  try {
    const probe = await extractor(PROBE_TEXT, EMBED_OPTIONS);
    const dimension = probe.dims.at(-1) ?? 0;
    if (probe.dims.length !== 2 || dimension < 1) throw new Error(`expected one pooled vector, got output of shape [${probe.dims.join(', ')}]`);
    return new TransformersEmbedder({ extractor, modelId: options.modelId, dimension, batchSize: options.batchSize });
  } catch (error) {
    await extractor.dispose().catch(() => undefined);
    throw new ModelUnavailableError(options.modelId, `the model loaded from ${path.resolve(options.modelDir, ...options.modelId.split('/'))} but could not embed text (${messageOf(error)}); is it a feature-extraction model?`, { cause: error });
  }
}
