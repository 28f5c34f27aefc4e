/**
 * Typed errors with a stable `code` and a message a user can act on.
 * The edges (CLI, HTTP, WebSocket) turn them into exit codes, statuses and error frames.
 */

/** Base class for every error Verbatim raises on purpose. */
export class VerbatimError extends Error {
  /** Stable, machine-readable code, e.g. `INDEX_NOT_FOUND`. */
  readonly code: string;
  /** HTTP status the edge should use. */
  readonly status: number;

  constructor(code: string, message: string, options: { status?: number; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.status = options.status ?? 500;
  }

  /** True for any VerbatimError, even across module copies. */
  static isInstance(error: unknown): error is VerbatimError {
    return error instanceof Error && typeof (error as VerbatimError).code === 'string' && typeof (error as VerbatimError).status === 'number';
  }
}

/** A setting, flag or environment variable is invalid. */
export class ConfigError extends VerbatimError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('CONFIG_INVALID', message, { status: 500, ...options });
  }
}

/** The caller sent something unusable: empty question, malformed JSONL line, bad flag value. */
export class InputError extends VerbatimError {
  constructor(message: string, options: { code?: string; status?: number; cause?: unknown } = {}) {
    super(options.code ?? 'BAD_INPUT', message, { status: options.status ?? 400, cause: options.cause });
  }
}

/** The corpus folder is missing or unreadable. */
export class CorpusNotFoundError extends VerbatimError {
  constructor(dir: string, options: { cause?: unknown } = {}) {
    super('CORPUS_NOT_FOUND', `no corpus folder at ${dir}: create it or pass --corpus DIR (CORPUS_DIR)`, { status: 500, ...options });
  }
}

/** No index has been built at the index folder yet. */
export class IndexNotFoundError extends VerbatimError {
  constructor(dir: string, options: { cause?: unknown } = {}) {
    super('INDEX_NOT_FOUND', `no index at ${dir}: run \`npm run ingest -- --index ${dir}\` first`, { status: 503, ...options });
  }
}

/** An index file exists but cannot be read; names the file and the fix. */
export class IndexCorruptError extends VerbatimError {
  constructor(file: string, reason: string, options: { cause?: unknown } = {}) {
    super('INDEX_CORRUPT', `index file ${file} is unreadable (${reason}): run \`npm run ingest\` to rebuild it; the corpus files are not touched`, { status: 500, ...options });
  }
}

/** The index was built with another embedder or format than the one in use. */
export class IndexMismatchError extends VerbatimError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('INDEX_MISMATCH', message, { status: 500, ...options });
  }
}

/** A model could not be loaded: the embedding model (retrieval falls back to BM25 unless embeddings are required) or the reader (an error). */
export class ModelUnavailableError extends VerbatimError {
  /** `role` names what the model is for in the message. @default "embedding model" */
  constructor(modelId: string, reason: string, options: { cause?: unknown; role?: string } = {}) {
    super('MODEL_UNAVAILABLE', `${options.role ?? 'embedding model'} ${modelId} not available: ${reason}`, { status: 503, cause: options.cause });
  }
}

/** Who holds the index lock, as its holder recorded it beside the lock. */
export interface IndexLockHolder {
  readonly pid: number;
  readonly host: string;
  /** When it took the lock (ISO 8601). */
  readonly since: string;
}

/** Another ingest holds the index lock; names the holder when it is known. */
export class IndexLockedError extends VerbatimError {
  /** The holder as recorded beside the lock; absent when it had not yet written itself down. */
  readonly holder: IndexLockHolder | null;

  constructor(dir: string, options: { holder?: IndexLockHolder | null; cause?: unknown } = {}) {
    const { holder = null } = options;
    const who = holder ? ` (process ${holder.pid} on ${holder.host}, holding it since ${holder.since})` : '';
    super('INDEX_LOCKED', `another ingest is writing ${dir}${who}: wait for it to finish (or remove ${dir}/.lock if no ingest is running)`, { status: 409, cause: options.cause });
    this.holder = holder;
  }
}

/** An ask or search ran past its deadline; its worker was stopped, so the server is not held up by it. */
export class AnswerTimeoutError extends VerbatimError {
  constructor(deadlineMs: number) {
    super('ANSWER_TIMEOUT', `the answer took longer than ${deadlineMs} ms and was stopped: ask a shorter or more specific question, or raise ASK_DEADLINE_MS`, { status: 503 });
  }
}

