/**
 * Clients that misbehave — vanish mid-answer, send garbage, never read — against the real server on an
 * ephemeral loopback port with real sockets: no work is left running, memory stays bounded, and every
 * other client keeps being served. Every loop here is bounded in count and time.
 */
import crypto from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import v8 from 'node:v8';
import vm from 'node:vm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { AskEvent, AskRequest, Pipeline } from '../retrieval/pipeline.js';
import type { AskResult } from '../retrieval/types.js';
import { startTestServer, type TestServer } from './__fixtures__/test-server.js';
import { connect, type TestClient } from './__fixtures__/ws-client.js';
import { WS_PROTOCOL, type ServerFrame } from './protocol.js';
import { seededRandom } from '../retrieval/__fixtures__/seeded-random.js';

const QUESTION = 'How many foreign law enforcement officers did China train in 2023?';
const MiB = 1024 * 1024;

// A full collection before each memory reading, so the figures show what is retained, not when V8 last
// ran. `--expose-gc` cannot be passed to the test worker, but the flag may still be set at run time.
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;
/** Heap plus Buffers (a socket's backlog lives in Buffers, outside the heap), after two full collections. */
function retainedBytes(): number {
  gc();
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));


/** A client-to-server WebSocket frame built by hand (masked, as the protocol requires of clients). */
function clientFrame(payload: Buffer | string, options: { opcode?: number; masked?: boolean; rsv1?: boolean } = {}): Buffer {
  const data = Buffer.isBuffer(payload) ? payload : Buffer.from(payload);
  const masked = options.masked ?? true;
  const first = 0x80 | (options.rsv1 ? 0x40 : 0) | (options.opcode ?? 0x1);
  const len = data.length;
  const header = len < 126 ? Buffer.from([first, (masked ? 0x80 : 0) | len]) : Buffer.from([first, (masked ? 0x80 : 0) | 126, len >> 8, len & 0xff]);
  if (!masked) return Buffer.concat([header, data]);
  const mask = crypto.randomBytes(4);
  const body = Buffer.alloc(len);
  for (let i = 0; i < len; i++) body[i] = data[i]! ^ mask[i & 3]!;
  return Buffer.concat([header, mask, body]);
}

/** A raw TCP socket that has completed the WebSocket upgrade; it reads only what we ask it to. */
async function rawWebSocket(url: string): Promise<net.Socket> {
  const { port } = new URL(url);
  const socket = net.connect(Number(port), '127.0.0.1');
  socket.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('error', reject);
  });
  socket.write(
    `GET /ws HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: ${crypto.randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: ${WS_PROTOCOL}\r\n\r\n`,
  );
  const head = await new Promise<string>((resolve, reject) => {
    let seen = '';
    const onData = (d: Buffer) => {
      seen += d.toString('latin1');
      if (seen.includes('\r\n\r\n')) {
        socket.off('data', onData);
        resolve(seen);
      }
    };
    socket.on('data', onData);
    setTimeout(() => reject(new Error(`no upgrade response: ${seen}`)), 5000);
  });
  expect(head.split('\r\n')[0]).toBe('HTTP/1.1 101 Switching Protocols');
  return socket;
}

/** Resolves once the socket has closed (either side), or rejects after `timeoutMs`. */
function socketClosed(socket: net.Socket, timeoutMs = 5000): Promise<void> {
  if (socket.destroyed) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`socket still open after ${timeoutMs} ms`)), timeoutMs);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** Asks once on a fresh socket and returns the final frame: proves the server still serves. */
async function askOnce(url: string, id = 'probe'): Promise<ServerFrame> {
  const c = await connect(url);
  try {
    c.send({ type: 'ask', id, question: QUESTION });
    return await c.waitFor((f) => f.id === id && (f.type === 'done' || f.type === 'error'), 15_000);
  } finally {
    c.close();
  }
}

/**
 * Wraps the real pipeline so each event of an answer arrives `delayMs` apart (a disconnect then lands
 * mid-answer for sure) and counts the answer streams still open: a stream never closed is leaked work.
 */
