/**
 * An `Embedder` that remembers recent vectors by text. At ask time the same texts come back again and again: the
 * question is embedded for search and again by the answerer, and the corpus sentences the answerer re-ranks recur
 * across questions. Ingest does not go through it: chunk texts are embedded once and stored in the index.
 */
import { LRUCache } from 'lru-cache';
import type { Embedder, EmbedderModel } from './embedder.js';

/** Wraps `inner`, keeping up to `entries` vectors (384 floats each for the default model, about 1.5 KB). */
export class CachingEmbedder implements Embedder {
  readonly id: string;
  readonly dimension: number;
  readonly model: EmbedderModel | undefined;
  private readonly inner: Embedder;
  private readonly vectors: LRUCache<string, Float32Array>;

  constructor(inner: Embedder, entries: number) {
    this.inner = inner;
    this.id = inner.id;
    this.dimension = inner.dimension;
    this.model = inner.model;
    this.vectors = new LRUCache({ max: Math.max(1, entries) });
  }

  /** Embeds only the texts not seen recently (each distinct text once), in one call to the inner embedder. */
  async embed(texts: readonly string[], options: { signal?: AbortSignal } = {}): Promise<number[][]> {
    const found = new Map<string, number[]>();
    for (const text of texts) {
      const cached = this.vectors.get(text);
      if (cached) found.set(text, Array.from(cached));
    }
    const missing = [...new Set(texts.filter((text) => !found.has(text)))];
    if (missing.length > 0) {
      const fresh = await this.inner.embed(missing, options);
      missing.forEach((text, i) => {
        const vector = fresh[i] ?? [];
        found.set(text, vector);
        this.vectors.set(text, Float32Array.from(vector));
      });
    }
    return texts.map((text) => [...(found.get(text) ?? [])]);
  }

  dispose(): Promise<void> {
    this.vectors.clear();
    return this.inner.dispose();
  }
}
