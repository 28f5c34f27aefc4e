/**
 * Errors on `/mcp` as JSON-RPC error responses, the shape MCP clients read from a failed HTTP request (the SDK's own
 * transport answers this way): `{ jsonrpc: "2.0", error: { code, message, data: { status, code } }, id: null }`. The
 * HTTP status stays as on the rest of the API, and `data.code` is Verbatim's stable code.
 */
import type { RequestHandler, Response } from 'express';
import { rewriteErrorBodies } from '../error-body-rewrite.js';

/** JSON-RPC's code for a body that is not JSON. */
const PARSE_ERROR = -32700;
/** JSON-RPC's code for a fault of the server. */
const INTERNAL_ERROR = -32603;
/** The implementation-defined server error the MCP SDK's transport uses for every other refusal. */
const SERVER_ERROR = -32000;

/** A JSON-RPC error response not tied to a request (its id could not be read, or the request was refused before). */
export interface JsonRpcErrorBody {
  readonly jsonrpc: '2.0';
  readonly error: { readonly code: number; readonly message: string; readonly data: { readonly status: number; readonly code: string } };
  readonly id: null;
}

/** The JSON-RPC error body of a refusal with HTTP `status` and Verbatim's `code`. */
export function jsonRpcErrorBody(status: number, code: string, message: string): JsonRpcErrorBody {
  const rpcCode = code === 'BAD_JSON' ? PARSE_ERROR : status >= 500 ? INTERNAL_ERROR : SERVER_ERROR;
  return { jsonrpc: '2.0', error: { code: rpcCode, message, data: { status, code } }, id: null };
}

/** Sends a JSON-RPC error body with `status`. */
export function sendJsonRpcError(res: Response, status: number, code: string, message: string): void {
  res.status(status).json(jsonRpcErrorBody(status, code, message));
}

/**
 * Rewrites every Verbatim error body sent under `/mcp` (the access guard, the rate limiter, the body parser, the error
 * handler) into a JSON-RPC error body; a 401 also names the scheme to use (`WWW-Authenticate: Bearer`), as HTTP asks.
 */
export function mcpErrorBodies(): RequestHandler {
  const rewrite = rewriteErrorBodies(jsonRpcErrorBody);
  return (req, res, next) => {
    const json = res.json.bind(res);
    res.json = (body: unknown) => {
      if (res.statusCode === 401) res.setHeader('www-authenticate', 'Bearer realm="verbatim"');
      return json(body);
    };
    rewrite(req, res, next);
  };
}