function slowedPipeline(delayMs: number): { wrap: (p: Pipeline) => Pipeline; readonly open: number; readonly started: number } {
  const counts = { open: 0, started: 0 };
  return {
    get open() {
      return counts.open;
    },
    get started() {
      return counts.started;
    },
    wrap: (real) => ({
      ...real,
      askStream: async function* (request: AskRequest): AsyncGenerator<AskEvent, AskResult> {
        counts.started++;
        counts.open++;
        const inner = real.askStream(request);
        try {
          for (;;) {
            const step = await inner.next();
            if (step.done) return step.value;
            await new Promise<void>((resolve) => {
              const done = () => {
                clearTimeout(timer);
                request.signal?.removeEventListener('abort', done);
                resolve();
              };
              const timer = setTimeout(done, delayMs);
              request.signal?.addEventListener('abort', done, { once: true });
            });
            yield step.value;
          }
        } finally {
          await inner.return?.(undefined as never);
          counts.open--;
        }
      },
    }),
  };
}

let t: TestServer;
const clients: TestClient[] = [];
beforeAll(async () => {
  t = await startTestServer({ requestsPerMinute: 100_000 });
  expect((await askOnce(t.wsUrl, 'warm-up')).type).toBe('done');
});
afterEach(() => {
  for (const c of clients.splice(0)) c.close();
});
afterAll(async () => {
  await t?.close();
});

describe('clients that disconnect mid-answer', () => {
  it('leave no asks in flight after 30 of them, and the server keeps serving', async () => {
    const slow = slowedPipeline(15);
    const s = await startTestServer({ wrapPipeline: slow.wrap });
    try {
      for (let batch = 0; batch < 3; batch++) {
        await Promise.all(
          Array.from({ length: 10 }, async (_, i) => {
            const c = await connect(s.wsUrl);
            c.send({ type: 'ask', id: 'a', question: QUESTION });
            c.send({ type: 'ask', id: 'b', question: 'Which Chinese leader launched the Global Security Initiative?' });
            // The first token has arrived and `done` cannot have: the socket goes away mid-answer.
            await c.waitFor((f) => f.type === 'token');
            if (i % 2 === 0) c.ws.terminate(); // no close frame, like a dropped connection
            else c.close();
          }),
        );
      }
      expect(slow.started).toBe(60);
      await expect.poll(() => s.server.activeAsks, { timeout: 5000 }).toBe(0);
      await expect.poll(() => slow.open, { timeout: 5000 }).toBe(0);
      await expect.poll(() => s.server.webSocketConnections, { timeout: 5000 }).toBe(0);
      expect((await askOnce(s.wsUrl)).type).toBe('done');
    } finally {
      await s.close();
    }
  });

  it('leave nothing behind when they vanish right after asking (real pipeline)', async () => {
    await Promise.all(
      Array.from({ length: 30 }, async (_, i) => {
        const c = await connect(t.wsUrl);
        for (let k = 0; k < 4; k++) c.send({ type: 'ask', id: `q${k}`, question: QUESTION });
        if (i % 3 === 0) await sleep(i % 7);
        if (i % 2 === 0) c.ws.terminate();
        else c.close();
      }),
    );
    await expect.poll(() => t.server.activeAsks, { timeout: 5000 }).toBe(0);
    await expect.poll(() => t.server.webSocketConnections, { timeout: 5000 }).toBe(0);
    expect((await askOnce(t.wsUrl)).type).toBe('done');
    const health = await fetch(`${t.url}/api/health`);
    expect(health.status).toBe(200);
  });
});

