import { Worker } from 'node:worker_threads';
import { DEFAULT_PDF_LIMITS, pdfTimeoutReason, type PdfConversion, type PdfLimits } from './pdf-to-text.js';
import { runnableModule } from '../workers/worker-module.js';

/** A PDF to read, as sent to the reader thread. */
export interface PdfReadRequest {
  readonly id: number;
  readonly bytes: Uint8Array;
  readonly limits: PdfLimits;
}

/** What the reader thread sends back. */
export interface PdfReadReply {
  readonly id: number;
  readonly result: PdfConversion;
}

/** Options of {@link PdfReader}. */
export interface PdfReaderOptions {
  /** The thread's module. @default `pdf-reader-thread.ts` beside this file */
  readonly workerModule?: URL;
  /** Most memory (V8 old generation) the thread may use, in MiB; a PDF needing more is skipped. @default 1024 */
  readonly maxMemoryMb?: number;
  /**
   * How long past its own time limit (`PdfLimits.timeoutMs`, checked inside the thread between PDF.js's steps) a read
   * may run before the thread is terminated: the bound for a step that never returns. @default 5000
   */
  readonly graceMs?: number;
}

/**
 * Reads PDFs in a worker thread, one at a time, so that no PDF can stall or exhaust the process that ingests it: a
 * read that overruns its time limit ends with the thread terminated (really stopping the work, even a synchronous
 * loop), one that needs more than `maxMemoryMb` ends with the thread out of memory, and either way the PDF is skipped
 * with a reason and the next read starts a fresh thread. The thread starts on the first read, so a corpus without
 * PDFs never starts it; `close` ends it.
 */
export class PdfReader {
  private worker: Worker | null = null;
  private nextId = 0;
  private readonly module: URL;
  private readonly maxMemoryMb: number;
  private readonly graceMs: number;

  constructor(options: PdfReaderOptions = {}) {
    this.module = runnableModule(options.workerModule ?? new URL('./pdf-reader-thread.ts', import.meta.url));
    this.maxMemoryMb = options.maxMemoryMb ?? 1024;
    this.graceMs = options.graceMs ?? 5000;
  }

  /** Reads one PDF; never throws for a bad file (the reason comes back), and resolves with a reason when `signal` fires. */
  read(bytes: Uint8Array, options: { readonly limits?: PdfLimits; readonly signal?: AbortSignal } = {}): Promise<PdfConversion> {
    const limits = options.limits ?? DEFAULT_PDF_LIMITS;
    const worker = (this.worker ??= this.start());
    const id = ++this.nextId;
    return new Promise<PdfConversion>((resolve) => {
      const finish = (result: PdfConversion, stop: boolean) => {
        clearTimeout(timer);
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
        options.signal?.removeEventListener('abort', onAbort);
        if (stop) this.stop(worker);
        resolve(result);
      };
      const onMessage = (reply: PdfReadReply) => {
        if (reply.id === id) finish(reply.result, false);
      };
      const onError = (error: Error) => {
        const outOfMemory = (error as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY';
        const reason = outOfMemory ? `needs more than ${this.maxMemoryMb} MiB of memory to read: skipped` : `the PDF reader failed on it (${error.message})`;
        finish({ ok: false, reason }, true);
      };
      const onExit = (code: number) => finish({ ok: false, reason: `the PDF reader stopped while reading it (exit code ${code})` }, true);
      const onAbort = () => finish({ ok: false, reason: 'reading was cancelled' }, true);
      // The thread's own limit answers first; this one ends a step that never gave it the chance.
      const timer = setTimeout(() => finish({ ok: false, reason: pdfTimeoutReason(limits) }, true), limits.timeoutMs + this.graceMs);
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
      if (options.signal?.aborted) return onAbort();
      options.signal?.addEventListener('abort', onAbort, { once: true });
      worker.postMessage({ id, bytes, limits } satisfies PdfReadRequest);
    });
  }

  /** Ends the thread, if one runs. */
  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    await worker?.terminate();
  }

  private start(): Worker {
    // A TypeScript module (no build step) is imported through tsx's API from a one-line entry: a loader given with
    // `--import` is registered asynchronously in a new thread, too late for the thread's own entry module.
    const module = JSON.stringify(this.module.href);
    const entry = this.module.pathname.endsWith('.ts')
      ? `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then(({ tsImport }) => tsImport(${module}, ${module}));`
      : `import(${module});`;
    const worker = new Worker(entry, { eval: true, resourceLimits: { maxOldGenerationSizeMb: this.maxMemoryMb } });
    // Never what keeps the process alive: an ingest that forgets to close it still exits.
    worker.unref();
    return worker;
  }

  private stop(worker: Worker): void {
    if (this.worker === worker) this.worker = null;
    void worker.terminate();
  }
}
