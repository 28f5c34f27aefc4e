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

/** Another ingest holds the index lock. */
export class IndexLockedError extends VerbatimError {
  constructor(dir: string, options: { cause?: unknown } = {}) {
    super('INDEX_LOCKED', `another ingest is writing ${dir}: wait for it to finish (or remove ${dir}/.lock if no ingest is running)`, { status: 409, ...options });
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
    super('BUSY', `the server is answering too many questions (${queued} waiting): try again in a moment`, { status: 503 });
  }
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
