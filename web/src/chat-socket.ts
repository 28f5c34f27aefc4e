import type { AskFrame, ClientFrame, ServerFrame } from '../../server/protocol.js';
import { WS_PATH, WS_PROTOCOL, WS_TOKEN_PROTOCOL_PREFIX } from '../../server/protocol.js';

/** Frames about one ask, or a connection-level error (`id: null`). */
export type AskListener = (frame: ServerFrame) => void;

/** Connection state, for the status line. */
export type SocketState = 'connecting' | 'open' | 'reconnecting';

/** Options of `ChatSocket`. */
export interface ChatSocketOptions {
  readonly token: string | null;
  readonly onState: (state: SocketState, detail: string) => void;
  /** Errors the server could not tie to an ask. */
  readonly onStrayError: (code: string, message: string) => void;
}

let counter = 0;

/**
 * The WebSocket to `/ws`: sends asks and cancels, routes frames to the ask they belong to, and
 * reconnects with backoff. An ask in flight when the connection drops ends with a CONNECTION_LOST error.
 */
export class ChatSocket {
  private socket: WebSocket | null = null;
  private readonly listeners = new Map<string, AskListener>();
  private readonly queue: string[] = [];
  private retryMs = 500;

  constructor(private readonly options: ChatSocketOptions) {
    this.connect();
  }

  /** Starts an ask; returns its id. */
  ask(question: string, history: AskFrame['history'], listener: AskListener): string {
    const id = `ask-${Date.now().toString(36)}-${(counter += 1)}`;
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
    this.options.onState('connecting', 'Connecting…');
    socket.addEventListener('open', () => {
      this.retryMs = 500;
      this.options.onState('open', '');
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
      const reason = event.code === 1001 ? 'The server is restarting or shutting down.' : 'The connection to the server was lost.';
      for (const [id, listener] of [...this.listeners]) {
        this.listeners.delete(id);
        listener({ type: 'error', id, code: 'CONNECTION_LOST', message: reason });
      }
      const wait = this.retryMs;
      this.retryMs = Math.min(this.retryMs * 2, 10_000);
      this.options.onState('reconnecting', `${reason} Reconnecting…`);
      setTimeout(() => this.connect(), wait);
    });
  }
}
