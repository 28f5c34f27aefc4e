import { STATUS_CODES, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { describeIssues } from '../retrieval/ask-input.js';
import { AbortedError } from '../retrieval/errors.js';
import type { Logger } from '../retrieval/logger.js';
import type { AskEvent, Pipeline } from '../retrieval/pipeline.js';
import { describeError, errorBody, formatBytes, type EdgeError } from './error-responses.js';
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
  /** Decides whether an upgrade may proceed (host, origin, token); null allows it. */
  readonly authorize?: (req: IncomingMessage) => EdgeError | null;
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
  /**
   * Aborts every in-flight ask, sends each socket a close frame (1001, going away) and waits for the
   * closing handshakes, terminating sockets that do not finish within `timeoutMs`.
   */
  close(options?: { timeoutMs?: number }): Promise<void>;
}

/** Buffered bytes beyond which an ask waits for its socket to drain before sending more (backpressure). */
const HIGH_WATER_BYTES = 1024 * 1024;

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
  socket.end(
    `HTTP/1.1 ${error.status} ${STATUS_CODES[error.status] ?? 'Error'}\r\nConnection: close\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
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
    if (closing) {
      rejectUpgrade(socket, { status: 503, code: 'SHUTTING_DOWN', message: 'the server is shutting down' });
      return;
    }
    const denied = options.authorize?.(req);
    if (denied) {
      rejectUpgrade(socket, denied);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws));
  }

  function onConnection(ws: WebSocket): void {
    const asks = new Map<string, AbortController>();
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
      if (queued + Buffer.byteLength(data) > maxBufferedBytes) {
        logger.warn({ queuedBytes: queued, limitBytes: maxBufferedBytes }, 'terminating a WebSocket whose client does not read its frames');
        ws.terminate();
        return;
      }
      if (queued < HIGH_WATER_BYTES) {
        ws.send(data);
        return;
      }
      await sendAndWait(ws, data, signal);
    };
    const sendErrorFrame = (id: string | null, code: string, message: string) => void send({ type: 'error', id, code, message });

    async function runAsk(frame: AskFrame): Promise<void> {
      const controller = new AbortController();
      asks.set(frame.id, controller);
      activeAsks++;
      const { signal } = controller;
      try {
        const stream = pipeline.askStream({ id: frame.id, question: frame.question, history: frame.history, signal });
        for await (const event of stream) {
          // A cancelled ask has already been answered with its ABORTED frame: stay silent.
          if (signal.aborted) return;
          await send(toFrame(frame.id, event), signal);
        }
      } catch (error) {
        if (signal.aborted || error instanceof AbortedError) return;
        const described = describeError(error);
        if (described.status >= 500) logger.error({ err: error, askId: frame.id }, 'ask failed');
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

    ws.on('message', (data, isBinary) => {
      if (rawByteLength(data) > maxFrameBytes) {
        sendErrorFrame(null, 'FRAME_TOO_LARGE', `frames are limited to ${formatBytes(maxFrameBytes)}: send a shorter question or history`);
        return;
      }
      if (isBinary) {
        sendErrorFrame(null, 'BAD_FRAME', 'send JSON text frames, not binary ones');
        return;
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(rawToString(data));
      } catch {
        sendErrorFrame(null, 'BAD_JSON', 'the frame is not valid JSON');
        return;
      }
      const result = clientFrameSchema.safeParse(parsed);
      if (!result.success) {
        const id = typeof (parsed as { id?: unknown } | null)?.id === 'string' ? (parsed as { id: string }).id : null;
        sendErrorFrame(id, 'BAD_FRAME', `${describeIssues(result.error)}: expected {"type":"ask","id","question","history"?} or {"type":"cancel","id"}`);
        return;
      }
      const frame = result.data;
      if (frame.type === 'cancel') {
        cancel(frame.id, 'cancelled by the client');
        return;
      }
      if (asks.has(frame.id)) {
        sendErrorFrame(frame.id, 'DUPLICATE_ID', `an ask with id ${JSON.stringify(frame.id)} is already in flight on this socket: use a fresh id`);
        return;
      }
      if (asks.size >= maxAsks) {
        sendErrorFrame(frame.id, 'TOO_MANY_ASKS', `at most ${maxAsks} asks may be in flight on one socket: wait for one to finish or cancel it`);
        return;
      }
      void runAsk(frame);
    });
    ws.on('pong', () => alive.add(ws));
    ws.on('error', (error) => logger.debug({ err: error }, 'websocket error'));
    ws.on('close', () => {
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
