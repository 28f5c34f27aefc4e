import type { RequestHandler } from 'express';
import { sendError } from './error-responses.js';
import type { ApiOperation } from './openapi-document.js';

/** A path template split into segments, `{name}` standing for any one segment. */
type Template = readonly string[];

function segmentsOf(path: string): string[] {
  return path.toLowerCase().split('/');
}

function matches(template: Template, segments: readonly string[]): boolean {
  return template.length === segments.length && template.every((t, i) => (t.startsWith('{') ? segments[i] !== '' : t === segments[i]));
}

/**
 * For a path the API serves, requested with a method none of its operations has: `405 METHOD_NOT_ALLOWED` with the
 * `Allow` header listing the methods it has (RFC 9110), instead of the 404 an unknown path gets; `OPTIONS` is answered
 * `204` with the same `Allow`. Everything else passes on. Mount it behind the access guard, so a client without the
 * token learns nothing about which paths exist.
 */
export function rejectUnlistedMethods(operations: readonly Pick<ApiOperation, 'method' | 'path'>[]): RequestHandler {
  const routes = operations.map((op) => ({ template: segmentsOf(op.path), method: op.method.toUpperCase() }));
  return (req, res, next) => {
    // Express ignores one trailing slash and the case of the path; so does this.
    const path = `${req.baseUrl}${req.path}`.replace(/(?<=.)\/$/, '');
    const segments = segmentsOf(path);
    const methods = new Set(routes.filter((r) => matches(r.template, segments)).map((r) => r.method));
    if (methods.size === 0) {
      next();
      return;
    }
    if (methods.has('GET')) methods.add('HEAD');
    if (methods.has(req.method)) {
      next();
      return;
    }
    const listed = [...methods];
    res.set('Allow', [...listed, 'OPTIONS'].join(', '));
    if (req.method === 'OPTIONS') res.status(204).end();
    else sendError(res, 405, 'METHOD_NOT_ALLOWED', `${path} does not take ${req.method}: use ${listed.join(' or ')}`);
  };
}
