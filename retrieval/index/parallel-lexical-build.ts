import { MessageChannel } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { AbortedError, throwIfAborted } from '../errors.js';
import { createTermAnalyzer } from '../text/term-analysis.js';
import { workerModule } from '../workers/worker-module.js';
import type { StoredChunk } from './document-store.js';
import { BatchClaims, type LexicalBuildMessage, type LexicalBuildOutcome, type LexicalBuildTask } from './lexical-build-messages.js';
import { analyseRows, LEXICAL_BUILD_BATCH_ROWS } from './lexical-index.js';

/** Batches sent to the build thread beyond those it has claimed (about 35 ms of work each at 500 chunks). */
const BATCHES_AHEAD = 8;

/** How often batches are sent ahead while this thread is doing other work, in milliseconds. */
const PUMP_INTERVAL_MS = 5;

/** Options of `ParallelLexicalBuild.start`. */
export interface ParallelLexicalBuildOptions {
  /** Chunks per batch (one message, one claim). @default LEXICAL_BUILD_BATCH_ROWS */
  readonly batchRows?: number;
  /** Whether `finish` analyses the batches the build thread has not reached (false: the build thread analyses all). @default true */
  readonly analyseHere?: boolean;
}

/** What a finished `ParallelLexicalBuild` hands back. */
export interface ParallelLexicalBuildResult {
  /** Batches of chunks the index was built from. */
  readonly batches: number;
  /** Of those, the batches whose terms the ingest thread analysed (the build thread analysed the rest). */
  readonly batchesAnalysedHere: number;
}

/**
 * A full BM25 build on a second thread, fed while the chunks are still being made: the build thread analyses and
 * inserts batches as they arrive while this thread chunks the corpus and writes the document store; then this thread
 * analyses the batches the build thread has not reached, from the last one down, so both cores end the build together.
 * The database is the one `LexicalIndex.build` makes of the same chunks: the same rows, inserted in the same order in
 * one transaction, whichever thread analysed them (term analysis is a pure function of the text).
 *
 * At 100k chunks term analysis and FTS5 inserts take about 7 s on one thread, most of a full lexical ingest; here they
 * overlap with chunking and the document store and use the core a single-threaded ingest leaves idle.
 */
export class ParallelLexicalBuild {
  private readonly pool: Piscina;
  private readonly channel = new MessageChannel();
  private readonly claims = BatchClaims.create();
  private readonly stop = new AbortController();
  /** The chunks of every batch made, kept until this thread has had its chance to analyse them. */
  private readonly made: (readonly StoredChunk[])[] = [];
  /** Batches sent to the build thread (the first ones). */
  private sent = 0;
  private pending: StoredChunk[] = [];
  /** Sends batches while this thread is busy elsewhere (writing the document store, say) between its turns of the event loop. */
  private readonly pump = setInterval(() => this.sendAhead(), PUMP_INTERVAL_MS).unref();
  private readonly result: Promise<LexicalBuildOutcome>;
  private finishing = false;
  private closed = false;

  private constructor(
    private readonly batchRows: number,
    private readonly analyseHere: boolean,
  ) {
    this.pool = new Piscina({
      ...workerModule(new URL('./lexical-build-worker.ts', import.meta.url)),
      minThreads: 1,
      maxThreads: 1,
      idleTimeout: Number.POSITIVE_INFINITY,
      // The task awaits messages from this thread: plain messages rather than parking the thread between tasks.
      atomics: 'disabled',
    });
    const task: LexicalBuildTask = { port: this.channel.port2, claims: this.claims.buffer };
    this.result = this.pool.run(task, { transferList: [this.channel.port2] as unknown as NonNullable<NonNullable<Parameters<Piscina['run']>[1]>['transferList']>, signal: this.stop.signal }) as Promise<LexicalBuildOutcome>;
    // A build closed before `finish` rejects unheard.
    this.result.catch(() => undefined);
  }