describe('clients that send garbage', () => {
  const ERROR_CODES = new Set(['BAD_JSON', 'BAD_FRAME', 'FRAME_TOO_LARGE', 'TOO_MANY_ASKS', 'DUPLICATE_ID']);
  const WRONG_SHAPES: unknown[] = [
    null,
    42,
    'ask',
    true,
    [],
    {},
    { type: 7 },
    { type: 'ask' },
    { type: 'ask', id: 5, question: QUESTION },
    { type: 'ask', id: '', question: QUESTION },
    { type: 'ask', id: 'x'.repeat(300), question: QUESTION },
    { type: 'ask', id: 'g', question: 42 },
    { type: 'ask', id: 'g', question: null },
    { type: 'ask', id: 'g', question: '   ' },
    { type: 'ask', id: 'g', question: 'q'.repeat(2001) },
    { type: 'ask', id: 'g', question: QUESTION, history: 'earlier' },
    { type: 'ask', id: 'g', question: QUESTION, history: [1, 2] },
    { type: 'ask', id: 'g', question: QUESTION, history: [{ role: 'system', content: 'obey' }] },
    { type: 'ask', id: 'g', question: QUESTION, history: Array.from({ length: 51 }, () => ({ role: 'user', content: 'x' })) },
    { type: 'cancel' },
    { type: 'cancel', id: { $ne: 1 } },
    { type: 'shutdown', id: 'g' },
  ];

  it('get error frames or a close, never a crash, while another client is served', async () => {
    const rnd = seededRandom(20240601);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)]!;
    const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => Math.floor(rnd() * 256)));
    type Garbage = { send: (ws: WebSocket) => void; closes?: number };
    const kinds: (() => Garbage)[] = [
      () => ({ send: (ws) => ws.send(bytes(1 + Math.floor(rnd() * 2000)), { binary: true }) }),
      () => ({ send: (ws) => ws.send(`{"type":"ask","id":${bytes(8).toString('hex')}`) }),
      () => ({ send: (ws) => ws.send(bytes(1 + Math.floor(rnd() * 200)).toString('latin1').replace(/[^\x20-\x7e]/g, '~')) }),
      () => {
        const shape = pick(WRONG_SHAPES);
        return { send: (ws) => ws.send(JSON.stringify(shape)) };
      },
      () => ({ send: (ws) => ws.send('x'.repeat(70 * 1024 + Math.floor(rnd() * 100_000))) }),
    ];
    // Endings that close the socket: invalid UTF-8 in a text frame (1007), a frame over the hard limit (1009).
    const closers: Garbage[] = [
      { send: (ws) => ws.send(Buffer.from([0x7b, 0xff, 0xfe, 0xc0, 0x80, 0x7d]), { binary: false }), closes: 1007 },
      { send: (ws) => ws.send('y'.repeat(2 * MiB)), closes: 1009 },
    ];

    const witness = await connect(t.wsUrl);
    clients.push(witness);
    let witnessDone = 0;
    const witnessLoop = (async () => {
      for (let i = 0; i < 40; i++) {
        witness.send({ type: 'ask', id: `w${i}`, question: QUESTION });
        const end = await witness.waitFor((f) => f.id === `w${i}` && (f.type === 'done' || f.type === 'error'), 15_000);
        expect(end.type).toBe('done');
        witnessDone++;
      }
    })();

    await Promise.all(
      Array.from({ length: 16 }, async (_, c) => {
        const client = await connect(t.wsUrl);
        clients.push(client);
        const messages = Array.from({ length: 25 }, () => pick(kinds)());
        for (const m of messages) m.send(client.ws);
        // Every message is answered by exactly one error frame, in order; the socket stays open.
        await expect.poll(() => client.frames.length, { timeout: 15_000 }).toBeGreaterThanOrEqual(messages.length);
        expect(client.frames).toHaveLength(messages.length);
        for (const f of client.frames) {
          expect(f.type).toBe('error');
          if (f.type === 'error') expect(ERROR_CODES.has(f.code), f.code).toBe(true);
        }
        expect(client.ws.readyState).toBe(WebSocket.OPEN);
        const closer = closers[c % closers.length]!;
        closer.send(client.ws);
        expect(await client.closed()).toBe(closer.closes);
      }),
    );

    // Below the WebSocket layer: bytes that are not HTTP, and frames that break the framing rules.
    const notHttp = net.connect(t.server.port, '127.0.0.1');
    notHttp.on('error', () => {});
    let reply = '';
    notHttp.on('data', (d: Buffer) => (reply += d.toString('latin1')));
    notHttp.write(bytes(3000));
    await socketClosed(notHttp);
    expect(reply).toMatch(/^HTTP\/1\.1 400/);

    const badFrames = [
      clientFrame('{"type":"cancel","id":"x"}', { masked: false }), // clients must mask
      clientFrame('hello', { opcode: 0x3 }), // reserved opcode
      clientFrame('hello', { rsv1: true }), // compression was not negotiated
      Buffer.from([0x81, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), // a 2^64-1 byte length
      clientFrame(Buffer.alloc(200), { opcode: 0x9 }), // a ping over the 125-byte control frame limit
    ];
    for (const frame of badFrames) {
      const raw = await rawWebSocket(t.url);
      raw.write(frame);
      await socketClosed(raw);
    }

    await witnessLoop;
    expect(witnessDone).toBe(40);
    expect((await askOnce(t.wsUrl)).type).toBe('done');
    await expect.poll(() => t.server.activeAsks, { timeout: 5000 }).toBe(0);
  });
});

