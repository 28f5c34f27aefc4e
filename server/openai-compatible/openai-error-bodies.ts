/**
 * Errors on the OpenAI-compatible routes in OpenAI's shape, `{ error: { message, type, param, code } }`, so
 * clients raise their own typed errors. The status and Verbatim's stable `code` stay as on the rest of the API;
 * `type` is OpenAI's category for the status.
 */
import type { RequestHandler, Response } from 'express';
import { rewriteErrorBodies } from '../error-body-rewrite.js';
import type { WireType } from '../schema-types.js';
import type { openAiErrorBodySchema } from './openai-wire-schemas.js';

/** An error body as OpenAI's API sends it. */
export type OpenAiErrorBody = WireType<typeof openAiErrorBodySchema>;

/** OpenAI's category of an error. */
export type OpenAiErrorType = OpenAiErrorBody['error']['type'];

/** OpenAI's error `type` for an HTTP status. */
export function openAiErrorType(status: number): OpenAiErrorType {
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 404) return 'not_found_error';
  if (status === 429) return 'rate_limit_error';
  if (status >= 500) return 'server_error';
  return 'invalid_request_error';
}

/** The OpenAI-style body of an error. */
export function openAiErrorBody(status: number, code: string, message: string, param: string | null = null): OpenAiErrorBody {
  return { error: { message, type: openAiErrorType(status), param, code } };
}

/** Sends an OpenAI-style error. */
export function sendOpenAiError(res: Response, status: number, code: string, message: string, param: string | null = null): void {
  res.status(status).json(openAiErrorBody(status, code, message, param));
}

/**
 * Rewrites every Verbatim error body sent on these routes (by the access guard, the rate limiter, the body
 * parser, the error handler) into OpenAI's shape. Mounted before all of them, so none needs to know.
 */
export function openAiErrorBodies(): RequestHandler {
  return rewriteErrorBodies((status, code, message) => openAiErrorBody(status, code, message));
}
