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
}

/** Errors body-parser and the router raise (http-errors): a status and a `type` tag. */
interface HttpLikeError {
  readonly status?: number;
  readonly statusCode?: number;
  readonly type?: string;
  readonly expose?: boolean;
  readonly message: string;
}

const BODY_ERRORS: Readonly<Record<string, { code: string; message: (limit: string) => string }>> = {
  'entity.too.large': { code: 'PAYLOAD_TOO_LARGE', message: (limit) => `the request body is larger than ${limit}: send a shorter question or history` },
  'entity.parse.failed': { code: 'BAD_JSON', message: () => 'the request body is not valid JSON' },
  'encoding.unsupported': { code: 'UNSUPPORTED_ENCODING', message: () => 'the request body encoding is not supported: send plain UTF-8 JSON' },
  'charset.unsupported': { code: 'UNSUPPORTED_ENCODING', message: () => 'the request body charset is not supported: send UTF-8 JSON' },
};

/** Formats a byte count the way limits are documented, e.g. `64 KiB`. */
export function formatBytes(bytes: number): string {
  return bytes % 1024 === 0 ? `${bytes / 1024} KiB` : `${bytes} bytes`;
}

/**
 * Maps anything thrown behind the edge to a status, code and message. Only errors raised on purpose
 * (VerbatimError, validation, body parsing) keep their message; anything else becomes a generic 500 so
 * internals never leak to clients.
 */
export function describeError(error: unknown, options: { maxBodyBytes?: number } = {}): EdgeError {
  if (VerbatimError.isInstance(error)) return { status: error.status, code: error.code, message: error.message };
  if (error instanceof z.ZodError) return { status: 400, code: 'BAD_INPUT', message: describeIssues(error) };
  if (error instanceof Error) {
    const e = error as HttpLikeError;
    const status = e.status ?? e.statusCode;
    const known = e.type ? BODY_ERRORS[e.type] : undefined;
    if (known && status) return { status, code: known.code, message: known.message(options.maxBodyBytes ? formatBytes(options.maxBodyBytes) : 'the limit') };
    if (typeof status === 'number' && status >= 400 && status < 500) return { status, code: 'BAD_REQUEST', message: e.expose === false ? 'bad request' : e.message };
  }
  return { status: 500, code: 'INTERNAL', message: 'unexpected server error: see the server log' };
}

/** The JSON body of an error response. */
export function errorBody(code: string, message: string): ErrorBody {
  return { error: { code, message } };
}

/** Sends `{ error: { code, message } }` with `status`. */
export function sendError(res: Response, status: number, code: string, message: string): void {
  res.status(status).json(errorBody(code, message));
}

/**
 * The last Express middleware: every error becomes a JSON error response. 5xx are logged with their
 * stack; 4xx only at debug level, since they are the client's to fix.
 */
export function jsonErrorHandler(options: { logger: Logger; maxBodyBytes: number }): ErrorRequestHandler {
  return (error, req, res, next) => {
    const described = describeError(error, { maxBodyBytes: options.maxBodyBytes });
    if (described.status >= 500) options.logger.error({ err: error, method: req.method, url: req.originalUrl }, 'request failed');
    else options.logger.debug({ code: described.code, method: req.method, url: req.originalUrl }, described.message);
    if (res.headersSent) {
      next(error);
      return;
    }
    sendError(res, described.status, described.code, described.message);
  };
}
