import type { Config } from '../config.js';
import { ModelUnavailableError } from '../errors.js';
import type { Embedder } from './embedder.js';
import { loadEmbedder } from './load-embedder.js';

/** The embedder to use, or why there is none (retrieval is then lexical only). */
export type EmbedderChoice =
  | { readonly embedder: Embedder; readonly lexicalReason: null }
  | { readonly embedder: null; readonly lexicalReason: string };

/**
 * Why retrieval is lexical only when this run turned embeddings off. It overrides the reason an index was built
 * without vectors (say, a model that was missing then): the run's own choice is what users need to hear.
 */
export const EMBEDDINGS_DISABLED_REASON = 'embeddings disabled by DISABLE_EMBEDDINGS';

/** The one line users see when retrieval runs on BM25 alone. */
export function lexicalOnlyMessage(reason: string): string {
  return `retrieval: lexical only — ${reason}; see README`;
}

/**
 * Loads the configured embedding model, or explains why retrieval will be lexical only.
 * @throws ModelUnavailableError when the model cannot be loaded and `requireEmbeddings` is set.
 */
export async function openEmbedder(config: Config, options: { signal?: AbortSignal } = {}): Promise<EmbedderChoice> {
  if (config.disableEmbeddings) {
    if (config.requireEmbeddings) throw new ModelUnavailableError(config.modelId, 'embeddings are disabled (DISABLE_EMBEDDINGS) but required (--require-embeddings)');
    return { embedder: null, lexicalReason: EMBEDDINGS_DISABLED_REASON };
  }
  try {
    const embedder = await loadEmbedder({
      modelId: config.modelId,
      modelDir: config.modelDir,
      allowRemoteModels: config.allowRemoteModels,
      remoteHost: config.remoteHost,
      batchSize: config.embedBatchSize,
      signal: options.signal,
    });
    return { embedder, lexicalReason: null };
  } catch (error) {
    if (!(error instanceof ModelUnavailableError) || config.requireEmbeddings) throw error;
    return { embedder: null, lexicalReason: error.message };
  }
}
