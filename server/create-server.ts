import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import type { Config } from '../retrieval/config.js';
import { FeedbackLog } from '../retrieval/feedback/feedback-log.js';
import type { DocumentLibrary } from '../retrieval/library/document-library.js';
import type { Logger } from '../retrieval/logger.js';
import type { Pipeline } from '../retrieval/pipeline.js';
import packageJson from '../package.json' with { type: 'json' };
import { accessGuard, assertSafeBinding, checkAccess, checkWebSocketOrigin, isLoopbackHost, type AccessPolicy } from './access-guards.js';
import { apiDescription } from './api-operations.js';
import { createClientRateLimits } from './client-rate-limits.js';
import { jsonErrorHandler, sendError } from './error-responses.js';
import { createApiRouter, uploadLimitsOf } from './http-api.js';
import { mcpErrorBodies } from './mcp/mcp-error-bodies.js';
import { createMcpRouter } from './mcp/mcp-router.js';
import { rejectUnlistedMethods } from './method-not-allowed.js';
import { openAiErrorBodies } from './openai-compatible/openai-error-bodies.js';
import { createOpenAiRouter } from './openai-compatible/openai-router.js';
import { buildOpenApiDocument } from './openapi-document.js';
import { securityHeaders } from './security-headers.js';
import { prepareChatPage, serveChatPage } from './static-site.js';
import { attachWebSocketApi, type WebSocketCounters } from './websocket-api.js';

/** Options of `createServer`. */
export interface CreateServerOptions {
  readonly pipeline: Pipeline;
  /**
   * Takes uploads and deletes (`POST /api/documents`, `DELETE /api/documents/:id`) when ALLOW_UPLOADS allows them
   * (unset: on for loopback); its live index should be `pipeline`, so answers follow the changes. @default none (refused)
   */
  readonly library?: DocumentLibrary;
  /** Supplies `host`, `port`, `apiToken`, the rate and WebSocket limits and the search defaults. */
  readonly config: Config;
  readonly logger: Logger;
  /** Overrides `config.port`; tests pass 0 for a free port. */
  readonly port?: number;
  /** Overrides `config.host`. */
  readonly host?: string;
  /** Largest JSON body and WebSocket frame accepted. @default 65536 */
  readonly maxMessageBytes?: number;
  /** WebSocket ping interval; a socket that misses a pong is terminated. @default 30000 */
  readonly heartbeatMs?: number;
  /** API requests and WebSocket asks per client per minute. @default config.rateLimitPerMinute (300) */
  readonly requestsPerMinute?: number;
  /**
   * The chat page: a folder to serve as is, `'build'` to build `web/dist` if missing or stale and serve
   * it, or `false` for the API alone. @default 'build'
   */
  readonly webRoot?: string | 'build' | false;
  /** Where `POST /api/feedback` appends the readers' verdicts. @default a log at config.feedbackFile (FEEDBACK_FILE), of at most config.feedbackMaxBytes */
  readonly feedbackLog?: FeedbackLog;
}

/** A listening server. */
export interface RunningServer {
  /** e.g. `http://127.0.0.1:3000`. */
  readonly url: string;
  readonly port: number;
  /** WebSocket connections currently open. */
  readonly webSocketConnections: number;
  /**
   * WebSocket asks whose work has not finished, including aborted ones still unwinding; read-only, for
   * health checks and tests that prove a client leaving leaves no work behind.
   */
  readonly activeAsks: number;
  /** What the WebSocket limits have done (refused upgrades, closed and dropped sockets) and the bytes queued now. */
  readonly webSocketCounters: WebSocketCounters;
  /**
   * Stops accepting connections, sends every WebSocket a close frame, aborts in-flight answers and
   * resolves once the HTTP server has closed. Does not close the pipeline (the caller owns it).
   */
  close(): Promise<void>;
}

function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

/**
 * The Verbatim server: the chat page, the JSON API under `/api` (described by `GET /api/openapi.json`), the
 * streaming WebSocket on `/ws`, the OpenAI-compatible API under `/v1` and the MCP server on `/mcp`, listening once
 * the returned promise resolves.
 * @throws ConfigError when binding beyond loopback without an access token.
 */
