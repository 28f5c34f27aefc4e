/**
 * The real `SpanReader`: a transformers.js question-answering pipeline (a SQuAD-trained model such as
 * `Xenova/distilbert-base-cased-distilled-squad`) run locally with onnxruntime-node. `loadReader` finds and builds it;
 * this file only turns the model's decoded answer back into exact offsets of the context.
 */
import type { QuestionAnsweringPipeline } from '@huggingface/transformers';
import { ModelUnavailableError, throwIfAborted } from '../errors.js';
import type { ReadSpan, SpanReader } from './span-reader.js';

/** What `TransformersReader` wraps. */
export interface TransformersReaderParts {
  /** A loaded fp32 question-answering pipeline; the reader owns it and disposes it. */
  readonly qa: QuestionAnsweringPipeline;
  /** Hub id the pipeline was loaded from. */
  readonly modelId: string;
  /** Spans the model proposes, best first, tried until one can be placed in the context. @default 5 */
  readonly topK?: number;
}

/** A `SpanReader` over a transformers.js pipeline. Build it with `loadReader`, which handles lookup and download. */
export class TransformersReader implements SpanReader {
  readonly id: string;
  private readonly qa: QuestionAnsweringPipeline;
  private readonly modelId: string;
  private readonly topK: number;
  private disposed = false;

  constructor(parts: TransformersReaderParts) {
    this.qa = parts.qa;
    this.modelId = parts.modelId;
    this.topK = parts.topK ?? 5;
    this.id = `transformers:${parts.modelId}:fp32`;
  }

  /**
   * The model's best span that occurs in `context`. The pipeline returns decoded text, which an uncased model
   * lower-cases and which loses the original spacing, so the span is found again by `locateAnswer`.
   * Contexts longer than the model's maximum sequence length are truncated by the tokenizer.
   */
  async read(question: string, context: string, options: { signal?: AbortSignal } = {}): Promise<ReadSpan | null> {
    if (this.disposed) throw new ModelUnavailableError(this.modelId, 'this reader was disposed; load the model again');
    throwIfAborted(options.signal);
    const output = await this.qa(question, context, { top_k: this.topK });
    const answers = Array.isArray(output) ? output : [output];
    for (const { answer, score } of answers) {
      const span = locateAnswer(context, answer);
      if (span) return { ...span, score };
    }
    return null;
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.qa.dispose();
  }
}

/**
 * Where a model's decoded answer sits in the context, compared without case, accents or whitespace
 * ("astra 2a" → "Astra 2A", "u . s ." → "U.S."). The first occurrence wins; null when it is not there at all
 * (an answer holding an unknown-word token, say).
 */
export function locateAnswer(context: string, answer: string): { start: number; end: number } | null {
  const target = fold(answer).text;
  if (target.length === 0) return null;
  const folded = fold(context);
  const at = folded.text.indexOf(target);
  if (at < 0) return null;
  const last = at + target.length - 1;
  return { start: folded.from[at]!, end: folded.to[last]! };
}

/**
 * `text` lower-cased, without accents or whitespace; for each of its UTF-16 units, the span of `text` it came from.
 */
function fold(text: string): { text: string; from: number[]; to: number[] } {
  let out = '';
  const from: number[] = [];
  const to: number[] = [];
  for (let index = 0; index < text.length; ) {
    const length = text.codePointAt(index)! > 0xffff ? 2 : 1;
    const kept = text
      .slice(index, index + length)
      .normalize('NFD')
      .replace(/[\p{M}\s]/gu, '')
      .toLowerCase();
    out += kept;
    for (let k = 0; k < kept.length; k++) {
      from.push(index);
      to.push(index + length);
    }
    index += length;
  }
  return { text: out, from, to };
}
