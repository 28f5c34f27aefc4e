import type { MessagePort } from 'node:worker_threads';
import type { Config } from '../config.js';
import { VerbatimError } from '../errors.js';
import type { AskEvent, AskRequest } from '../pipeline.js';
import type { AskResult, Passage } from '../types.js';

/** Asks one worker runs at once when answers are generated (one at a time otherwise: extractive asks are CPU work). */
export const GENERATIVE_TASKS_PER_WORKER = 4;

/** What every answering worker is started with: the configuration and the exact index generation to serve. */
export interface AskWorkerData {
  readonly config: Config;
  /** The generation the server loaded, so a worker started later still serves the texts the server shows. */
  readonly generationDir: string;
}

/** One unit of work for a worker; its events come back on `port`. */
export type WorkerTask =
  | {
      readonly kind: 'ask';
      readonly request: Omit<AskRequest, 'signal'>;
      /** False sends only the `done` event (HTTP asks): no token or citation events to copy across threads. */
      readonly stream: boolean;
      readonly port: MessagePort;
    }
  | { readonly kind: 'search'; readonly query: string; readonly k?: number; readonly port: MessagePort }
  | { readonly kind: 'ping'; readonly port: MessagePort };

/** A task as the pool is given it, before its port is attached. */
export type WorkerTaskBody = WorkerTask extends infer T ? (T extends WorkerTask ? Omit<T, 'port'> : never) : never;

/** An error as it crosses the thread boundary: classes do not survive structured cloning, these fields do. */
export interface SerializedError {
  /** Set for errors raised on purpose (VerbatimError): their message is meant for users. */
  readonly code?: string;
  readonly status?: number;
  readonly message: string;
  readonly stack?: string;
}

/** Worker → server, on the task's port. `end` is always the last message of a task that did not fail. */
export type WorkerMessage =
  /** Events in order; the ones produced in one synchronous burst (an extractive answer's tokens) travel together. */
  | { readonly type: 'events'; readonly events: readonly AskEvent[] }
  /**
   * A whole answer that came in one burst: its token and citation events are `answerEvents(result)`, rebuilt on the
   * server's thread instead of copied across one by one, then `done`.
   */
  | { readonly type: 'answer'; readonly result: AskResult }
  | { readonly type: 'passages'; readonly passages: Passage[] }
  /** First message of every task: which thread runs it, so a task that will not stop can have its thread terminated. */
  | { readonly type: 'started'; readonly threadId: number }
  | { readonly type: 'end' }
  | { readonly type: 'error'; readonly error: SerializedError };

/** Server → worker, on the task's port: stop at the next step boundary. */
export interface CancelMessage {
  readonly type: 'cancel';
}

/** Flattens an error for postMessage. */
export function serializeError(error: unknown): SerializedError {
  if (VerbatimError.isInstance(error)) return { code: error.code, status: error.status, message: error.message, stack: error.stack };
  if (error instanceof Error) return { message: error.message, stack: error.stack };
  return { message: String(error) };
}

/**
 * Rebuilds an error on the server's side: a VerbatimError keeps its code, status and message; anything else
 * becomes a plain Error, which the edge reports as `INTERNAL` without its message.
 */
export function deserializeError(error: SerializedError): Error {
  const rebuilt = error.code !== undefined && error.status !== undefined ? new VerbatimError(error.code, error.message, { status: error.status }) : new Error(error.message);
  if (error.stack) rebuilt.stack = error.stack;
  return rebuilt;
}