  /** Starts the build thread; give it the chunks with `add`, in row order, and get the index with `finish`. */
  static start(options: ParallelLexicalBuildOptions = {}): ParallelLexicalBuild {
    return new ParallelLexicalBuild(Math.max(1, options.batchRows ?? LEXICAL_BUILD_BATCH_ROWS), options.analyseHere ?? true);
  }

  /** Adds chunks after those added before, in row order (the order `LexicalIndex.build` would be given them). */
  add(rows: readonly StoredChunk[]): void {
    if (this.finishing) throw new Error('ParallelLexicalBuild.add after finish');
    for (const row of rows) {
      this.pending.push(row);
      if (this.pending.length === this.batchRows) this.cut();
    }
  }

  /**
   * Ends the build and waits for it, analysing the batches the build thread has not reached meanwhile, a batch per
   * turn of the event loop (timers keep running; `signal` is honoured between batches), and has the build thread write
   * the index's SQLite database file at `file` (what `LexicalIndex.serialize` gives). Closes the build thread.
   * @throws the write's error, with its `code` (ENOSPC, say), when the file cannot be written.
   */
  async finish(file: string, options: { signal?: AbortSignal } = {}): Promise<ParallelLexicalBuildResult> {
    const { signal } = options;
    const cancel = () => this.stop.abort();
    signal?.addEventListener('abort', cancel, { once: true });
    try {
      this.finishing = true;
      if (this.pending.length > 0) this.cut();
      const batches = this.made.length;
      this.claims.setCount(batches);
      this.post({ kind: 'end', batches, file });
      let analysedHere = 0;
      let outcome: LexicalBuildOutcome;
      const analyzer = createTermAnalyzer();
      for (let batch = this.analyseHere ? this.claims.claimLast() : null; batch !== null; batch = this.claims.claimLast()) {
        throwIfAborted(signal);
        analysedHere++;
        this.post({ kind: 'analysed', batch, rows: analyseRows(analyzer, this.made[batch]!) });
        this.made[batch] = [];
        this.sendAhead();
        await new Promise((resolve) => setImmediate(resolve));
      }
      // Every batch is claimed once this thread has helped: the build thread has been sent each of its own (otherwise
      // the pump goes on sending them).
      if (this.analyseHere) this.made.length = 0;
      try {
        outcome = await this.result;
      } catch (error) {
        throwIfAborted(signal);
        throw error;
      }
      if (!outcome.written) throw Object.assign(new Error(`could not write ${file}: ${outcome.message}`), { code: outcome.code });
      return { batches, batchesAnalysedHere: analysedHere };
    } finally {
      signal?.removeEventListener('abort', cancel);
      await this.close();
    }
  }

  /** Stops the build thread (a build not finished is dropped). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.finishing = true;
    clearInterval(this.pump);
    if (!this.stop.signal.aborted) this.stop.abort(new AbortedError());
    this.channel.port1.close();
    await this.pool.destroy();
  }

  /** Ends the batch being filled. */
  private cut(): void {
    this.made.push(this.pending);
    this.pending = [];
    this.sendAhead();
  }

  /**
   * Sends the build thread the batches up to `BATCHES_AHEAD` past those it has claimed: enough that it never waits
   * for this thread, few enough that the corpus's text is not copied into its queue all at once (a batch this thread
   * ends up analysing itself is never sent raw).
   */
  private sendAhead(): void {
    const until = Math.min(this.made.length, this.claims.taken + BATCHES_AHEAD);
    for (; this.sent < until; this.sent++) {
      const rows = this.made[this.sent]!;
      if (rows.length === 0) continue;
      this.post({ kind: 'raw', batch: this.sent, rows: rows.map(({ row, chunk }) => ({ row, id: chunk.id, text: chunk.text, heading: chunk.heading })) });
    }
  }

  private post(message: LexicalBuildMessage): void {
    this.channel.port1.postMessage(message);
  }
}
