/**
 * No question can stall the server: asks run in worker threads with a deadline. A worker module that stalls on
 * purpose (a synchronous step that never ends) stands in for any input that is slow by accident; the probe's own
 * inputs are sent too.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from './__fixtures__/eventually.js';
import { connect, framesOf } from './__fixtures__/ws-client.js';
import { startTestServer, type TestServer } from './__fixtures__/test-server.js';

const STALLING_WORKER = new URL('../retrieval/workers/__fixtures__/stalling-worker.ts', import.meta.url);
/**
 * Long enough that a fresh worker (one replacing a terminated one) starts and answers within it on a loaded 2-core
 * machine: at 1.5 s, a replacement still loading when the suite ran beside other work timed out ordinary asks.
 */
const DEADLINE_MS = 4000;

async function postAsk(url: string, body: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${url}/api/ask`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: await res.json() };
}

describe('asks run in worker threads with a deadline', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ pooled: { workerModule: STALLING_WORKER }, configOverrides: { askDeadlineMs: DEADLINE_MS, askWorkers: 2 } });
  });
  afterAll(async () => t?.close());

  it('answers normally from a worker, with the same result as in-process', async () => {
    const question = 'How many foreign law enforcement officers did China train in 2023?';
    const { status, body } = await postAsk(t.url, { question });
    expect(status).toBe(200);
    expect(body.shortAnswer).toBe('2,700');
    const doc = t.pipeline.getDocument(body.citations[0].docId)!;
    for (const c of body.citations) expect(doc.text.slice(c.start, c.end)).toBe(c.quote);
  });

  it('streams over WebSocket from a worker as in-process: passages, the answer word by word, each citation after its marker, done', async () => {
    const client = await connect(t.wsUrl);
    try {
      client.send({ type: 'ask', id: 'w1', question: 'How many foreign law enforcement officers did China train in 2023?' });
      await client.waitFor((f) => f.id === 'w1' && f.type === 'done');
      const frames = framesOf(client.frames, 'w1');
      expect(frames[0]!.type).toBe('passages');
      const done = frames.at(-1)!;
      if (done.type !== 'done') throw new Error('no done frame');
      const tokens = frames.filter((f) => f.type === 'token').map((f) => (f.type === 'token' ? f.text : ''));
      expect(tokens.length).toBeGreaterThan(10);
      expect(tokens.join('')).toBe(done.result.answer);
      let lastToken = '';
      for (const frame of frames) {
        if (frame.type === 'token') lastToken = frame.text;
        if (frame.type === 'citation') expect(lastToken).toContain(`[${frame.citation.n}]`);
      }
      expect(frames.filter((f) => f.type === 'citation')).toHaveLength(done.result.citations.length);
    } finally {
      client.close();
    }
  });

  it('keeps /api/health answering while an ask is stuck, then stops it with ANSWER_TIMEOUT and serves the next ask', async () => {
    const terminatedBefore = t.pool!.workers.terminated;
    let askSettled = false;
    const stuck = postAsk(t.url, { question: 'STALL: a step that never ends' }).finally(() => (askSettled = true));
    const healthWhileStuck: number[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await fetch(`${t.url}/api/health`);
      expect(askSettled).toBe(false);
      healthWhileStuck.push(res.status);
    }
    expect(healthWhileStuck).toEqual([200, 200, 200, 200, 200]);

    const { status, body } = await stuck;
    expect(status).toBe(503);
    expect(body.error.code).toBe('ANSWER_TIMEOUT');
    expect(body.error.message).toMatch(/ASK_DEADLINE_MS/);
    // The stuck thread is gone for real (terminated a moment after the client was told) and replaced.
    await eventually(() => t.pool!.workers.terminated === terminatedBefore + 1, 'the stuck worker to be terminated');
    await eventually(() => t.pool!.workers.threads === 2, 'the replacement worker');
    const health = (await (await fetch(`${t.url}/api/health`)).json()) as { workers?: { threads: number; terminated: number } };
    expect(health.workers).toMatchObject({ threads: 2, terminated: terminatedBefore + 1 });
    const answers = await Promise.all([1, 2, 3, 4].map(() => postAsk(t.url, { question: 'Who is Chen Zhichen?' })));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
  });

  it('a WebSocket cancel and a closed socket stop a stuck ask for real', async () => {
    const client = await connect(t.wsUrl);
    try {
      await eventually(() => t.server.activeAsks === 0, 'earlier asks to finish');
      const before = t.pool!.workers.terminated;
      client.send({ type: 'ask', id: 's1', question: 'STALL: cancelled' });
      await eventually(() => t.server.activeAsks === 1, 'the ask to start');
      client.send({ type: 'cancel', id: 's1' });
      const aborted = await client.waitFor((f) => f.id === 's1' && f.type === 'error');
      expect(aborted).toMatchObject({ code: 'ABORTED' });
      await eventually(() => t.pool!.workers.terminated === before + 1, 'the cancelled worker to be terminated');

      // The socket stays usable and answers from a fresh worker.
      client.send({ type: 'ask', id: 'n1', question: 'Who is Chen Zhichen?' });
      const done = await client.waitFor((f) => f.id === 'n1' && (f.type === 'done' || f.type === 'error'));
      expect(done.type).toBe('done');
      expect(framesOf(client.frames, 's1').map((f) => f.type)).toEqual(['error']);
    } finally {
      client.close();
    }

    // The server counts an ask as active until its worker reports the end, a moment after the `done` frame: wait
    // for that, or the next line would see the previous ask and close the socket before the stuck one arrives.
    await eventually(() => t.server.activeAsks === 0, 'the previous ask to finish');
    const leaving = await connect(t.wsUrl);
    const before = t.pool!.workers.terminated;
    leaving.send({ type: 'ask', id: 's2', question: 'STALL: the client leaves' });
    await eventually(() => t.server.activeAsks === 1, 'the ask to start');
    leaving.close();
    await eventually(() => t.pool!.workers.terminated === before + 1, 'the abandoned worker to be terminated');
    await eventually(() => t.server.activeAsks === 0, 'no ask left running');
  });

  it('gives an OpenAI-compatible stream past the deadline a 503 before any event, and stops the worker of a client that leaves', async () => {
    const completions = (body: unknown, signal?: AbortSignal) =>
      fetch(`${t.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal });
    const late = await completions({ model: 'verbatim', stream: true, messages: [{ role: 'user', content: 'STALL: streamed' }] });
    expect(late.status).toBe(503);
    expect(await late.json()).toMatchObject({ error: { code: 'ANSWER_TIMEOUT', type: 'server_error' } });

    await eventually(() => t.pool!.workers.inFlight === 0, 'the stopped task to end');
    const before = t.pool!.workers.terminated;
    const leaving = new AbortController();
    const pending = completions({ model: 'verbatim', stream: true, messages: [{ role: 'user', content: 'STALL: the client leaves' }] }, leaving.signal).catch((e: unknown) => e);
    await eventually(() => t.pool!.workers.inFlight === 1, 'the stuck task to reach the pool');
    leaving.abort();
    expect(await pending).toMatchObject({ name: 'AbortError' });
    await eventually(() => t.pool!.workers.inFlight === 0, 'the abandoned task to end');
    expect(t.pool!.workers.terminated - before).toBe(1);
  });

  it("answers the probe's slow inputs or fails them clearly, while health keeps answering", async () => {
    const spaces = (n: number) => ' '.repeat(n);
    const probes = [
      { question: `and x${spaces(1990)}y` },
      { question: `what about x${spaces(1980)}y` },
      { question: `in x${spaces(1990)}y` },
      { question: 'Where did she study?', history: [{ role: 'user', content: `and x${spaces(4000)}y` }] },
    ];
    for (const probe of probes) {
      let settled = false;
      const pending = postAsk(t.url, probe).finally(() => (settled = true));
      const health = await fetch(`${t.url}/api/health`);
      expect(health.status).toBe(200);
      const { status, body } = await pending;
      expect(settled).toBe(true);
      if (status === 200) expect(typeof body.answer).toBe('string');
      else expect({ status, code: body.error.code }).toEqual({ status: 503, code: 'ANSWER_TIMEOUT' });
    }
  });
});

describe('a full queue', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ pooled: { workerModule: STALLING_WORKER }, configOverrides: { askDeadlineMs: DEADLINE_MS, askWorkers: 1, askQueueLimit: 1 } });
  });
  afterAll(async () => t?.close());

  it('refuses asks beyond the queue limit with SERVER_BUSY instead of piling them up', async () => {
    const running = postAsk(t.url, { question: 'STALL: holds the only worker' });
    await eventually(() => t.pool!.workers.queued === 0 && t.pool!.workers.threads === 1, 'the first ask to run');
    const queued = postAsk(t.url, { question: 'STALL: waits in the queue' });
    await eventually(() => t.pool!.workers.queued === 1, 'the second ask to queue');
    const refused = await postAsk(t.url, { question: 'Who is Chen Zhichen?' });
    expect(refused.status).toBe(503);
    expect(refused.body.error.code).toBe('SERVER_BUSY');
    expect((await running).body.error.code).toBe('ANSWER_TIMEOUT');
    expect((await queued).body.error.code).toBe('ANSWER_TIMEOUT');
  });
});