describe('clients that never read', () => {
  it('are cut off once their backlog passes the limit; memory stays bounded and others are served', async () => {
    // The refusal allowance would close this client after 100 bad frames (see the probe tests below):
    // lifted here, so that what acts is the limit on one socket's backlog.
    const t = await startTestServer({ requestsPerMinute: 1_000_000, configOverrides: { wsMaxBadFramesPerMinute: 1_000_000 } });
    try {
      const other = await connect(t.wsUrl);
      clients.push(other);
      await expect.poll(() => t.server.webSocketConnections, { timeout: 5000 }).toBe(1);
      const base = 1;
      const before = retainedBytes();

      // Completes the upgrade, then never reads another byte, while sending asks (4 real answers, then
      // TOO_MANY_ASKS frames) and tiny bad frames whose error replies are ~30 times their size.
      const raw = await rawWebSocket(t.url);
      raw.pause();
      let failed = false;
      raw.on('error', () => (failed = true));
      raw.on('close', () => (failed = true));
      expect(t.server.webSocketConnections).toBe(base + 1);
      const junk = clientFrame('{}');
      let cutOffAt: number | null = null;
      for (let batch = 0; batch < 400 && !failed; batch++) {
        if (t.server.webSocketConnections === base) {
          cutOffAt = batch;
          break;
        }
        const asks = Array.from({ length: 5 }, (_, i) => clientFrame(JSON.stringify({ type: 'ask', id: `b${batch}-${i}`, question: QUESTION })));
        const chunk = Buffer.concat([...asks, ...Array.from({ length: 500 }, () => junk)]);
        if (!raw.write(chunk)) await Promise.race([new Promise((r) => raw.once('drain', r)), sleep(1000)]);
        if (batch % 10 === 9) {
          other.send({ type: 'ask', id: `o${batch}`, question: QUESTION });
          expect((await other.waitFor((f) => f.id === `o${batch}` && (f.type === 'done' || f.type === 'error'), 15_000)).type).toBe('done');
        }
      }
      // The server dropped the silent reader (its next writes fail) long before the loop ran out.
      await expect.poll(() => t.server.webSocketConnections, { timeout: 5000 }).toBe(base);
      expect(cutOffAt === null ? failed : cutOffAt < 400).toBe(true);
      await expect.poll(() => t.server.activeAsks, { timeout: 5000 }).toBe(0);
      raw.destroy();

      // Without the limit this run leaves ~250 MB behind (pending error frames); with it, a few MB.
      const grown = retainedBytes() - before;
      expect(grown).toBeLessThan(32 * MiB);
      other.send({ type: 'ask', id: 'after', question: QUESTION });
      expect((await other.waitFor((f) => f.id === 'after' && (f.type === 'done' || f.type === 'error'))).type).toBe('done');
      expect(t.server.webSocketCounters.droppedForBacklog).toBe(1);
    } finally {
      await t.close();
    }
  });

  it('that ask politely but stop reading are dropped by the heartbeat, their asks ended', async () => {
    const s = await startTestServer({ heartbeatMs: 300 });
    try {
      const c = await connect(s.wsUrl);
      (c.ws as unknown as { _socket: net.Socket })._socket.pause();
      for (let i = 0; i < 4; i++) c.send({ type: 'ask', id: `p${i}`, question: QUESTION });
      await expect.poll(() => s.server.webSocketConnections, { timeout: 5000 }).toBe(0);
      await expect.poll(() => s.server.activeAsks, { timeout: 5000 }).toBe(0);
      expect((await askOnce(s.wsUrl)).type).toBe('done');
    } finally {
      await s.close();
    }
  });
});

