import type { AskFrame, ClientFrame, ServerFrame } from '../../server/protocol.js';
import { WS_PATH, WS_PROTOCOL, WS_TOKEN_PROTOCOL_PREFIX } from '../../server/protocol.js';

/** Frames about one ask, or a connection-level error (`id: null`). */
export type AskListener = (frame: ServerFrame) => void;

/**
 * Connection state: `connecting` on the first attempt, `open`, and `offline` from the first failure until a
 * reconnect succeeds (retries in between do not flicker back to `connecting`).
 */
export type SocketState = 'connecting' | 'open' | 'offline';

/** Options of `ChatSocket`. */
export interface ChatSocketOptions {
  readonly token: string | null;
  /** `detail` says why the connection is down, in a sentence (empty when open). */
  readonly onState: (state: SocketState, detail: string) => void;
  /** Errors the server could not tie to an ask. */
  readonly onStrayError: (code: string, message: string) => void;
}

/**
 * The WebSocket to `/ws`: sends asks and cancels, routes frames to the ask they belong to, and
 * reconnects with backoff. An ask in flight when the connection drops ends with a CONNECTION_LOST error.
 */
export class ChatSocket {
  private socket: WebSocket | null = null;
  private readonly listeners = new Map<string, AskListener>();
  private readonly queue: string[] = [];
  private retryMs = 500;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private state: SocketState = 'connecting';
  private asks = 0;

  constructor(private readonly options: ChatSocketOptions) {}

  /** Opens the connection; call once, after whatever `onState` updates exists. */
  start(): void {
    this.connect();
  }

  /** Starts an ask; returns its id. */
  ask(question: string, history: AskFrame['history'], listener: AskListener): string {
    const id = `ask-${Date.now().toString(36)}-${(this.asks += 1)}`;
    this.listeners.set(id, listener);
    this.send({ type: 'ask', id, question, history });
    return id;
  }

  /** Asks the server to stop `id`; it answers with an ABORTED error frame. */
  cancel(id: string): void {
    if (this.listeners.has(id)) this.send({ type: 'cancel', id });
  }

  /** Stops listening to `id` without telling the server (used after it finished). */
  forget(id: string): void {
    this.listeners.delete(id);
  }

  /** True while frames can reach the server. */
  get isOpen(): boolean {
    return this.state === 'open';
  }

  /** Tries to reconnect now instead of at the end of the backoff (a "Try now" button, the browser coming online). */
  reconnectNow(): void {
    if (this.retryTimer === null) return;
    clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.retryMs = 500;
    this.connect();
  }

  private setState(state: SocketState, detail: string): void {
    this.state = state;
    this.options.onState(state, detail);
  }

  private send(frame: ClientFrame): void {
    const data = JSON.stringify(frame);
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(data);
    else this.queue.push(data);
  }

  private connect(): void {
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    const protocols = [WS_PROTOCOL, ...(this.options.token ? [WS_TOKEN_PROTOCOL_PREFIX + this.options.token] : [])];
    const socket = new WebSocket(`${scheme}://${location.host}${WS_PATH}`, protocols);
    this.socket = socket;
    socket.addEventListener('open', () => {
      this.retryMs = 500;
      this.setState('open', '');
      for (const data of this.queue.splice(0)) socket.send(data);
    });
    socket.addEventListener('message', (event) => {
      let frame: ServerFrame;
      try {
        frame = JSON.parse(String(event.data)) as ServerFrame;
      } catch {
        return;
      }
      if (frame.id === null) {
        if (frame.type === 'error') this.options.onStrayError(frame.code, frame.message);
        return;
      }
      const listener = this.listeners.get(frame.id);
      if (!listener) return;
      if (frame.type === 'done' || frame.type === 'error') this.listeners.delete(frame.id);
      listener(frame);
    });
    socket.addEventListener('close', (event) => {
      if (this.socket !== socket) return;
      this.socket = null;
      const reason = event.code === 1001 ? 'The server is restarting or shutting down.' : this.state === 'open' ? 'The connection to the server was lost.' : 'The server does not answer.';
      for (const [id, listener] of [...this.listeners]) {
        this.listeners.delete(id);
        listener({ type: 'error', id, code: 'CONNECTION_LOST', message: reason });
      }
      const wait = this.retryMs;
      this.retryMs = Math.min(this.retryMs * 2, 10_000);
      this.setState('offline', reason);
      this.retryTimer = setTimeout(() => {
        this.retryTimer = null;
        this.connect();
      }, wait);
    });
  }
}
