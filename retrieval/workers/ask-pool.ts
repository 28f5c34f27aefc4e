import { on } from 'node:events';
import { MessageChannel } from 'node:worker_threads';
import { Piscina } from 'piscina';
import type { Config } from '../config.js';
import { AbortedError, AnswerTimeoutError, ServerBusyError, throwIfAborted, VerbatimError } from '../errors.js';
import type { Logger } from '../logger.js';
import { answerEvents, finalResult, type AnswerWorkerStats, type AskEvent, type AskRequest, type Pipeline } from '../pipeline.js';
import type { AskResult, Passage } from '../types.js';
import { deserializeError, GENERATIVE_TASKS_PER_WORKER, type AskWorkerData, type WorkerMessage, type WorkerTask, type WorkerTaskBody } from './worker-messages.js';
import { workerModule } from './worker-module.js';

/**
 * V8's young generation of each answering thread, MiB. Left to V8 it grows to ~30 MiB while a worker opens the index
 * and loads wink-nlp's model, and stays that size; what an ask allocates lives briefly and fits in a small one.
 * Capped, a 100k-chunk lexical server holds ~22 MiB less with two workers, with no slower asks measured.
 */
const WORKER_YOUNG_GENERATION_MB = 8;

/** Options of {@link createPooledPipeline}. */
export interface PooledPipelineOptions {
  /**
   * The pipeline the server opened (after its ingest). It keeps serving status and documents on the server's
   * thread, which are lookups; the workers load its index generation to answer.
   */
  readonly local: Pipeline;
  /** Supplies `askWorkers`, `askDeadlineMs` and `askQueueLimit`, and is what each worker opens its pipeline with. */
  readonly config: Config;
  readonly logger?: Logger;
  /**
   * How long a cancelled or overdue task may take to stop at its next step on its own before its worker thread is
   * terminated (and replaced). Short: a task that does not stop by then is stuck in one long step. @default 100
   */
  readonly cancelGraceMs?: number;
  /**
   * The worker module: it default-exports a promise of a task handler speaking the messages of
   * `worker-messages.ts`. Tests pass one that wraps the real worker with a step that never ends. @default ./ask-worker.ts
   */
  readonly workerModule?: URL;
  /** How long the first worker may take to open the index before start-up fails. @default 120000 */
  readonly startupTimeoutMs?: number;
}

/** A pipeline whose asks and searches run in worker threads, each bounded by a deadline. */
export interface PooledPipeline extends Pipeline {
  readonly workers: AnswerWorkerStats;
}

/**
 * How long a task may take: ASK_DEADLINE_MS, and for a generated answer GENERATOR_TIMEOUT_MS more, which bounds the
 * model's writing (the answerer stops it then and keeps what it verified).
 */
function taskDeadlineMs(config: Config, task: WorkerTaskBody): number {
  return task.kind === 'ask' && config.answerer === 'generative' ? config.askDeadlineMs + config.generatorTimeoutMs : config.askDeadlineMs;
}

/**
 * Moves answering off the server's event loop: asks and searches run in a pool of worker threads (piscina), so HTTP
 * and WebSocket stay responsive whatever one question costs, and several cores answer at once. Each task has a
 * deadline counted from submission; an overdue or cancelled task is first asked to stop, and if it is inside a long
 * step its thread is terminated and replaced, so its work really ends. Resolves once a worker has opened the index
 * (start-up errors such as a damaged index surface here, not on the first ask).
 * @throws whatever keeps a worker from opening the index.
 */
