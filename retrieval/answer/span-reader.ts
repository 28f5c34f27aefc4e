/**
 * The reading-comprehension port: a model that, given a question and a short context, points at the span of the
 * context that answers it (SQuAD-style extractive question answering). The extractive answerer uses one, when
 * configured, to pick its short answer; it never writes text of its own, so citations stay verbatim.
 */

/** A span a reader chose, as offsets into the context it was given. */
export interface ReadSpan {
  /** Offset of the first character in the context. */
  readonly start: number;
  /** Offset after the last character. */
  readonly end: number;
  /** The model's confidence, 0–1 (start probability × end probability). */
  readonly score: number;
}

/** An extractive question-answering model. */
export interface SpanReader {
  /** Identifies the model, e.g. `transformers:Xenova/distilbert-base-cased-distilled-squad:fp32`. */
  readonly id: string;
  /** The best answer span in `context`, or null when the model finds none it can place in the text. */
  read(question: string, context: string, options?: { signal?: AbortSignal }): Promise<ReadSpan | null>;
  /** Frees the model; later `read` calls throw. Safe to call twice. */
  dispose(): Promise<void>;
}
