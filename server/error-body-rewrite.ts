import type { RequestHandler } from 'express';
import type { ErrorBody } from './protocol.js';

/** True for the `{ error: { code, message } }` body every Verbatim refusal is sent with. */
function isVerbatimErrorBody(body: unknown): body is ErrorBody {
  if (typeof body !== 'object' || body === null) return false;
  const error = (body as { error?: unknown }).error;
  return typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'string' && typeof (error as { message?: unknown }).message === 'string' && !('type' in error);
}

/**
 * Rewrites every Verbatim error body sent on the routes it is mounted on (by the access guard, the rate limiter, the
 * body parser, the error handler) into another protocol's error shape, so none of them needs to know which protocol a
 * route speaks. Mounted before all of them; the status stays, and `toBody` gets Verbatim's stable code and message.
 */
export function rewriteErrorBodies(toBody: (status: number, code: string, message: string) => unknown): RequestHandler {
  return (_req, res, next) => {
    const json = res.json.bind(res);
    res.json = (body: unknown) => {
      if (res.statusCode >= 400 && isVerbatimErrorBody(body)) return json(toBody(res.statusCode, body.error.code, body.error.message));
      return json(body);
    };
    next();
  };
}
