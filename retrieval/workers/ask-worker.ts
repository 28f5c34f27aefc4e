/**
 * The body of one answering worker thread (run by the pool in `ask-pool.ts`). It opens its own read-only copy of
 * the index generation the server loaded and answers one task at a time, streaming events back on the task's port.
 * Everything is wired here from `workerData`; nothing is shared with the server's thread but messages.
 */
import { threadId, workerData } from 'node:worker_threads';
import { createNlpTools } from '../answer/nlp.js';
import { AbortedError } from '../errors.js';
import { createLogger } from '../logger.js';
import { openPipeline } from '../open-pipeline.js';
import type { AskEvent, Pipeline } from '../pipeline.js';
import { warmUp } from './warm-up.js';
import { GENERATIVE_TASKS_PER_WORKER, serializeError, type AskWorkerData, type CancelMessage, type WorkerMessage, type WorkerTask } from './worker-messages.js';

/**
 * Forwards a stream's events in batches: what the stream yields without waiting on anything (the tokens and citations
 * of an extractive answer, all known at once) goes as one message — as the answer alone when it is the whole answer —
 * while events that are apart in time (passages before a slow answer, a generator's tokens) still go as soon as they
 * exist.
 */
async function streamEvents(stream: AsyncIterable<AskEvent>, post: (message: WorkerMessage) => void): Promise<void> {
  let batch: AskEvent[] = [];
  let scheduled: NodeJS.Immediate | null = null;
  /** Whether a token has gone out already: then the rest of the answer cannot be rebuilt from the result alone. */
  let tokensSent = false;
  const flush = () => {
    if (scheduled) clearImmediate(scheduled);
    scheduled = null;
    const last = batch.at(-1);
    // From the very first token to `done` in one burst of an answer's own tokens and citations: the answer alone is
    // enough to rebuild these events. A generated answer's draft tokens and verdicts are not in it, so they always travel.
    const rebuildable = batch.every((event) => event.type !== 'verification' && !(event.type === 'token' && event.draft));
    if (!tokensSent && rebuildable && batch[0]?.type === 'token' && last?.type === 'done') post({ type: 'answer', result: last.result });
    else if (batch.length > 0) post({ type: 'events', events: batch });
    if (batch.some((event) => event.type === 'token')) tokensSent = true;
    batch = [];
  };
  try {
    for await (const event of stream) {
      batch.push(event);
      if (event.type === 'passages' || event.type === 'done') flush();
      else scheduled ??= setImmediate(flush);
    }
  } finally {
    flush();
  }
}

/**
 * Answers tasks with `pipeline`: a ready pipeline, or the error that kept it from opening (reported per task).
 * `running` counts the tasks under way.
 */
function createTaskHandler(pipeline: Pipeline | Error, running: { count: number }): (task: WorkerTask) => Promise<void> {
  return async (task) => {
    running.count++;
    const { port } = task;
    const post = (message: WorkerMessage) => port.postMessage(message);
    post({ type: 'started', threadId });
    // A cancel is seen between steps (retrieval, answering, each token); a step that never yields is ended by the
    // pool terminating this thread.
    const controller = new AbortController();
    port.on('message', (message: CancelMessage) => {
      if (message.type === 'cancel') controller.abort(new AbortedError());
    });
    try {
      if (pipeline instanceof Error) throw pipeline;
      if (task.kind === 'ask' && !task.stream) {
        post({ type: 'events', events: [{ type: 'done', result: await pipeline.ask({ ...task.request, signal: controller.signal }) }] });
      } else if (task.kind === 'ask') {
        await streamEvents(pipeline.askStream({ ...task.request, signal: controller.signal }), post);
      } else if (task.kind === 'search') {
        post({ type: 'passages', passages: await pipeline.search(task.query, { k: task.k, signal: controller.signal }) });
      }
      post({ type: 'end' });
    } catch (error) {
      post({ type: 'error', error: serializeError(error) });
    } finally {
      running.count--;
      port.close();
    }
  };
}

async function start(): Promise<(task: WorkerTask) => Promise<void>> {
  // The server checked this generation's files before handing it over; the workers open it without reading them again.
  const { config, generationDir } = workerData as AskWorkerData;
  const logger = createLogger({ level: config.logLevel, name: 'verbatim-worker' });
  const opened = await openPipeline({ config, generationDir, generationChecked: true, generatorConcurrency: GENERATIVE_TASKS_PER_WORKER, logger }).then(
    (result) => result.pipeline,
    (error: unknown) => (error instanceof Error ? error : new Error(String(error))),
  );
  const running = { count: 0 };
  const handler = createTaskHandler(opened, running);
  if (!(opened instanceof Error)) {
    // Every answer reads its passages with wink-nlp: load it before the first ask rather than during it. The code of
    // retrieval and answering is warmed once the worker is ready, between real tasks (see warm-up.ts).
    createNlpTools().load();
    if (config.askWarmUp) void warmUp(opened, { busy: () => running.count > 0 }).then((asked) => logger.debug({ asked }, 'answering worker warmed up'));
  }
  return handler;
}

// piscina waits for this promise before it sends the worker any task, so a worker is ready once its index is open.
export default start();