export async function createPooledPipeline(options: PooledPipelineOptions): Promise<PooledPipeline> {
  const { local, config, logger } = options;
  const cancelGraceMs = options.cancelGraceMs ?? 100;
  const workerData: AskWorkerData = { config, generationDir: local.generationDir };
  const pool = new Piscina({
    ...workerModule(options.workerModule ?? new URL('./ask-worker.ts', import.meta.url)),
    workerData,
    minThreads: config.askWorkers,
    maxThreads: config.askWorkers,
    // A generative ask spends seconds waiting on its model (a server, or native threads): meanwhile its worker takes
    // other asks, so one slow model does not hold every other user up.
    concurrentTasksPerWorker: config.answerer === 'generative' ? GENERATIVE_TASKS_PER_WORKER : 1,
    // Workers hold an open index: keep them rather than reopening it after every idle moment.
    idleTimeout: Number.POSITIVE_INFINITY,
    // Tasks are async (the embedder awaits ONNX); plain messages instead of parking the thread between tasks.
    atomics: 'disabled',
    resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB },
  });
  // A worker that dies with no task running would otherwise be an unhandled 'error' event, ending the server.
  pool.on('error', (error: unknown) => logger?.error({ err: error }, 'answering worker failed'));
  let terminated = 0;
  let inFlight = 0;
  /**
   * Generative asks share worker threads (see concurrentTasksPerWorker), which piscina allows only for tasks without an
   * abort signal; a task that will not stop then has its thread terminated by id, failing the others on it too.
   */
  const shareThreads = config.answerer === 'generative';
  /** Set by close(): the tasks it ends are not failures worth a log line. */
  let closing = false;

  /** Runs one task and yields its messages until `end`; throws its error, the deadline's or the caller's abort. */
  async function* runTask(task: WorkerTaskBody, signal: AbortSignal | undefined, deadlineMs = taskDeadlineMs(config, task)): AsyncGenerator<WorkerMessage> {
    throwIfAborted(signal);
    if (pool.queueSize >= config.askQueueLimit) throw new ServerBusyError(pool.queueSize);
    const { port1, port2 } = new MessageChannel();
    const stopWaiting = new AbortController();
    const terminate = new AbortController();
    let failure: Error | null = null;
    let finished = false;
    let grace: NodeJS.Timeout | undefined;
    /** The thread running the task, from its first message. */
    let threadId: number | null = null;
    const fail = (error: Error) => {
      if (failure || finished) return;
      failure = error;
      stopWaiting.abort();
      port1.postMessage({ type: 'cancel' });
      grace = setTimeout(() => {
        if (finished) return;
        terminated++;
        logger?.warn({ task: task.kind, reason: error.message }, 'stopping an answering worker that did not stop by itself');
        terminate.abort(error);
        // Tasks that share a thread are not abortable through piscina (it runs those alone): the thread is ended here.
        if (shareThreads) void pool.threads.find((worker) => worker.threadId === threadId)?.terminate();
      }, cancelGraceMs);
    };
    const deadline = setTimeout(() => fail(new AnswerTimeoutError(deadlineMs)), deadlineMs);
    const onAbort = () => fail(signal?.reason instanceof AbortedError ? signal.reason : new AbortedError());
    signal?.addEventListener('abort', onAbort, { once: true });

    const running = pool.run({ ...task, port: port2 } as WorkerTask, {
      transferList: [port2] as unknown as NonNullable<NonNullable<Parameters<Piscina['run']>[1]>['transferList']>,
      ...(shareThreads ? {} : { signal: terminate.signal }),
    });
    inFlight++;
    running.then(
      () => {
        inFlight--;
        finished = true;
        clearTimeout(grace);
      },
      (error: unknown) => {
        inFlight--;
        if (terminate.signal.aborted || closing) return;
        logger?.error({ err: error, task: task.kind }, 'answering worker failed');
        fail(new Error(`the answering worker failed: ${error instanceof Error ? error.message : String(error)}`));
      },
    );
    try {
      for await (const [message] of on(port1, 'message', { signal: stopWaiting.signal }) as AsyncIterableIterator<[WorkerMessage]>) {
        if (message.type === 'started') {
          threadId = message.threadId;
          continue;
        }
        if (message.type === 'end') {
          finished = true;
          return;
        }
        if (message.type === 'error') {
          finished = true;
          throw deserializeError(message.error);
        }
        yield message;
      }
    } catch (error) {
      throw failure ?? error;
    } finally {
      clearTimeout(deadline);
      signal?.removeEventListener('abort', onAbort);
      // The consumer stopped early (a closed socket): end the task too.
      if (!finished) fail(new AbortedError());
      port1.close();
    }
  }

  /** An ask's events as the worker sends them; `stream: false` gets the `done` event alone. */
  async function* events(request: AskRequest, stream: boolean): AsyncGenerator<AskEvent, AskResult> {
    const { signal, ...plain } = request;
    let result: AskResult | null = null;
    for await (const message of runTask({ kind: 'ask', request: plain, stream }, signal)) {
      if (message.type === 'answer') {
        yield* answerEvents(message.result);
        result = message.result;
        yield { type: 'done', result };
      } else if (message.type === 'events') {
        for (const event of message.events) {
          if (event.type === 'done') result = event.result;
          yield event;
        }
      }
    }
    if (!result) throw new Error('the answering worker ended without an answer');
    return result;
  }

  const ask = (request: AskRequest): Promise<AskResult> => finalResult(events(request, false));

  async function search(query: string, searchOptions: { k?: number; signal?: AbortSignal } = {}): Promise<Passage[]> {
    for await (const message of runTask({ kind: 'search', query, k: searchOptions.k }, searchOptions.signal)) {
      if (message.type === 'passages') return message.passages;
    }
    throw new Error('the answering worker ended without passages');
  }

  const startupTimeoutMs = options.startupTimeoutMs ?? 120_000;
  try {
    // Opening the index in a worker is start-up, not an answer: it gets the start-up allowance, not the ask deadline.
    for await (const _ of runTask({ kind: 'ping' }, undefined, startupTimeoutMs));
  } catch (error) {
    await pool.destroy();
    if (error instanceof AnswerTimeoutError) {
      throw new VerbatimError(
        'WORKER_START_TIMEOUT',
        `the answering workers did not open the index at ${local.generationDir} within ${startupTimeoutMs} ms: check that the machine is not out of memory, or lower ASK_WORKERS`,
        { status: 503 },
      );
    }
    throw error;
  }

  return {
    status: local.status,
    generationDir: local.generationDir,
    search,
    ask,
    askStream: (request) => events(request, true),
    listDocuments: () => local.listDocuments(),
    getDocument: (id) => local.getDocument(id),
    get workers(): AnswerWorkerStats {
      return { threads: pool.threads.length, queued: pool.queueSize, terminated, inFlight };
    },
    close: async () => {
      closing = true;
      await pool.destroy();
      await local.close();
    },
  };
}
