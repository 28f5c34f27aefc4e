/**
 * Holds streamed answers in flight so a test can act mid-stream (scroll, press Stop): wraps the real pipeline,
 * passes retrieval and the first tokens through, then holds each later event while the gate is shut. The answer
 * itself stays real; only its timing is the test's.
 */
import type { Pipeline } from '../../retrieval/pipeline.js';

/** A gate over every answer's stream. */
export interface StreamGate {
  /** Wraps a pipeline (pass as `wrapPipeline` of `startTestServer`). */
  readonly wrap: (pipeline: Pipeline) => Pipeline;
  /** Holds answers after their first `passTokens` tokens, from now on. */
  shut(): void;
  /** Lets held and later answers stream on. */
  open(): void;
}

/** Creates a gate, open or shut; an aborted ask is never held. */
export function createStreamGate(options: { readonly passTokens: number; readonly shut: boolean }): StreamGate {
  let release: () => void = () => {};
  let gate = Promise.resolve();
  const gateApi: StreamGate = {
    shut() {
      gate = new Promise<void>((resolve) => (release = resolve));
    },
    open() {
      release();
      gate = Promise.resolve();
    },
    wrap: (real) => ({
      ...real,
      askStream: async function* (request) {
        const stream = real.askStream(request);
        const aborted = new Promise<void>((resolve) => request.signal?.addEventListener('abort', () => resolve(), { once: true }));
        let tokens = 0;
        for (;;) {
          const step = await stream.next();
          if (step.done) return step.value;
          const early = step.value.type === 'passages' || (step.value.type === 'token' && (tokens += 1) <= options.passTokens);
          if (!early) await Promise.race([gate, aborted]);
          yield step.value;
        }
      },
    }),
  };
  if (options.shut) gateApi.shut();
  return gateApi;
}
