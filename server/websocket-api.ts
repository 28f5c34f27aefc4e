import { STATUS_CODES, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { describeIssues } from '../retrieval/ask-input.js';
import { AbortedError } from '../retrieval/errors.js';
import type { Logger } from '../retrieval/logger.js';
import type { AskEvent, Pipeline } from '../retrieval/pipeline.js';
import { clientKeyOf, type ClientRateLimits } from './client-rate-limits.js';
import { describeError, errorBody, formatBytes, logEdgeError, type EdgeError } from './error-responses.js';
import { WS_PATH, WS_PROTOCOL, type AskEventFrame, type AskFrame, type ServerFrame } from './protocol.js';
import { clientFrameSchema } from './request-schemas.js';

/** Options of `attachWebSocketApi`. */
export interface WebSocketApiOptions {
  /** The HTTP server whose `upgrade` requests are handled. */
  readonly server: Server;
  readonly pipeline: Pipeline;
  readonly logger: Logger;
  /** Path that accepts WebSocket upgrades. @default "/ws" */
  readonly path?: string;
  /** Largest frame answered normally; larger ones get an error frame and the socket stays open. @default 65536 */
  readonly maxFrameBytes?: number;
  /** Frames beyond this are not even buffered: the socket is closed with code 1009. @default 16 × maxFrameBytes */
  readonly hardMaxFrameBytes?: number;
  /** Ping interval; a socket that has not answered the previous ping is terminated. @default 30000 */
  readonly heartbeatMs?: number;
  /** Asks one socket may have in flight at once. @default 4 */
  readonly maxAsksPerSocket?: number;
  /**
   * Bytes queued for a socket (written by the server, not yet taken by the client) beyond which the
   * socket is terminated and its asks aborted: its client is not reading, and holding more would let
   * one client grow the server's memory without bound. Asks already wait for a slow reader at 1 MiB,
   * so only a client that stops reading and keeps sending gets here. @default 4194304 (4 MiB)
   */
  readonly maxBufferedBytes?: number;
  /**
   * Bytes queued for all sockets together; past it, the socket holding the most is terminated, so
   * many clients that stop reading cannot add up to unbounded memory. @default 67108864 (64 MiB)
   */
  readonly maxTotalBufferedBytes?: number;
  /** Sockets open at once; past it an upgrade gets 503 `SERVER_BUSY`. @default 1000 */
  readonly maxConnections?: number;
  /** Sockets open at once from one client address; past it an upgrade gets 429 `TOO_MANY_CONNECTIONS`. @default 64 */
  readonly maxConnectionsPerClient?: number;
  /**
   * Frames one socket may have refused per minute (each answered by an error frame) before it is
   * closed with 1008: a client sending only garbage must not turn the server into an error-frame pump. @default 100
   */
  readonly maxBadFramesPerMinute?: number;
  /**
   * The per-client budget HTTP requests are counted in; every ask and every refused frame takes one
   * from it, so the socket is no way around the HTTP rate limit. @default no limit
   */
  readonly rateLimits?: Pick<ClientRateLimits, 'keyOf' | 'takeRequest'>;
  /** Decides whether an upgrade may proceed (host, origin, token); null allows it. */
  readonly authorize?: (req: IncomingMessage) => EdgeError | null | Promise<EdgeError | null>;
}

/** What the limits have done since start-up, and the bytes queued now: for health checks and tests. */
export interface WebSocketCounters {
  /** Bytes written to all open sockets and not yet taken by their clients. */
  readonly bufferedBytes: number;
  /** The most `bufferedBytes` has been when counted (exactly, at least every 50 ms while frames are sent). */
  readonly peakBufferedBytes: number;
  /** Upgrades refused because `maxConnections` sockets were open (503 `SERVER_BUSY`). */
  readonly refusedServerBusy: number;
  /** Upgrades refused because the address had `maxConnectionsPerClient` sockets open (429 `TOO_MANY_CONNECTIONS`). */
  readonly refusedPerClient: number;
  /** Asks answered `RATE_LIMITED`. */
  readonly rateLimitedAsks: number;
  /** Sockets closed with 1008 for refusing more than `maxBadFramesPerMinute` frames. */
  readonly closedForBadFrames: number;
  /** Sockets terminated because their own backlog passed `maxBufferedBytes`. */
  readonly droppedForBacklog: number;
  /** Sockets terminated because the backlog of all sockets passed `maxTotalBufferedBytes` and theirs was the largest. */
  readonly droppedForServerBacklog: number;
}

/** The running WebSocket endpoint. */
export interface WebSocketApi {
  /** Sockets currently open. */
  readonly connections: number;
  /**
   * Asks whose work has not finished yet, including aborted ones still unwinding. Zero once every
   * client has gone: what a disconnect leaves behind would show here.
   */
  readonly activeAsks: number;
  /** A snapshot of the limits' counters. */
  readonly counters: WebSocketCounters;
  /**
   * Aborts every in-flight ask, sends each socket a close frame (1001, going away) and waits for the
   * closing handshakes, terminating sockets that do not finish within `timeoutMs`.
   */
  close(options?: { timeoutMs?: number }): Promise<void>;
}

/** Buffered bytes beyond which an ask waits for its socket to drain before sending more (backpressure). */
const HIGH_WATER_BYTES = 1024 * 1024;
/** How often, at most, the bytes queued for all sockets are counted exactly while they stay under the bound. */
const BACKLOG_RECOUNT_MS = 50;
/** How long a socket closed for misbehaving gets to finish the closing handshake before it is cut. */
const CLOSE_GRACE_MS = 1000;
/** Close code for a socket that keeps sending frames the server refuses (RFC 6455: policy violation). */
const CLOSE_POLICY_VIOLATION = 1008;

/** Resolves when `send`'s callback runs (the frame was handed to the OS) or `signal` aborts, whichever is first. */
function sendAndWait(ws: WebSocket, data: string, signal: AbortSignal | undefined): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = () => {
      signal?.removeEventListener('abort', done);
      resolve();
    };
    signal?.addEventListener('abort', done, { once: true });
    ws.send(data, done);
  });
}

