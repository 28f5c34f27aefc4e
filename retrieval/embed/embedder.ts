/**
 * The embedding port: turns texts into unit-length vectors.
 * The real implementation runs a transformers.js model locally; tests pass a tiny real ONNX model through the same door.
 */
export interface Embedder {
  /** Identifies model and settings; an index built with one id is never queried with another. */
  readonly id: string;
  /** Vector length. */
  readonly dimension: number;
  /** Embeds texts in order; every vector is L2-normalised. */
  embed(texts: readonly string[], options?: { signal?: AbortSignal }): Promise<number[][]>;
  /** Releases the model session. */
  dispose(): Promise<void>;
}