export async function createServer(options: CreateServerOptions): Promise<RunningServer> {
  const { pipeline, config, logger } = options;
  const host = options.host ?? config.host;
  const port = options.port ?? config.port;
  const maxMessageBytes = options.maxMessageBytes ?? 64 * 1024;
  assertSafeBinding(host, config.apiToken);
  // One budget per client address for HTTP requests and WebSocket asks, one for failed authentications.
  const rateLimits = createClientRateLimits({ requestsPerWindow: options.requestsPerMinute ?? config.rateLimitPerMinute, authFailuresPerWindow: config.authFailuresPerMinute });
  const policy: AccessPolicy = { bindHost: host, apiToken: config.apiToken, authFailures: rateLimits };
  const webRoot = options.webRoot === undefined || options.webRoot === 'build' ? await prepareChatPage() : options.webRoot;
  // Changing the corpus is for its owner: on by default only when nobody else can reach the server.
  const uploadsAllowed = config.allowUploads ?? isLoopbackHost(host);
  const description = apiDescription({
    defaultK: config.topK,
    tokenRequired: config.apiToken !== undefined,
    loopbackOnly: isLoopbackHost(host),
    maxBodyBytes: maxMessageBytes,
    uploadLimits: uploadLimitsOf(config),
    version: packageJson.version,
  });
  const openApiDocument = buildOpenApiDocument(description);
  const methodsOnly = rejectUnlistedMethods(description.operations);
  const feedbackLog = options.feedbackLog ?? new FeedbackLog({ file: config.feedbackFile, maxBytes: config.feedbackMaxBytes });

  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.use(securityHeaders());
  // Before the first guard, so every refusal (a refused Host header included) has the shape its clients read:
  // JSON-RPC's under /mcp, OpenAI's under /v1.
  app.use('/mcp', mcpErrorBodies());
  app.use('/v1', openAiErrorBodies());
  app.use(accessGuard(policy, { requireToken: false }));
  app.use('/api', accessGuard(policy, { requireToken: true }), methodsOnly, createApiRouter({ pipeline, config, maxBodyBytes: maxMessageBytes, requestLimiter: rateLimits.requestLimiter, openApiDocument, feedbackLog, library: options.library ?? null, uploadsAllowed }));
  app.use('/v1', accessGuard(policy, { requireToken: true }), methodsOnly, createOpenAiRouter({ pipeline, config, logger, maxBodyBytes: maxMessageBytes, requestLimiter: rateLimits.requestLimiter }));
  app.use('/mcp', accessGuard(policy, { requireToken: true }), createMcpRouter({ pipeline, config, logger, maxBodyBytes: maxMessageBytes, requestLimiter: rateLimits.requestLimiter }));
  if (webRoot) app.use(serveChatPage({ root: webRoot }));
  app.use((req, res) => sendError(res, 404, 'NOT_FOUND', `nothing at ${req.method} ${req.path}`));
  app.use(jsonErrorHandler({ logger, maxBodyBytes: maxMessageBytes }));

  const server = http.createServer(app);
  // Bound how long a client may take to send a request, so idle or slow sockets cannot pile up.
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;
  const ws = attachWebSocketApi({
    server,
    pipeline,
    logger,
    maxFrameBytes: maxMessageBytes,
    heartbeatMs: options.heartbeatMs,
    maxConnections: config.wsMaxConnections,
    maxConnectionsPerClient: config.wsMaxConnectionsPerClient,
    maxTotalBufferedBytes: config.wsMaxBufferedBytes,
    maxBadFramesPerMinute: config.wsMaxBadFramesPerMinute,
    rateLimits,
    authorize: async (req) => (await checkAccess(req, policy, { requireToken: true, websocket: true })) ?? checkWebSocketOrigin(req),
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (error) => logger.error({ err: error }, 'server error'));
  const address = server.address() as AddressInfo;
  const url = `http://${urlHost(host)}:${address.port}`;
  let closed: Promise<void> | null = null;

  return {
    url,
    port: address.port,
    get webSocketConnections() {
      return ws.connections;
    },
    get activeAsks() {
      return ws.activeAsks;
    },
    get webSocketCounters() {
      return ws.counters;
    },
    close: () =>
      (closed ??= (async () => {
        const httpClosed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        await ws.close();
        // Requests still running (a long /api/ask) get a moment, then their connections are cut.
        const force = setTimeout(() => server.closeAllConnections(), 3000);
        force.unref();
        await httpClosed;
        clearTimeout(force);
        rateLimits.close();
      })()),
  };
}
