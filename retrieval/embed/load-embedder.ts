/** Starts the transformers.js embedding model as an `Embedder` (finding and downloading it: `loadModelPipeline`). */
import path from 'node:path';
import { ConfigError, ModelUnavailableError } from '../errors.js';
import { loadModelPipeline, messageOf, type LoadModelOptions } from '../models/load-model-pipeline.js';
import type { EmbedderSpec } from '../models/model-catalog.js';
import { modelFolderPath, onnxFileFor, readProvenance, sha256File } from '../models/model-folder.js';
import type { Embedder } from './embedder.js';
import { TransformersEmbedder } from './transformers-embedder.js';

export { MODEL_FILES } from '../models/load-model-pipeline.js';

/** How `loadEmbedder` finds, downloads and runs the model. Mirrors the `modelId`/`modelDir`/... settings in config.ts. */
export interface LoadEmbedderOptions extends LoadModelOptions {
  /** Texts per model call: larger is faster until padding to the longest text in the batch dominates. */
  readonly batchSize: number;
  /**
   * The catalog entry for `modelId`, which fixes dtype, pooling, token limit and output name. Without one (any hub
   * id) the model runs as transformers.js's feature-extraction pipeline would: `dtype` (fp32), mean pooling, the
   * tokenizer's own length limit and the standard output names.
   */
  readonly spec?: EmbedderSpec;
  /** The ONNX file's SHA-256 and the folder's source when a folder check has just established them (not hashed again). */
  readonly verified?: { readonly onnxSha256: string; readonly source: string };
}

const PROBE_TEXT = 'dimension probe';
/** Token limit for a model whose tokenizer states none (transformers.js then reports an enormous number). */
const FALLBACK_MAX_TOKENS = 512;

/**
 * Loads a transformers.js feature-extraction model as an `Embedder`, from `<modelDir>/<modelId>/` or, when allowed,
 * by downloading it into that folder. Embeds a probe text to learn the vector length, and hashes the ONNX file,
 * which is part of the embedder's identity.
 * @throws ModelUnavailableError with the folder looked in and why the download did not help.
 * @throws AbortedError when `signal` fires first.
 * @throws ConfigError for a non-positive `batchSize` or `timeoutMs`.
 */
export async function loadEmbedder(options: LoadEmbedderOptions): Promise<Embedder> {
  if (!Number.isInteger(options.batchSize) || options.batchSize < 1) throw new ConfigError(`embedding batch size must be a positive integer, got ${options.batchSize}`);
  const { spec } = options;
  const dtype = spec?.dtype ?? options.dtype ?? 'fp32';
  const extractor = await loadModelPipeline('feature-extraction', { ...options, dtype });
  const folder = modelFolderPath(options.modelDir, options.modelId);
  try {
    const tokenizerLimit = extractor.tokenizer.model_max_length;
    const maxTokens = spec?.maxTokens ?? (Number.isFinite(tokenizerLimit) && tokenizerLimit > 0 && tokenizerLimit <= 8192 ? tokenizerLimit : FALLBACK_MAX_TOKENS);
    const pooling = spec?.pooling ?? 'mean';
    const onnxSha256 = options.verified?.onnxSha256 ?? (await sha256File(path.join(folder, onnxFileFor(dtype))));
    const source = options.verified?.source ?? (await readProvenance(folder))?.source ?? 'unrecorded';
    const probeModel = { modelId: options.modelId, dtype, pooling, dimension: 1, onnxSha256, source };
    // Already loaded by loadModelPipeline: this import costs nothing more.
    const { mean_pooling: meanPooling } = await import('@huggingface/transformers');
    const probe = new TransformersEmbedder({ extractor, model: probeModel, batchSize: 1, maxTokens, tokenOutput: spec?.tokenOutput, meanPooling });
    const dimension = (await probe.embed([PROBE_TEXT]))[0]?.length ?? 0;
    if (dimension < 1) throw new Error('the model gave an empty vector');
    if (spec && dimension !== spec.dimension) throw new Error(`expected ${spec.dimension} dimensions for ${spec.name}, got ${dimension}`);
    return new TransformersEmbedder({ extractor, model: { ...probeModel, dimension }, batchSize: options.batchSize, maxTokens, tokenOutput: spec?.tokenOutput, meanPooling });
  } catch (error) {
    await extractor.dispose().catch(() => undefined);
    throw new ModelUnavailableError(options.modelId, `the model loaded from ${folder} but could not embed text (${messageOf(error)}); is it a feature-extraction model?`, { cause: error });
  }
}