function rejectUpgrade(socket: Duplex, error: EdgeError): void {
  const body = JSON.stringify(errorBody(error.code, error.message));
  const retryAfter = error.retryAfterSeconds !== undefined ? `Retry-After: ${error.retryAfterSeconds}\r\n` : '';
  socket.end(
    `HTTP/1.1 ${error.status} ${STATUS_CODES[error.status] ?? 'Error'}\r\nConnection: close\r\n${retryAfter}Content-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

function rawByteLength(data: RawData): number {
  if (Array.isArray(data)) return data.reduce((n, b) => n + b.length, 0);
  return data instanceof ArrayBuffer ? data.byteLength : data.length;
}

function rawToString(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data instanceof ArrayBuffer ? new Uint8Array(data) : data).toString('utf8');
}

/** The event as a frame about the ask `id`; `type` and then `id` lead every frame on the wire, as the README shows. */
function toFrame(id: string, event: AskEvent): AskEventFrame {
  return Object.assign({ type: event.type, id }, event);
}

/**
 * Serves the streaming chat protocol on `path`: typed JSON frames in, typed JSON frames out, one
 * AbortController per ask so `cancel` or a closed socket stops the work.
 */
export function attachWebSocketApi(options: WebSocketApiOptions): WebSocketApi {
  const { server, pipeline, logger } = options;
  const path = options.path ?? WS_PATH;
  const maxFrameBytes = options.maxFrameBytes ?? 64 * 1024;
  const maxAsks = options.maxAsksPerSocket ?? 4;
  const maxBufferedBytes = options.maxBufferedBytes ?? 4 * 1024 * 1024;
  const maxTotalBufferedBytes = options.maxTotalBufferedBytes ?? 64 * 1024 * 1024;
  const maxConnections = options.maxConnections ?? 1000;
  const maxConnectionsPerClient = options.maxConnectionsPerClient ?? 64;
  const maxBadFrames = options.maxBadFramesPerMinute ?? 100;
  const rateLimits = options.rateLimits;
  const keyOf = rateLimits?.keyOf ?? clientKeyOf;
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: options.hardMaxFrameBytes ?? maxFrameBytes * 16,
    perMessageDeflate: false,
    handleProtocols: (offered) => (offered.has(WS_PROTOCOL) ? WS_PROTOCOL : false),
  });
  const alive = new WeakSet<WebSocket>();
  const asksBySocket = new Map<WebSocket, Map<string, AbortController>>();
  let closing = false;
  let activeAsks = 0;
  /** Sockets admitted and not yet closed, overall and per client key; reserved at the upgrade, released when the TCP socket closes. */
  let admitted = 0;
  const admittedByClient = new Map<string, number>();
  const counters = { peakBufferedBytes: 0, refusedServerBusy: 0, refusedPerClient: 0, rateLimitedAsks: 0, closedForBadFrames: 0, droppedForBacklog: 0, droppedForServerBacklog: 0 };

  /** An upper bound on the bytes queued for all sockets: an exact count taken `at`, plus the bytes sent since. */
  const backlogBound = { at: Number.NEGATIVE_INFINITY, bytes: 0 };

  /** One pass over the open sockets: their queued bytes in total, and the one queuing the most. */
  function backlog(): { total: number; worst: WebSocket | null } {
    let total = 0;
    let worst: WebSocket | null = null;
    let worstBytes = 0;
    for (const client of wss.clients) {
      if (client.readyState !== WebSocket.OPEN) continue;
      const queued = client.bufferedAmount;
      total += queued;
      if (queued > worstBytes) {
        worst = client;
        worstBytes = queued;
      }
    }
    return { total, worst };
  }

  /**
   * Makes room for `bytes` more under the server-wide bound by terminating the sockets with the largest
   * backlogs (a client that reads has little queued: asks wait for it at the high-water mark). A
   * terminate frees the backlog at once, where a close frame would queue behind it unread. False when
   * `self` was one of them.
   */
  function makeRoom(self: WebSocket, bytes: number): boolean {
    // Fast path without a pass over every socket for every frame: the last exact total plus everything queued since is
    // an upper bound (sockets only drain meanwhile), so while it fits nothing needs to be dropped.
    const now = performance.now();
    if (now - backlogBound.at < BACKLOG_RECOUNT_MS && backlogBound.bytes + bytes <= maxTotalBufferedBytes) {
      backlogBound.bytes += bytes;
      return true;
    }
    let { total, worst } = backlog();
    while (total + bytes > maxTotalBufferedBytes && worst) {
      const dropped = worst;
      total -= dropped.bufferedAmount;
      counters.droppedForServerBacklog++;
      logger.warn({ queuedBytes: dropped.bufferedAmount, totalBytes: total, limitBytes: maxTotalBufferedBytes }, 'terminating the WebSocket with the largest backlog: all sockets together are over WS_MAX_BUFFERED_BYTES');
      dropped.terminate();
      if (dropped === self) return false;
      ({ total, worst } = backlog());
    }
    counters.peakBufferedBytes = Math.max(counters.peakBufferedBytes, total + bytes);
    backlogBound.at = now;
    backlogBound.bytes = total + bytes;
    return true;
  }

  /** Reserves a connection slot for `key`, or says why not; the slot is freed when `socket` closes. */
  function admit(key: string, socket: Duplex): EdgeError | null {
    if (admitted >= maxConnections) {
      counters.refusedServerBusy++;
      return { status: 503, code: 'SERVER_BUSY', message: `the server has ${maxConnections} WebSocket connections open (WS_MAX_CONNECTIONS): try again later` };
    }
    const mine = admittedByClient.get(key) ?? 0;
    if (mine >= maxConnectionsPerClient) {
      counters.refusedPerClient++;
      return {
        status: 429,
        code: 'TOO_MANY_CONNECTIONS',
        message: `this address already has ${maxConnectionsPerClient} WebSocket connections open (WS_MAX_CONNECTIONS_PER_CLIENT): close one first; one socket carries ${maxAsks} asks at once`,
      };
    }
    admitted++;
    admittedByClient.set(key, mine + 1);
    socket.once('close', () => {
      admitted--;
      const left = (admittedByClient.get(key) ?? 1) - 1;
      if (left > 0) admittedByClient.set(key, left);
      else admittedByClient.delete(key);
    });
    return null;
  }

  function onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', (error) => logger.debug({ err: error }, 'upgrade socket error'));
    let pathname: string;
    try {
      pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
    } catch {
      pathname = '';
    }
    if (pathname !== path) {
      rejectUpgrade(socket, { status: 404, code: 'NOT_FOUND', message: `WebSocket connections are served on ${path}` });
      return;
    }
    authorizeAndUpgrade(req, socket, head).catch((error: unknown) => {
      logger.error({ err: error }, 'WebSocket upgrade failed');
      if (!socket.destroyed) rejectUpgrade(socket, { status: 500, code: 'INTERNAL', message: 'unexpected server error: see the server log' });
    });
  }

  async function authorizeAndUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const denied = closing ? null : await options.authorize?.(req);
    if (socket.destroyed) return; // the client gave up while it was checked
    if (closing) {
      rejectUpgrade(socket, { status: 503, code: 'SHUTTING_DOWN', message: 'the server is shutting down' });
      return;
    }
    if (denied) {
      rejectUpgrade(socket, denied);
      return;
    }
    const key = keyOf(req);
    const refused = admit(key, socket);
    if (refused) {
      rejectUpgrade(socket, refused);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws, key, socket));
  }

  function onConnection(ws: WebSocket, clientKey: string, socket: Duplex): void {
    const asks = new Map<string, AbortController>();
    /**
     * Frames sent in one turn of the event loop (an answer's tokens and citations arrive together) leave in one write:
     * the socket is corked at the first and uncorked once the turn's promises have run.
     */
    let corked = false;
    const corkForThisTurn = () => {
      if (corked) return;
      corked = true;
      socket.cork();
      setImmediate(() => {
        corked = false;
        socket.uncork();
      });
    };
    asksBySocket.set(ws, asks);
    alive.add(ws);

    /**
     * Sends one frame. Below the high-water mark it is queued at once; above it the caller (an ask) waits
     * until the client has read its backlog, or the ask is aborted. A client that lets the queue pass
     * `maxBufferedBytes` anyway (it sends and never reads: error frames do not wait) is cut off; the
     * `close` handler then aborts its asks.
     */
    const send = async (frame: ServerFrame, signal?: AbortSignal): Promise<void> => {
      if (ws.readyState !== WebSocket.OPEN) return;
      const data = JSON.stringify(frame);
      const queued = ws.bufferedAmount;
      const bytes = Buffer.byteLength(data);
      if (queued + bytes > maxBufferedBytes) {
        counters.droppedForBacklog++;
        logger.warn({ queuedBytes: queued, limitBytes: maxBufferedBytes }, 'terminating a WebSocket whose client does not read its frames');
        ws.terminate();
        return;
      }
      if (!makeRoom(ws, bytes)) return;
      if (queued < HIGH_WATER_BYTES) {
        corkForThisTurn();
        ws.send(data);
        return;
      }
      await sendAndWait(ws, data, signal);
    };
    const sendErrorFrame = (id: string | null, code: string, message: string) => void send({ type: 'error', id, code, message });

    /** Refusals in the current one-minute window of this socket. */
    const refusals = { count: 0, windowEnds: 0 };
    let graceTimer: NodeJS.Timeout | undefined;

    /** Takes one from the client's shared budget (HTTP and WebSocket); never limited without one. */
    const takeRequest = async () => (rateLimits ? rateLimits.takeRequest(clientKey) : { limited: false, resetTime: undefined });

    /**
     * Answers a frame the server will not act on with an error frame. Each refusal counts toward the
     * socket's per-minute allowance (past it the socket is closed with 1008) and, unless the frame was an
     * ask already counted, toward the client's rate-limit budget.
     */
    const refuse = async (id: string | null, code: string, message: string, options: { budgetTaken?: boolean } = {}) => {
      const now = Date.now();
      if (now >= refusals.windowEnds) {
        refusals.count = 0;
        refusals.windowEnds = now + 60_000;
      }
      if (++refusals.count > maxBadFrames) {
        counters.closedForBadFrames++;
        logger.warn({ refused: refusals.count - 1, limit: maxBadFrames }, 'closing a WebSocket that keeps sending refused frames');
        ws.close(CLOSE_POLICY_VIOLATION, 'too many refused frames: fix the client before reconnecting');
        // A client that does not read would never see the close frame: cut it after a moment.
        graceTimer = setTimeout(() => ws.terminate(), CLOSE_GRACE_MS);
        graceTimer.unref();
        return;
      }
      if (!options.budgetTaken) await takeRequest();
      sendErrorFrame(id, code, message);
    };

    async function runAsk(frame: AskFrame): Promise<void> {
      const controller = new AbortController();
      asks.set(frame.id, controller);
      activeAsks++;
      const { signal } = controller;
      try {
        const stream = pipeline.askStream({ id: frame.id, question: frame.question, history: frame.history, ...(frame.explain ? { explain: true } : {}), signal });
        for await (const event of stream) {
          // A cancelled ask has already been answered with its ABORTED frame: stay silent.
          if (signal.aborted) return;
          await send(toFrame(frame.id, event), signal);
        }
      } catch (error) {
        if (signal.aborted || error instanceof AbortedError) return;
        const described = describeError(error);
        logEdgeError(logger, described, error, { askId: frame.id });
        sendErrorFrame(frame.id, described.code, described.message);
      } finally {
        activeAsks--;
        if (asks.get(frame.id) === controller) asks.delete(frame.id);
      }
    }

    function cancel(id: string, message: string): void {
      const controller = asks.get(id);
      if (!controller) return; // finished already, or never started: nothing to stop
      asks.delete(id);
      controller.abort(new AbortedError(message));
      sendErrorFrame(id, 'ABORTED', message);
    }

    /** Handles one client frame; frames are handled one at a time, in order (counting a frame may wait). */
    async function onFrame(data: RawData, isBinary: boolean): Promise<void> {
      if (ws.readyState !== WebSocket.OPEN) return; // closing: what it still sends is ignored
      if (rawByteLength(data) > maxFrameBytes) {
        await refuse(null, 'FRAME_TOO_LARGE', `frames are limited to ${formatBytes(maxFrameBytes)}: send a shorter question or history`);
        return;
      }
      if (isBinary) {
        await refuse(null, 'BAD_FRAME', 'send JSON text frames, not binary ones');
        return;
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(rawToString(data));
      } catch {
        await refuse(null, 'BAD_JSON', 'the frame is not valid JSON');
        return;
      }
      const result = clientFrameSchema.safeParse(parsed);
      if (!result.success) {
        const id = typeof (parsed as { id?: unknown } | null)?.id === 'string' ? (parsed as { id: string }).id : null;
        await refuse(id, 'BAD_FRAME', `${describeIssues(result.error)}: expected {"type":"ask","id","question","history"?} or {"type":"cancel","id"}`);
        return;
      }
      const frame = result.data;
      // Cancelling costs nothing: a client must always be able to stop work, even when over its budget.
      if (frame.type === 'cancel') {
        cancel(frame.id, 'cancelled by the client');
        return;
      }
      const budget = await takeRequest();
      if (ws.readyState !== WebSocket.OPEN) return;
      if (budget.limited) {
        counters.rateLimitedAsks++;
        const waitS = budget.resetTime ? Math.max(1, Math.ceil((budget.resetTime.getTime() - Date.now()) / 1000)) : 60;
        await refuse(frame.id, 'RATE_LIMITED', `too many asks and requests from this address (RATE_LIMIT_PER_MINUTE, HTTP and WebSocket together): ask again in ${waitS} s`, { budgetTaken: true });
        return;
      }
      if (asks.has(frame.id)) {
        await refuse(frame.id, 'DUPLICATE_ID', `an ask with id ${JSON.stringify(frame.id)} is already in flight on this socket: use a fresh id`, { budgetTaken: true });
        return;
      }
      if (asks.size >= maxAsks) {
        await refuse(frame.id, 'TOO_MANY_ASKS', `at most ${maxAsks} asks may be in flight on one socket: wait for one to finish or cancel it`, { budgetTaken: true });
        return;
      }
      void runAsk(frame);
    }

    let inbox = Promise.resolve();
    ws.on('message', (data, isBinary) => {
      inbox = inbox.then(() => onFrame(data, isBinary)).catch((error: unknown) => logger.error({ err: error }, 'handling a WebSocket frame failed'));
    });
    ws.on('pong', () => alive.add(ws));
    ws.on('error', (error) => logger.debug({ err: error }, 'websocket error'));
    ws.on('close', () => {
      clearTimeout(graceTimer);
      for (const controller of asks.values()) controller.abort(new AbortedError('the socket closed'));
      asks.clear();
      asksBySocket.delete(ws);
    });
  }

  const heartbeat = setInterval(() => {
    for (const ws of wss.clients) {
      if (!alive.has(ws)) {
        logger.debug('terminating a WebSocket that missed its pong');
        ws.terminate();
        continue;
      }
      alive.delete(ws);
      ws.ping();
    }
  }, options.heartbeatMs ?? 30_000);
  heartbeat.unref();

  server.on('upgrade', onUpgrade);

  return {
    get connections() {
      return wss.clients.size;
    },
    get activeAsks() {
      return activeAsks;
    },
    get counters() {
      return { bufferedBytes: backlog().total, ...counters };
    },
    async close({ timeoutMs = 2000 } = {}) {
      closing = true;
      clearInterval(heartbeat);
      server.off('upgrade', onUpgrade);
      for (const asks of asksBySocket.values()) for (const controller of asks.values()) controller.abort(new AbortedError('the server is shutting down'));
      const closed = [...wss.clients].map(
        (ws) =>
          new Promise<void>((resolve) => {
            if (ws.readyState === WebSocket.CLOSED) return resolve();
            ws.once('close', () => resolve());
            ws.close(1001, 'server shutting down');
          }),
      );
      const timer = setTimeout(() => {
        for (const ws of wss.clients) ws.terminate();
      }, timeoutMs);
      await Promise.all(closed);
      clearTimeout(timer);
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
