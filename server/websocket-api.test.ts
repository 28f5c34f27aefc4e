import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { AskEvent, AskRequest, Pipeline } from '../retrieval/pipeline.js';
import type { AskResult } from '../retrieval/types.js';
import { startTestServer, type TestServer } from './__fixtures__/test-server.js';
import { connect, framesOf, type TestClient } from './__fixtures__/ws-client.js';
import type { ServerFrame } from './protocol.js';

const QUESTION = 'How many foreign law enforcement officers did China train in 2023?';
const isEnd = (id: string) => (f: ServerFrame) => f.id === id && (f.type === 'done' || f.type === 'error');

/** Pipeline wrapper that holds each ask until released, recording the signal it was given. */
function gated(): { wrap: (p: Pipeline) => Pipeline; signals: AbortSignal[]; release: () => void } {
  const signals: AbortSignal[] = [];
  let open!: () => void;
  let gate = new Promise<void>((r) => (open = r));
  return {
    signals,
    release: () => {
      open();
      gate = new Promise<void>((r) => (open = r));
    },
    wrap: (real) => ({
      ...real,
      askStream: async function* (request: AskRequest): AsyncGenerator<AskEvent, AskResult> {
        if (request.signal) signals.push(request.signal);
        await Promise.race([gate, new Promise((r) => request.signal?.addEventListener('abort', r))]);
        return yield* real.askStream(request);
      },
    }),
  };
}

let t: TestServer;
const clients: TestClient[] = [];
async function client(url = t.wsUrl, options = {}): Promise<TestClient> {
  const c = await connect(url, options);
  clients.push(c);
  return c;
}

beforeAll(async () => {
  t = await startTestServer();
});
afterEach(() => {
  for (const c of clients.splice(0)) c.close();
});
afterAll(async () => {
  await t?.close();
});

describe('asking over the WebSocket', () => {
  it('streams passages, then tokens and citations, then done', async () => {
    const c = await client();
    c.send({ type: 'ask', id: 'q1', question: QUESTION });
    const done = await c.waitFor(isEnd('q1'));
    expect(done.type).toBe('done');
    const frames = framesOf(c.frames, 'q1');
    expect(frames[0]!.type).toBe('passages');
    expect(frames.at(-1)).toBe(done);
    const middle = frames.slice(1, -1);
    expect(middle.length).toBeGreaterThan(1);
    expect(middle.every((f) => f.type === 'token' || f.type === 'citation')).toBe(true);

    const result = (done as Extract<ServerFrame, { type: 'done' }>).result;
    expect(result.id).toBe('q1');
    expect(result.answer).toContain('2,700');
    const tokens = middle.filter((f) => f.type === 'token').map((f) => (f as Extract<ServerFrame, { type: 'token' }>).text);
    expect(tokens.join('')).toBe(result.answer);
    expect(tokens.length).toBeGreaterThan(3);

    // Each citation frame comes after the token carrying its marker.
    let streamed = '';
    for (const f of middle) {
      if (f.type === 'token') streamed += f.text;
      if (f.type === 'citation') expect(streamed).toContain(`[${f.citation.n}]`);
    }
    const cited = middle.filter((f) => f.type === 'citation').map((f) => (f as Extract<ServerFrame, { type: 'citation' }>).citation);
    expect(cited).toEqual(result.citations);
    const passages = (frames[0] as Extract<ServerFrame, { type: 'passages' }>).passages;
    expect(passages).toEqual(result.passages);
  });

  it('puts the trace in the done result when the ask frame has explain: true', async () => {
    const c = await client();
    c.send({ type: 'ask', id: 'x', question: QUESTION, explain: true });
    c.send({ type: 'ask', id: 'y', question: QUESTION });
    const [x, y] = (await Promise.all([c.waitFor(isEnd('x')), c.waitFor(isEnd('y'))])) as [Extract<ServerFrame, { type: 'done' }>, Extract<ServerFrame, { type: 'done' }>];
    expect(x.result.trace?.gate.probability).toBe(x.result.confidence.answer);
    expect(x.result.trace?.sentences.length).toBeGreaterThan(0);
    expect(y.result).not.toHaveProperty('trace');
  });

  it('carries two concurrent asks on one socket', async () => {
    const c = await client();
    c.send({ type: 'ask', id: 'a', question: QUESTION });
    c.send({ type: 'ask', id: 'b', question: 'What is the Global Security Initiative?' });
    const [a, b] = await Promise.all([c.waitFor(isEnd('a')), c.waitFor(isEnd('b'))]);
    expect(a.type).toBe('done');
    expect(b.type).toBe('done');
    for (const id of ['a', 'b']) {
      const frames = framesOf(c.frames, id);
      expect(frames[0]!.type).toBe('passages');
      expect(frames.filter((f) => f.type === 'done')).toHaveLength(1);
      const result = (frames.at(-1) as Extract<ServerFrame, { type: 'done' }>).result;
      expect(frames.flatMap((f) => (f.type === 'token' ? [f.text] : [])).join('')).toBe(result.answer);
    }
    expect((a as Extract<ServerFrame, { type: 'done' }>).result.question).toBe(QUESTION);
  });

  it('turns an empty question into an error frame for that id', async () => {
    const c = await client();
    c.send({ type: 'ask', id: 'empty', question: '  ' });
    const error = await c.waitFor(isEnd('empty'));
    expect(error).toMatchObject({ type: 'error', id: 'empty', code: 'BAD_FRAME' });
    expect((error as Extract<ServerFrame, { type: 'error' }>).message).toContain('the question is empty');
  });
});