/** Every answering worker is busy and the queue of waiting asks is full. */
export class ServerBusyError extends VerbatimError {
  constructor(queued: number) {
    super('SERVER_BUSY', `the server is answering too many questions (${queued} waiting): try again in a moment`, { status: 503 });
  }
}

/**
 * The lock was lost while this ingest held it: it could not be refreshed in time and another ingest (on another
 * host) took it over, or someone removed it. The ingest stops without switching the index.
 */
export class IndexLockLostError extends VerbatimError {
  constructor(dir: string, reason: string, options: { cause?: unknown } = {}) {
    super(
      'INDEX_LOCK_LOST',
      `this ingest lost its lock on ${dir} (${reason}): another ingest took it over or ${dir}/.lock was removed, so it stopped without switching the index; run \`npm run ingest\` again once no other ingest is running`,
      { status: 409, ...options },
    );
  }
}

/**
 * A new index generation could not be written: the disk is full (`DISK_FULL`) or another write failed
 * (`INDEX_WRITE_FAILED`). What it had written is removed and the previous generation, if any, stays current.
 */
export class IndexWriteError extends VerbatimError {
  /** Bytes the new generation needs at least, when known. */
  readonly neededBytes: number | null;
  /** Bytes free on the index folder's filesystem after the cleanup, when known. */
  readonly freeBytes: number | null;

  constructor(
    indexDir: string,
    details: { diskFull: boolean; reason: string; neededBytes?: number | null; freeBytes?: number | null; previousKept: boolean },
    options: { cause?: unknown } = {},
  ) {
    const { diskFull, neededBytes = null, freeBytes = null } = details;
    const space = [neededBytes !== null ? `it needs at least ${formatBytes(neededBytes)}` : null, freeBytes !== null ? `${formatBytes(freeBytes)} free there` : null]
      .filter(Boolean)
      .join(', ');
    const kept = details.previousKept ? 'the previous index is unchanged and still serves' : 'no index was written';
    const fix = diskFull
      ? `free disk space there (or point --index / INDEX_DIR at a larger disk) and run \`npm run ingest\` again`
      : `check that the folder is writable and its disk healthy, then run \`npm run ingest\` again`;
    super(
      diskFull ? 'DISK_FULL' : 'INDEX_WRITE_FAILED',
      `could not write a new index generation in ${indexDir}: ${diskFull ? 'the disk is full' : 'a write failed'} (${details.reason}${space ? `; ${space}` : ''}); what was written is removed and ${kept}; ${fix}`,
      { status: diskFull ? 507 : 500, cause: options.cause },
    );
    this.neededBytes = neededBytes;
    this.freeBytes = freeBytes;
  }
}

/** Bytes for people: `1.5 MB`, `812 kB`, `300 bytes` (decimal units, as `df -H` prints them). */
function formatBytes(bytes: number): string {
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(1)} GB`;
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(1)} MB`;
  if (bytes >= 1e3) return `${Math.round(bytes / 1e3)} kB`;
  return `${bytes} bytes`;
}

/** Work was cancelled through an AbortSignal. */
export class AbortedError extends VerbatimError {
  constructor(message = 'cancelled') {
    super('ABORTED', message, { status: 499 });
  }
}

/** Throws AbortedError when the signal has fired. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new AbortedError();
}

/**
 * Why a generator gave no usable reply; the generative answerer falls back to the extractive answer and shows this:
 * - `GENERATOR_MISSING`: the local model file is not in the model folder (`npm run models -- fetch NAME`).
 * - `GENERATOR_UNREACHABLE`: the server did not accept the connection.
 * - `GENERATOR_TIMEOUT`: no reply, or a stalled one, within `GENERATOR_TIMEOUT_MS`.
 * - `GENERATOR_FAILED`: the server answered with an error status, or the model failed while generating.
 */
export type GeneratorFailure = 'GENERATOR_MISSING' | 'GENERATOR_UNREACHABLE' | 'GENERATOR_TIMEOUT' | 'GENERATOR_FAILED';

/** A generator could not produce a reply; `code` is a {@link GeneratorFailure} and the message says what to do. */
export class GeneratorError extends VerbatimError {
  declare readonly code: GeneratorFailure;

  constructor(code: GeneratorFailure, message: string, options: { cause?: unknown } = {}) {
    super(code, message, { status: 503, ...options });
  }
}
