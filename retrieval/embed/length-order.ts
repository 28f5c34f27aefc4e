/**
 * The order texts are embedded in. A model call pads every text of its batch to the longest one, so batches formed
 * in the order texts arrive (ingest order) pay for padding a short chunk to a long neighbour's length. Sorting by
 * length first puts texts of nearly the same length together, as sentence-transformers' `encode` does. By tokens
 * rather than characters: on XQuAD's chunks (batch 8) ingest order pads 141 real tokens per chunk to 198, sorting by
 * characters to 163, by tokens to 144, and counting the tokens costs about 0.5 ms a chunk against some 80 ms of model
 * time (bench/RESULTS.md, "Embedding at ingest: batching by length and cores").
 */
import type { Embedder } from './embedder.js';

/**
 * Positions of `lengths`, longest first (ties keep their order): the order to form batches in. Longest first makes the
 * most expensive batch the first one, so a batch that does not fit in memory fails at once rather than at the end of a
 * long ingest, and the progress shown speeds up rather than slows down.
 */
export function longestFirst(lengths: readonly number[]): number[] {
  return [...lengths.keys()].sort((a, b) => lengths[b]! - lengths[a]! || a - b);
}

/**
 * `items` in the order `embedder` should embed them: longest first by the embedder's own token count, or by
 * characters for an embedder that cannot count tokens.
 */
export async function inEmbeddingOrder<T>(embedder: Pick<Embedder, 'countTokens'>, items: readonly T[], textOf: (item: T) => string, options: { signal?: AbortSignal } = {}): Promise<T[]> {
  const texts = items.map(textOf);
  const lengths = (await embedder.countTokens?.(texts, options)) ?? texts.map((text) => text.length);
  return longestFirst(lengths).map((position) => items[position]!);
}
