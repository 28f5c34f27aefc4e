import type { ErrorRequestHandler, Response } from 'express';
import { z } from 'zod';
import { describeIssues } from '../retrieval/ask-input.js';
import { VerbatimError } from '../retrieval/errors.js';
import type { Logger } from '../retrieval/logger.js';
import type { ErrorBody } from './protocol.js';

/** An error as the edge reports it: HTTP status, stable code and a message a user can act on. */
export interface EdgeError {
  readonly status: number;
  readonly code: string;
  readonly message: string;
  /** For a refusal that ends at a known time: the seconds until then, sent as `Retry-After`. */
  readonly retryAfterSeconds?: number;
}

/** Errors body-parser and the router raise (http-errors): a status and a `type` tag. */
interface HttpLikeError {
  readonly status?: number;
  readonly statusCode?: number;
  readonly type?: string;
  readonly expose?: boolean;
  readonly errno?: unknown;
  readonly code?: unknown;
  readonly message: string;
}

/**
 * body-parser's and raw-body's error types, each as a documented code and a message that says what to
 * send instead. Their own messages and codes (`Z_DATA_ERROR`, `ECONNABORTED`) are internals: the log
 * gets them, the client does not.
 */
const BODY_ERRORS: Readonly<Record<string, { status: number; code: string; message: (limit: string) => string }>> = {
  'entity.too.large': { status: 413, code: 'PAYLOAD_TOO_LARGE', message: (limit) => `the request body is larger than ${limit}: send a shorter question or history` },
  'entity.parse.failed': { status: 400, code: 'BAD_JSON', message: () => 'the request body is not valid JSON' },
  'entity.verify.failed': { status: 400, code: 'BAD_REQUEST', message: () => 'the request body was refused: send plain UTF-8 JSON' },
  'encoding.unsupported': { status: 415, code: 'UNSUPPORTED_ENCODING', message: () => 'the request body encoding is not supported: send plain UTF-8 JSON, or gzip, deflate or br' },
  'charset.unsupported': { status: 415, code: 'UNSUPPORTED_ENCODING', message: () => 'the request body charset is not supported: send UTF-8 JSON' },
  'request.aborted': { status: 400, code: 'BAD_REQUEST', message: () => 'the request body ended early: the client stopped sending it' },
  'request.size.invalid': { status: 400, code: 'BAD_REQUEST', message: () => 'the request body is not as long as its Content-Length says' },
  'stream.encoding.set': { status: 500, code: 'INTERNAL', message: () => 'unexpected server error: see the server log' },
  'stream.not.readable': { status: 500, code: 'INTERNAL', message: () => 'unexpected server error: see the server log' },
};

/** Formats a byte count the way limits are documented, e.g. `64 KiB`. */
export function formatBytes(bytes: number): string {
  if (bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
  return bytes % 1024 === 0 ? `${bytes / 1024} KiB` : `${bytes} bytes`;
}

/** A failure of node:zlib (corrupt or truncated gzip, deflate or br data): a string code and a numeric errno. */
function isZlibError(error: HttpLikeError): boolean {
  return typeof error.code === 'string' && typeof error.errno === 'number' && /^(?:Z_|ERR_)/.test(error.code);
}

/** http-errors marks its errors with `expose`; a VerbatimError never has it. */
function isHttpError(error: HttpLikeError): boolean {
  return typeof error.expose === 'boolean';
}

const INTERNAL: EdgeError = { status: 500, code: 'INTERNAL', message: 'unexpected server error: see the server log' };

/**
 * Maps anything thrown behind the edge to a status, documented code and message. Only errors raised
 * on purpose (VerbatimError, validation) keep their message; body-parser, decoding and zlib failures
 * get fixed messages; anything else becomes a generic 500, so internal codes and stack traces never
 * reach a client (the caller logs the original).
 */
export function describeError(error: unknown, options: { maxBodyBytes?: number } = {}): EdgeError {
  if (error instanceof VerbatimError) return { status: error.status, code: error.code, message: error.message };
  if (error instanceof z.ZodError) return { status: 400, code: 'BAD_INPUT', message: describeIssues(error) };
  if (!(error instanceof Error)) return INTERNAL;
  // The router's decodeParam throws the URIError of decodeURIComponent; `:id` is the only parameter.
  if (error instanceof URIError) {
    return { status: 400, code: 'BAD_REQUEST', message: 'the document id is not valid percent-encoding: encode it with encodeURIComponent' };
  }
  const e = error as HttpLikeError;
  const known = e.type ? BODY_ERRORS[e.type] : undefined;
  if (known) return { status: known.status, code: known.code, message: known.message(options.maxBodyBytes ? formatBytes(options.maxBodyBytes) : 'the limit') };
  if (isZlibError(e)) {
    return { status: 400, code: 'BAD_REQUEST', message: 'the request body is not valid data for its Content-Encoding: send it uncompressed, or gzip, deflate or br it whole' };
  }
  // A VerbatimError from another copy of the module (same shape, not the same class); http-errors and
  // system errors (errno) have a code and a status too, but theirs are internals.
  if (VerbatimError.isInstance(error) && !isHttpError(e) && e.errno === undefined) return { status: error.status, code: error.code, message: error.message };
  const status = e.status ?? e.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) return { status, code: 'BAD_REQUEST', message: 'the request could not be read: check its headers and body against the README' };
  return INTERNAL;
}

/** Server-side refusals that are the server working as designed (a deadline, a full queue), not faults. */
const EXPECTED_REFUSALS: ReadonlySet<string> = new Set(['ANSWER_TIMEOUT', 'SERVER_BUSY']);

/**
 * Logs an error the edge is about to report: faults (5xx) with their stack, expected refusals (a deadline, a full
 * queue) as one warning line, client errors (4xx) at debug level, since they are the client's to fix.
 */
export function logEdgeError(logger: Logger, described: EdgeError, error: unknown, context: Readonly<Record<string, unknown>>): void {
  if (EXPECTED_REFUSALS.has(described.code)) logger.warn({ ...context, code: described.code }, described.message);
  else if (described.status >= 500) logger.error({ ...context, err: error }, 'request failed');
  else logger.debug({ ...context, err: error, code: described.code }, described.message);
}

/** The JSON body of an error response. */
export function errorBody(code: string, message: string): ErrorBody {
  return { error: { code, message } };
}

/** Sends `{ error: { code, message } }` with `status`. */
export function sendError(res: Response, status: number, code: string, message: string): void {
  res.status(status).json(errorBody(code, message));
}

/** Sends an {@link EdgeError}, with its `Retry-After` when it has one. */
export function sendEdgeError(res: Response, error: EdgeError): void {
  if (error.retryAfterSeconds !== undefined) res.set('Retry-After', String(error.retryAfterSeconds));
  sendError(res, error.status, error.code, error.message);
}

/** The last Express middleware: every error becomes a JSON error response, logged by {@link logEdgeError}. */
export function jsonErrorHandler(options: { logger: Logger; maxBodyBytes: number }): ErrorRequestHandler {
  return (error, req, res, next) => {
    const described = describeError(error, { maxBodyBytes: options.maxBodyBytes });
    // The original error, with its internal code and stack, goes to the log only.
    logEdgeError(options.logger, described, error, { method: req.method, url: req.originalUrl });
    if (res.headersSent) {
      next(error);
      return;
    }
    sendError(res, described.status, described.code, described.message);
  };
}
