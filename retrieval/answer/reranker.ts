import { throwIfAborted } from '../errors.js';

/** The re-ranking port: a question and candidate texts in, one relevance score per text out (higher is more relevant). */
export interface Reranker {
  /** Shown in traces, e.g. `embedding-cosine`. */
  readonly id: string;
  score(question: string, texts: readonly string[], signal?: AbortSignal): Promise<number[]>;
}

/**
 * The first implementation: cosine similarity of question and text embeddings, from the index's own embedder
 * (so a cached question vector is reused). Scores are in −1…1.
 */
export function createEmbeddingReranker(embed: (texts: readonly string[]) => Promise<number[][]>): Reranker {
  return {
    id: 'embedding-cosine',
    async score(question, texts, signal) {
      throwIfAborted(signal);
      const vectors = await embed([question, ...texts]);
      throwIfAborted(signal);
      const q = vectors[0] ?? [];
      return texts.map((_, i) => cosine(q, vectors[i + 1] ?? []));
    },
  };
}

/** Cosine similarity of two vectors (0 when either is all zeros). */
export function cosine(a: readonly number[], b: readonly number[]): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return na > 0 && nb > 0 ? dot / Math.sqrt(na * nb) : 0;
}
