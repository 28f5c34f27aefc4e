import { AbortedError } from '../errors.js';
import type { IngestReport } from '../ingest/ingest-corpus.js';
import type { Logger } from '../logger.js';
import type { AnswerWorkerStats, AskEvent, AskRequest, Pipeline } from '../pipeline.js';
import type { AskResult, Passage } from '../types.js';

/** A pipeline over a freshly ingested generation, and what that ingest did. */
export interface RebuiltPipeline {
  readonly pipeline: Pipeline;
  readonly ingest: IngestReport;
}

/** Options of {@link createLiveIndex}. */
export interface LiveIndexOptions {
  /** The pipeline serving when the server starts; the live index owns it from now on. */
  readonly initial: Pipeline;
  /**
   * Brings the index up to date with the corpus and opens a pipeline (its worker pool included) over the result. Runs
   * while the current pipeline keeps answering; throws to leave it serving.
   */
  readonly rebuild: (signal: AbortSignal) => Promise<RebuiltPipeline>;
  readonly logger?: Logger;
}

/** A pipeline that can switch to a new index generation while it serves. */
export interface LiveIndex extends Pipeline {
  /**
   * Re-indexes the corpus and switches to the result. One runs at a time: calls made while one runs share the next
   * one, so a burst of uploads costs two ingests at most. Asks already running finish on the generation they started
   * on, which is closed once they have; new asks go to the new one.
   * @returns what the ingest that covered this call did.
   * @throws what kept the ingest or the new pipeline from opening; the previous generation keeps serving.
   */
  reindex(): Promise<IngestReport>;
  /** A re-index is running or waiting. */
  readonly reindexing: boolean;
  /** Generations switched away from whose asks have not all finished yet. */
  readonly retiring: number;
}

/** One generation being served, with the calls it is running. */
interface Served {
  readonly pipeline: Pipeline;
  inFlight: number;
  retired: boolean;
  closed: Promise<void> | null;
}

/**
 * The seam between serving and re-indexing: every call goes to the current generation's pipeline, counted while it
 * runs, and {@link LiveIndex.reindex} swaps in a new one without dropping a call (the old one is closed when its
 * last call ends).
 */
export function createLiveIndex(options: LiveIndexOptions): LiveIndex {
  const { logger } = options;
  let current: Served = { pipeline: options.initial, inFlight: 0, retired: false, closed: null };
  const retiring = new Set<Served>();
  const stop = new AbortController();
  let running: Promise<IngestReport> | null = null;
  let waiting: Promise<IngestReport> | null = null;
  let closing = false;

  const closeServed = (served: Served): Promise<void> =>
    (served.closed ??= served.pipeline.close().catch((error: unknown) => logger?.error({ err: error }, 'closing a retired index generation failed')).finally(() => retiring.delete(served)));

  const acquire = (): Served => {
    current.inFlight++;
    return current;
  };
  const release = (served: Served): void => {
    served.inFlight--;
    if (served.retired && served.inFlight === 0) void closeServed(served);
  };

  async function runOnce(): Promise<IngestReport> {
    if (closing) throw new AbortedError();
    const { pipeline, ingest } = await options.rebuild(stop.signal);
    if (closing) {
      await pipeline.close();
      throw new AbortedError();
    }
    const previous = current;
    current = { pipeline, inFlight: 0, retired: false, closed: null };
    previous.retired = true;
    retiring.add(previous);
    if (previous.inFlight === 0) void closeServed(previous);
    logger?.info({ generationDir: pipeline.generationDir, documents: ingest.documents, added: ingest.added.length, removed: ingest.removed.length }, 'switched to a new index generation');
    return ingest;
  }

  function reindex(): Promise<IngestReport> {
    if (!running) {
      const started = runOnce().finally(() => {
        if (running === started) running = null;
      });
      running = started;
      return started;
    }
    // Whatever this call wants indexed may have arrived after the running ingest read the corpus: it gets the next one.
    waiting ??= running
      .catch(() => {})
      .then(() => {
        waiting = null;
        return reindex();
      });
    return waiting;
  }

  async function* askStream(request: AskRequest): AsyncGenerator<AskEvent, AskResult> {
    const served = acquire();
    try {
      return yield* served.pipeline.askStream(request);
    } finally {
      release(served);
    }
  }

  async function withServed<T>(call: (pipeline: Pipeline) => Promise<T>): Promise<T> {
    const served = acquire();
    try {
      return await call(served.pipeline);
    } finally {
      release(served);
    }
  }

  return {
    get status() {
      return current.pipeline.status;
    },
    get generationDir() {
      return current.pipeline.generationDir;
    },
    get workers(): AnswerWorkerStats | undefined {
      return current.pipeline.workers;
    },
    search: (query: string, searchOptions?: { k?: number; signal?: AbortSignal }): Promise<Passage[]> => withServed((p) => p.search(query, searchOptions)),
    ask: (request: AskRequest): Promise<AskResult> => withServed((p) => p.ask(request)),
    askStream,
    listDocuments: () => current.pipeline.listDocuments(),
    getDocument: (id) => current.pipeline.getDocument(id),
    reindex,
    get reindexing() {
      return running !== null || waiting !== null;
    },
    get retiring() {
      return retiring.size;
    },
    close: async () => {
      closing = true;
      stop.abort(new AbortedError());
      await Promise.allSettled([running, waiting]);
      await Promise.all([...retiring].map(closeServed));
      await closeServed(current);
    },
  };
}
