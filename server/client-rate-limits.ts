import type { IncomingMessage } from 'node:http';
import type { RequestHandler } from 'express';
import { ipKeyGenerator, MemoryStore, rateLimit } from 'express-rate-limit';
import { sendError } from './error-responses.js';

/** Options of `createClientRateLimits`. */
export interface ClientRateLimitsOptions {
  /** API requests and WebSocket asks per client address per window, one budget for both. @default 300 */
  readonly requestsPerWindow?: number;
  /** Failed authentications per client address per window before 429s. @default 10 */
  readonly authFailuresPerWindow?: number;
  /** Length of the counting window. @default 60000 */
  readonly windowMs?: number;
}

/** The outcome of counting one hit against a budget. */
export interface BudgetCheck {
  /** True when this hit went past the budget: refuse it. */
  readonly limited: boolean;
  /** When the client's count starts over. */
  readonly resetTime: Date | undefined;
}

/**
 * Per-client budgets shared by the HTTP API and the WebSocket: one `MemoryStore` behind the
 * express-rate-limit middleware on `/api` is also counted from the socket, under the same key, so a
 * client cannot escape the limit by switching transports.
 */
export interface ClientRateLimits {
  /** The key a request is counted under: its peer address, IPv6 folded to its /56 as express-rate-limit does. */
  keyOf(req: IncomingMessage): string;
  /** express-rate-limit on the shared store: 429 `RATE_LIMITED` past the budget. */
  readonly requestLimiter: RequestHandler;
  /** Counts one WebSocket ask (or refused frame) against the same budget as HTTP requests. */
  takeRequest(key: string): Promise<BudgetCheck>;
  /**
   * When `key` may authenticate again, if it has failed too often in this window (refuse it before checking its
   * token); null when it is not blocked.
   */
  authBlockedUntil(key: string): Promise<Date | null>;
  /** Counts one failed authentication of `key`. */
  recordAuthFailure(key: string): Promise<void>;
  /** Stops the stores' clean-up timers. */
  close(): void;
}

/** The client address of a request; the server does not sit behind a trusted proxy, so the peer is the client. */
export function clientKeyOf(req: IncomingMessage): string {
  return ipKeyGenerator(req.socket.remoteAddress ?? 'unknown');
}

/** Builds the per-client budgets of one server; nothing is shared between servers. */
export function createClientRateLimits(options: ClientRateLimitsOptions = {}): ClientRateLimits {
  const windowMs = options.windowMs ?? 60_000;
  const requestLimit = options.requestsPerWindow ?? 300;
  const authLimit = options.authFailuresPerWindow ?? 10;
  const requests = new MemoryStore();
  const authFailures = new MemoryStore();
  // rateLimit() initialises the request store with its window; the failure store is only counted by hand.
  const requestLimiter = rateLimit({
    windowMs,
    limit: requestLimit,
    store: requests,
    keyGenerator: (req) => clientKeyOf(req),
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    handler: (_req, res) => sendError(res, 429, 'RATE_LIMITED', 'too many requests: wait a minute and try again'),
  });
  authFailures.init({ windowMs } as Parameters<MemoryStore['init']>[0]);

  return {
    keyOf: clientKeyOf,
    requestLimiter,
    async takeRequest(key) {
      const { totalHits, resetTime } = await requests.increment(key);
      return { limited: totalHits > requestLimit, resetTime };
    },
    async authBlockedUntil(key) {
      const info = await authFailures.get(key);
      if (!info || info.totalHits < authLimit) return null;
      return info.resetTime ?? new Date(Date.now() + windowMs);
    },
    async recordAuthFailure(key) {
      await authFailures.increment(key);
    },
    close() {
      requests.shutdown();
      authFailures.shutdown();
    },
  };
}
