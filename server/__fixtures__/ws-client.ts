/** A real `ws` client that records every frame, for protocol tests. */
import { WebSocket, type ClientOptions } from 'ws';
import type { ServerFrame } from '../protocol.js';

/** A connected test client. */
export interface TestClient {
  readonly ws: WebSocket;
  /** Every frame received so far, in order. */
  readonly frames: ServerFrame[];
  send(frame: unknown): void;
  /** Resolves with the first frame (already received or future) matching `predicate`. */
  waitFor(predicate: (frame: ServerFrame) => boolean, timeoutMs?: number): Promise<ServerFrame>;
  /** Resolves with the close code once the socket has closed. */
  closed(timeoutMs?: number): Promise<number>;
  close(): void;
}

/** Opens a WebSocket and waits for it to be open. */
export async function connect(url: string, options: ClientOptions = {}): Promise<TestClient> {
  const ws = new WebSocket(url, options);
  const frames: ServerFrame[] = [];
  const waiters: { predicate: (f: ServerFrame) => boolean; resolve: (f: ServerFrame) => void }[] = [];
  let closeCode: number | null = null;
  const closeWaiters: ((code: number) => void)[] = [];
  ws.on('message', (data) => {
    const frame = JSON.parse(String(data)) as ServerFrame;
    frames.push(frame);
    for (const w of [...waiters]) {
      if (w.predicate(frame)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(frame);
      }
    }
  });
  ws.on('close', (code) => {
    closeCode = code;
    for (const resolve of closeWaiters.splice(0)) resolve(code);
  });
  ws.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused with ${res.statusCode}`)));
  });
  return {
    ws,
    frames,
    send: (frame) => ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame)),
    waitFor(predicate, timeoutMs = 10_000) {
      const seen = frames.find(predicate);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no matching frame within ${timeoutMs} ms; got ${JSON.stringify(frames.map((f) => [f.type, f.id]))}`)), timeoutMs);
        waiters.push({ predicate, resolve: (f) => (clearTimeout(timer), resolve(f)) });
      });
    },
    closed(timeoutMs = 10_000) {
      if (closeCode !== null) return Promise.resolve(closeCode);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`socket still open after ${timeoutMs} ms`)), timeoutMs);
        closeWaiters.push((code) => (clearTimeout(timer), resolve(code)));
      });
    },
    close: () => ws.close(),
  };
}

/** Frames about one ask, in arrival order. */
export function framesOf(frames: readonly ServerFrame[], id: string): ServerFrame[] {
  return frames.filter((f) => f.id === id);
}
