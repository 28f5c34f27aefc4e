import type { Config } from '../config.js';
import { ModelUnavailableError } from '../errors.js';
import { ensureModelFetched } from '../models/ensure-model-fetched.js';
import type { FetchEvent } from '../models/fetch-model.js';
import { findEmbedder, type ModelSpec } from '../models/model-catalog.js';
import type { Embedder } from './embedder.js';
import { EMBEDDINGS_DISABLED_REASON } from './lexical-reasons.js';
import { loadEmbedder, type LoadEmbedderOptions } from './load-embedder.js';
import { loadPooledEmbedder } from './pooled-embedder.js';

/** The embedder to use, or why there is none (retrieval is then lexical only). */
export type EmbedderChoice =
  | { readonly embedder: Embedder; readonly lexicalReason: null }
  | { readonly embedder: null; readonly lexicalReason: string };

export { EMBEDDINGS_DISABLED_REASON };

/** The one line users see when retrieval runs on BM25 alone. */
export function lexicalOnlyMessage(reason: string): string {
  return `retrieval: lexical only — ${reason}; see README`;
}

/** Options of `openEmbedder`. */
export interface OpenEmbedderOptions {
  readonly signal?: AbortSignal;
  /** Progress of a first-use fetch of a catalog model. */
  readonly onFetch?: (event: FetchEvent) => void;
  /** The models known by name. @default MODEL_CATALOG */
  readonly catalog?: readonly ModelSpec[];
  /**
   * Worker threads to embed in, each with its own one-thread session (pooled-embedder.ts): ingest passes
   * `embedWorkers`. @default 1 (this thread, one session with ONNX Runtime's default threads)
   */
  readonly workers?: number;
}

/**
 * Loads the configured embedding model, or explains why retrieval will be lexical only. A catalog model that is
 * missing is fetched first, from its pinned sources, when downloads are allowed and no attempt failed recently.
 * @throws ModelUnavailableError when the model cannot be loaded and `requireEmbeddings` is set.
 */
export async function openEmbedder(config: Config, options: OpenEmbedderOptions = {}): Promise<EmbedderChoice> {
  if (config.disableEmbeddings) {
    if (config.requireEmbeddings) throw new ModelUnavailableError(config.modelId, 'embeddings are disabled (DISABLE_EMBEDDINGS) but required (--require-embeddings)');
    return { embedder: null, lexicalReason: EMBEDDINGS_DISABLED_REASON };
  }
  const spec = findEmbedder(config.modelId, options.catalog);
  try {
    const fetched = spec ? await ensureModelFetched(spec, config, { onFetch: options.onFetch, signal: options.signal }) : null;
    const verified = fetched ? { onnxSha256: fetched.weightsSha256, source: fetched.source } : null;
    const load: LoadEmbedderOptions = {
      modelId: spec?.modelId ?? config.modelId,
      modelDir: config.modelDir,
      // A catalog model comes from its pinned sources only, never from an unpinned transformers.js download.
      allowRemoteModels: spec ? false : config.allowRemoteModels,
      remoteHost: config.remoteHost,
      batchSize: config.embedBatchSize,
      spec,
      verified: verified ?? undefined,
      signal: options.signal,
    };
    const workers = options.workers ?? 1;
    const embedder = workers > 1 ? await loadPooledEmbedder({ load, workers }) : await loadEmbedder(load);
    return { embedder, lexicalReason: null };
  } catch (error) {
    if (!(error instanceof ModelUnavailableError) || config.requireEmbeddings) throw error;
    return { embedder: null, lexicalReason: error.message };
  }
}
