/**
 * Adapts our `Embedder` port to LangChain's `Embeddings`, so LangChain stores (HNSWLib) can embed through it.
 */
import { Embeddings } from '@langchain/core/embeddings';
import type { Embedder } from './embedder.js';

/** Options for `EmbedderEmbeddings`. */
export interface EmbedderEmbeddingsOptions {
  /** Cancels embedding calls made through this adapter (LangChain's interface has no per-call signal). */
  readonly signal?: AbortSignal;
}

/**
 * LangChain `Embeddings` backed by an `Embedder`. Calls go straight to the embedder rather than through
 * LangChain's retrying `AsyncCaller`: a local model fails the same way on every retry, and the embedder batches itself.
 */
export class EmbedderEmbeddings extends Embeddings {
  /** The wrapped port, for callers that need its `id` or `dimension`. */
  readonly embedder: Embedder;
  private readonly signal: AbortSignal | undefined;

  constructor(embedder: Embedder, options: EmbedderEmbeddingsOptions = {}) {
    super({ maxRetries: 0 });
    this.embedder = embedder;
    this.signal = options.signal;
  }

  /** Embeds texts in order; vectors are unit length. */
  override async embedDocuments(documents: string[]): Promise<number[][]> {
    return this.embedder.embed(documents, { signal: this.signal });
  }

  /** Embeds one query with the same model and pooling as the documents. */
  override async embedQuery(document: string): Promise<number[]> {
    const [vector] = await this.embedder.embed([document], { signal: this.signal });
    if (!vector) throw new Error(`embedder ${this.embedder.id} returned no vector for the query`);
    return vector;
  }
}