describe('bad frames', () => {
  it('answers malformed JSON with an error frame and stays usable', async () => {
    const c = await client();
    c.send('{"type": "ask", ');
    expect(await c.waitFor((f) => f.type === 'error')).toMatchObject({ type: 'error', id: null, code: 'BAD_JSON' });
    c.send({ type: 'ask', id: 'after', question: QUESTION });
    expect((await c.waitFor(isEnd('after'))).type).toBe('done');
  });

  it('rejects frames of unknown shape, binary frames and duplicate ids', async () => {
    const c = await client();
    c.send({ type: 'launch', id: 'x' });
    expect(await c.waitFor((f) => f.type === 'error' && f.id === 'x')).toMatchObject({ code: 'BAD_FRAME' });
    c.send({ type: 'ask', question: 'no id' });
    expect(await c.waitFor((f) => f.type === 'error' && f.id === null)).toMatchObject({ code: 'BAD_FRAME' });
    c.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    await c.waitFor((f) => f.type === 'error' && f.code === 'BAD_FRAME' && f.message.includes('binary'));
    c.send('null');
    await expect.poll(() => c.frames.filter((f) => f.type === 'error' && f.code === 'BAD_FRAME').length).toBe(4);
  });

  it('answers a frame over 64 KiB with an error frame and keeps the socket', async () => {
    const c = await client();
    c.send({ type: 'ask', id: 'big', question: 'x'.repeat(100 * 1024) });
    expect(await c.waitFor((f) => f.type === 'error')).toMatchObject({ id: null, code: 'FRAME_TOO_LARGE' });
    c.send({ type: 'ask', id: 'small', question: QUESTION });
    expect((await c.waitFor(isEnd('small'))).type).toBe('done');
  });

  it('closes a socket that sends a huge frame (1009) and keeps serving others', async () => {
    const c = await client();
    c.ws.send('x'.repeat(2 * 1024 * 1024));
    expect(await c.closed()).toBe(1009);
    const d = await client();
    d.send({ type: 'ask', id: 'still', question: QUESTION });
    expect((await d.waitFor(isEnd('still'))).type).toBe('done');
  });

  it('refuses upgrades on other paths and from foreign origins', async () => {
    await expect(connect(t.wsUrl.replace('/ws', '/other'))).rejects.toThrow(/404/);
    await expect(connect(t.wsUrl, { origin: 'http://evil.example' })).rejects.toThrow(/403/);
    const sameOrigin = await client(t.wsUrl, { origin: t.url });
    expect(sameOrigin.ws.readyState).toBe(WebSocket.OPEN);
  });
});

describe('cancelling and closing', () => {
  let g: ReturnType<typeof gated>;
  let slow: TestServer;
  beforeAll(async () => {
    g = gated();
    slow = await startTestServer({ wrapPipeline: (p) => g.wrap(p) });
  });
  afterAll(async () => {
    await slow?.close();
  });

  it('cancel aborts the ask with an ABORTED error frame; the socket stays usable', async () => {
    const c = await client(slow.wsUrl);
    c.send({ type: 'ask', id: 'c1', question: QUESTION });
    await expect.poll(() => g.signals.length).toBe(1);
    c.send({ type: 'cancel', id: 'c1' });
    expect(await c.waitFor(isEnd('c1'))).toMatchObject({ type: 'error', id: 'c1', code: 'ABORTED' });
    expect(g.signals[0]!.aborted).toBe(true);
    g.release();
    c.send({ type: 'ask', id: 'c2', question: QUESTION });
    await expect.poll(() => g.signals.length).toBe(2);
    g.release();
    expect((await c.waitFor(isEnd('c2'))).type).toBe('done');
    expect(framesOf(c.frames, 'c1')).toHaveLength(1);
  });

  it('rejects a second ask with an id already in flight', async () => {
    const c = await client(slow.wsUrl);
    const before = g.signals.length;
    c.send({ type: 'ask', id: 'dup', question: QUESTION });
    await expect.poll(() => g.signals.length).toBe(before + 1);
    c.send({ type: 'ask', id: 'dup', question: QUESTION });
    expect(await c.waitFor((f) => f.id === 'dup')).toMatchObject({ type: 'error', code: 'DUPLICATE_ID' });
    g.release();
    expect((await c.waitFor((f) => f.id === 'dup' && f.type === 'done')).type).toBe('done');
  });

  it('closing the socket aborts its asks', async () => {
    const c = await client(slow.wsUrl);
    const before = g.signals.length;
    c.send({ type: 'ask', id: 'gone', question: QUESTION });
    await expect.poll(() => g.signals.length).toBe(before + 1);
    c.close();
    await expect.poll(() => g.signals[before]!.aborted).toBe(true);
  });

  it('shutting down sends close frames and aborts in-flight asks', async () => {
    const g2 = gated();
    const s = await startTestServer({ wrapPipeline: (p) => g2.wrap(p) });
    const c = await connect(s.wsUrl);
    c.send({ type: 'ask', id: 'bye', question: QUESTION });
    await expect.poll(() => g2.signals.length).toBe(1);
    const closing = s.close();
    expect(await c.closed()).toBe(1001);
    await closing;
    expect(g2.signals[0]!.aborted).toBe(true);
    expect(framesOf(c.frames, 'bye').filter((f) => f.type === 'done')).toHaveLength(0);
  });
});

describe('heartbeat', () => {
  it('terminates a socket that stops answering pings and keeps live ones', async () => {
    const s = await startTestServer({ heartbeatMs: 250 });
    try {
      const dead = await connect(s.wsUrl, { autoPong: false });
      const live = await connect(s.wsUrl);
      expect(await dead.closed(3000)).toBe(1006);
      expect(live.ws.readyState).toBe(WebSocket.OPEN);
      live.close();
    } finally {
      await s.close();
    }
  });
});
