import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import type { Pipeline } from '../pipeline.js';

/**
 * Questions an answering worker asks its own index once it is open, so that the first questions people ask are not
 * also the ones that make V8 compile the retrieval and answering code: a worker's first ~200 answers cost 22–30 ms
 * each against ~10 ms once its code is optimised, and 40 asks beforehand halved the answer stage's p95 at 100k chunks.
 * Of every kind the answerer tells apart (who, when, how many, where, what, why, a yes/no and a bare keyword), and
 * about nothing in particular: any corpus answers or abstains on them, and both paths are warmed.
 */
export const WARM_UP_QUESTIONS: readonly string[] = [
  'Who founded it?',
  'When was it built?',
  'How many people live there?',
  'Where is the headquarters?',
  'What is the main purpose of the project?',
  'Why did the company change its name?',
  'Is the river longer than the canal?',
  'How long did the construction take?',
  'When did the war end?',
  'Where was the treaty signed?',
  'Who wrote the report and when?',
  'temperature',
];

/** How often warming looks again whether the real task it waits for has ended. */
const BUSY_POLL_MS = 10;

/** Options of {@link warmUp}. */
export interface WarmUpOptions {
  /** True while the worker has a real task: warming waits for it to end rather than competing with it. */
  readonly busy: () => boolean;
  /** @default WARM_UP_QUESTIONS */
  readonly questions?: readonly string[];
}

/**
 * Asks the warm-up questions one at a time, quoting the documents only (no language model is started), yielding to
 * real tasks before each. Never throws: a question that fails is one less warmed.
 * @returns how many were asked.
 */
export async function warmUp(pipeline: Pipeline, options: WarmUpOptions): Promise<number> {
  let asked = 0;
  for (const question of options.questions ?? WARM_UP_QUESTIONS) {
    await nextTurn();
    while (options.busy()) await sleep(BUSY_POLL_MS);
    try {
      await pipeline.ask({ question, quoteOnly: true });
      asked++;
    } catch {
      // Nothing to report: a worker that cannot answer says so on its first real task.
    }
  }
  return asked;
}
