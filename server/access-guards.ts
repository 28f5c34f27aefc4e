import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { RequestHandler } from 'express';
import { apiTokenProblem } from '../retrieval/config.js';
import { ConfigError } from '../retrieval/errors.js';
import { sendEdgeError, type EdgeError } from './error-responses.js';
import { WS_TOKEN_PROTOCOL_PREFIX } from './protocol.js';

/** True for names and addresses that only reach this machine. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h.endsWith('.localhost') || h === '::1' || /^127(?:\.\d{1,3}){3}$/.test(h);
}

/** The host name of a `Host` header value, without port and brackets. */
function hostnameOf(hostHeader: string | undefined): string | null {
  if (!hostHeader) return null;
  try {
    return new URL(`http://${hostHeader}`).hostname;
  } catch {
    return null;
  }
}

/**
 * Refuses to expose the documents beyond this machine without an access token: binding to anything
 * but loopback requires `API_TOKEN`. Also refuses a token no client could send (spaces, commas, too
 * short), which `loadConfig` catches too but a hand-built config would not.
 * @throws ConfigError naming the fix.
 */
export function assertSafeBinding(host: string, apiToken: string | undefined): void {
  if (apiToken !== undefined) {
    const problem = apiTokenProblem(apiToken);
    if (problem) throw new ConfigError(`API_TOKEN ${problem}`);
  }
  if (!isLoopbackHost(host) && !apiToken) {
    throw new ConfigError(`HOST=${host} would serve the documents to other machines without protection: set API_TOKEN (16+ characters) or bind to 127.0.0.1`);
  }
}

function tokenMatches(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function bearerToken(req: IncomingMessage): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  return match?.[1];
}

function protocolToken(req: IncomingMessage): string | undefined {
  const offered = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
  return offered.find((p) => p.startsWith(WS_TOKEN_PROTOCOL_PREFIX))?.slice(WS_TOKEN_PROTOCOL_PREFIX.length);
}

/** Counts failed authentications per client address; `ClientRateLimits` is one. */
export interface AuthFailureLimit {
  keyOf(req: IncomingMessage): string;
  /** When `key`'s block on authenticating ends; null when it is not blocked. */
  authBlockedUntil(key: string): Promise<Date | null>;
  recordAuthFailure(key: string): Promise<void>;
}

/** What the guards need to know about the server. */
export interface AccessPolicy {
  /** The address the server is bound to. */
  readonly bindHost: string;
  /** Token every API request and WebSocket must carry, when set. */
  readonly apiToken?: string;
  /** Where failed authentications are counted; without it they are not limited. */
  readonly authFailures?: AuthFailureLimit;
}

/**
 * Checks one request against the policy. On loopback, the `Host` header must name loopback too, so a
 * web page on another site cannot reach the server through DNS rebinding; with a token, the request
 * must carry it (`Authorization: Bearer`, or for WebSockets the `verbatim.token.<token>` subprotocol).
 * An address that has failed too often this minute gets 429 before its token is even looked at, so a
 * token cannot be guessed at request speed.
 */
export async function checkAccess(req: IncomingMessage, policy: AccessPolicy, options: { requireToken: boolean; websocket?: boolean }): Promise<EdgeError | null> {
  if (isLoopbackHost(policy.bindHost)) {
    const hostname = hostnameOf(req.headers.host);
    if (!hostname || !isLoopbackHost(hostname)) {
      return { status: 403, code: 'HOST_NOT_ALLOWED', message: 'this server only answers requests addressed to localhost / 127.0.0.1' };
    }
  }
  if (options.requireToken && policy.apiToken) {
    const failures = policy.authFailures;
    const key = failures?.keyOf(req);
    const blockedUntil = failures && key !== undefined ? await failures.authBlockedUntil(key) : null;
    if (blockedUntil) {
      const retryAfterSeconds = Math.max(0, Math.ceil((blockedUntil.getTime() - Date.now()) / 1000));
      return { status: 429, code: 'RATE_LIMITED', message: `too many failed authentications from this address: wait ${retryAfterSeconds} s, then send the right token`, retryAfterSeconds };
    }
    const given = options.websocket ? (protocolToken(req) ?? bearerToken(req)) : bearerToken(req);
    if (!tokenMatches(given, policy.apiToken)) {
      if (failures && key !== undefined) await failures.recordAuthFailure(key);
      return { status: 401, code: 'UNAUTHORIZED', message: 'missing or wrong access token: send Authorization: Bearer <API_TOKEN>' };
    }
  }
  return null;
}

/**
 * Browsers let any site open a WebSocket to any address (no CORS), so an upgrade from a browser must
 * come from a page this server served. Clients that send no Origin (CLIs, tests) are not browsers.
 */
export function checkWebSocketOrigin(req: IncomingMessage): EdgeError | null {
  const origin = req.headers.origin;
  if (origin === undefined) return null;
  let originHost: string;
  try {
    originHost = new URL(origin).host;
  } catch {
    originHost = '';
  }
  if (originHost !== '' && originHost === req.headers.host) return null;
  return { status: 403, code: 'ORIGIN_NOT_ALLOWED', message: `WebSocket connections are only accepted from pages this server served, not from ${origin}` };
}

/** Express middleware applying `checkAccess`. */
export function accessGuard(policy: AccessPolicy, options: { requireToken: boolean }): RequestHandler {
  return async (req, res, next) => {
    const denied = await checkAccess(req, policy, options);
    if (denied) sendEdgeError(res, denied);
    else next();
  };
}
