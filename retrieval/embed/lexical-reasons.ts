/**
 * Fixed reasons for lexical-only retrieval, as plain constants: the chat page imports them (to tell a choice from a
 * fallback) without bundling the embedder code.
 */

/**
 * Why retrieval is lexical only when this run turned embeddings off. It overrides the reason an index was built
 * without vectors (say, a model that was missing then): the run's own choice is what users need to hear.
 */
export const EMBEDDINGS_DISABLED_REASON = 'embeddings disabled by DISABLE_EMBEDDINGS';
