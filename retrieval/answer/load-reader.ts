/** Starts a transformers.js question-answering model as a `SpanReader` (finding and downloading it: `loadModelPipeline`). */
import path from 'node:path';
import { ModelUnavailableError } from '../errors.js';
import { loadModelPipeline, messageOf, type LoadModelOptions } from '../models/load-model-pipeline.js';
import type { SpanReader } from './span-reader.js';
import { TransformersReader } from './transformers-reader.js';

/** How errors name the reader ("reader model X not available: …"). */
const READER_ROLE = 'reader model';
const PROBE_QUESTION = 'How many?';
const PROBE_CONTEXT = 'There are 3 of them.';

/**
 * Loads a SQuAD-style question-answering model (one with `start_logits`/`end_logits` outputs, e.g.
 * `Xenova/distilbert-base-cased-distilled-squad`) as a `SpanReader`, and checks it answers a probe question.
 * @throws ModelUnavailableError with the folder looked in and why the download did not help, or when the model is
 * not a question-answering model.
 * @throws AbortedError when `signal` fires first.
 */
export async function loadReader(options: LoadModelOptions): Promise<SpanReader> {
  const qa = await loadModelPipeline('question-answering', { role: READER_ROLE, ...options });
  try {
    const probe = await qa(PROBE_QUESTION, PROBE_CONTEXT);
    const first = Array.isArray(probe) ? probe[0] : probe;
    if (typeof first?.answer !== 'string' || typeof first.score !== 'number') throw new Error('expected an answer and a score');
    return new TransformersReader({ qa, modelId: options.modelId });
  } catch (error) {
    await qa.dispose().catch(() => undefined);
    throw new ModelUnavailableError(
      options.modelId,
      `the model loaded from ${path.resolve(options.modelDir, ...options.modelId.split('/'))} but could not answer a question (${messageOf(error)}); is it a question-answering model (start and end logits)?`,
      { cause: error, role: READER_ROLE },
    );
  }
}