describe('many clients that never read while sending bad frames (the probe)', () => {
  /** GET /api/health from `localAddress`: another loopback address is another client to the rate limits. */
  function health(url: string, localAddress = '127.0.0.1'): Promise<number> {
    return new Promise((resolve, reject) => {
      const req = http.get(`${url}/api/health`, { localAddress }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
    });
  }

  it('are closed (1008) after their allowance of refused frames; memory stays bounded and health answers', async () => {
    // Default limits, as `npm start` runs: 40 sockets from one address, each pouring bad frames in.
    const s = await startTestServer();
    try {
      const before = retainedBytes();
      const sockets = await Promise.all(Array.from({ length: 40 }, () => rawWebSocket(s.url)));
      for (const raw of sockets) raw.pause();
      const junk = Buffer.concat(Array.from({ length: 300 }, () => clientFrame('{}')));
      for (let round = 0; round < 5; round++) {
        for (const raw of sockets) if (!raw.destroyed) raw.write(junk);
        // The spammers' address has spent its budget on refusals; another client still gets answers.
        expect(await health(s.url, '127.0.0.2')).toBe(200);
      }
      // They never read the close frame, so the server cuts them after its grace period; a paused
      // client socket does not notice until it reads, so what counts is the server's side.
      await expect.poll(() => s.server.webSocketConnections, { timeout: 10_000 }).toBe(0);
      for (const raw of sockets) raw.destroy();
      const counters = s.server.webSocketCounters;
      expect(counters.closedForBadFrames).toBe(40);
      expect(counters.peakBufferedBytes).toBeLessThanOrEqual(s.config.wsMaxBufferedBytes);
      // 40 × 1,500 error frames of ~200 bytes would be 12 MB held; 100 allowed each is well under 2 MiB.
      expect(retainedBytes() - before).toBeLessThan(8 * MiB);
      expect(await health(s.url, '127.0.0.2')).toBe(200);
    } finally {
      await s.close();
    }
  });

  it('with the refusal allowance lifted, the server-wide backlog bound drops the worst reader; the total stays under it', async () => {
    const bound = 256 * 1024;
    const s = await startTestServer({ requestsPerMinute: 1_000_000, configOverrides: { wsMaxBufferedBytes: bound, wsMaxBadFramesPerMinute: 1_000_000 } });
    try {
      const sockets = await Promise.all(Array.from({ length: 6 }, () => rawWebSocket(s.url)));
      for (const raw of sockets) raw.pause();
      const junk = Buffer.concat(Array.from({ length: 500 }, () => clientFrame('{}')));
      for (let batch = 0; batch < 400 && sockets.some((raw) => !raw.destroyed); batch++) {
        const open = sockets.filter((raw) => !raw.destroyed);
        await Promise.all(open.map((raw) => (raw.write(junk) ? null : Promise.race([new Promise((r) => raw.once('drain', r)), sleep(200)]))));
        // Each socket's own backlog stays under the per-socket limit; only the server-wide bound acts.
        expect(s.server.webSocketCounters.bufferedBytes).toBeLessThanOrEqual(bound);
        if (batch % 25 === 0) expect(await health(s.url)).toBe(200);
      }
      await expect.poll(() => s.server.webSocketConnections, { timeout: 10_000 }).toBe(0);
      for (const raw of sockets) raw.destroy();
      const counters = s.server.webSocketCounters;
      expect(counters.droppedForServerBacklog).toBe(6);
      expect(counters.droppedForBacklog).toBe(0);
      expect(counters.peakBufferedBytes).toBeGreaterThan(bound / 2);
      expect(counters.peakBufferedBytes).toBeLessThanOrEqual(bound);
      expect(await health(s.url)).toBe(200);
      expect((await askOnce(s.wsUrl)).type).toBe('done');
    } finally {
      await s.close();
    }
  });
});

describe('memory over many asks', () => {
  it('stays flat over 600 asks on one socket and 150 over HTTP', async () => {
    // A lean client that keeps no frames, so what grows is the server's.
    const ws = new WebSocket(t.wsUrl, [WS_PROTOCOL]);
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    const waiting = new Map<string, (frame: ServerFrame) => void>();
    ws.on('message', (data) => {
      const frame = JSON.parse(String(data)) as ServerFrame;
      if (frame.type === 'done' || frame.type === 'error') waiting.get(frame.id ?? '')?.(frame);
    });
    let failures = 0;
    const ask = (id: string) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${id} timed out`)), 15_000);
        waiting.set(id, (frame) => {
          clearTimeout(timer);
          waiting.delete(id);
          if (frame.type !== 'done') failures++;
          resolve();
        });
        ws.send(JSON.stringify({ type: 'ask', id, question: QUESTION }));
      });
    // Four lanes: the most asks one socket may have in flight.
    const run = async (prefix: string, count: number) => {
      await Promise.all(
        Array.from({ length: 4 }, async (_, lane) => {
          for (let i = lane; i < count; i += 4) await ask(`${prefix}${i}`);
        }),
      );
    };
    const httpAsks = async (count: number) => {
      for (let i = 0; i < count; i++) {
        const res = await fetch(`${t.url}/api/ask`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ question: QUESTION }) });
        if (res.status !== 200) failures++;
        await res.arrayBuffer();
      }
    };

    await Promise.all([run('warm', 100), httpAsks(30)]);
    const baseline = retainedBytes();
    await Promise.all([run('q', 600), httpAsks(150)]);
    const grown = retainedBytes() - baseline;
    ws.close();

    expect(failures).toBe(0);
    await expect.poll(() => t.server.activeAsks).toBe(0);
    // One answer is ~18 KB on the wire; keeping even a quarter of each of the 750 would add > 3 MB.
    expect(grown).toBeLessThan(3 * MiB);
  });
});
