/**
 * Generated answers on the server as `npm start` runs them (one answering worker thread, the real WebSocket and HTTP):
 * a model server that stalls on one user's answer must not hold up another user's, and health names the generator.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startScriptedChatServer, type ScriptedChatServer } from '../retrieval/generate/__fixtures__/scripted-chat-server.js';
import type { AskResult } from '../retrieval/types.js';
import { startTestServer, type TestServer } from './__fixtures__/test-server.js';
import { WS_PROTOCOL, type ServerFrame } from './protocol.js';

const STALLING_WORKER = new URL('../retrieval/workers/__fixtures__/stalling-worker.ts', import.meta.url);

const QUESTION = 'How many foreign law enforcement officers did China train in 2023?';

describe('generative asks on a pooled server', () => {
  let model: ScriptedChatServer;
  let t: TestServer;
  beforeAll(async () => {
    model = await startScriptedChatServer();
    t = await startTestServer({
      pooled: true,
      configOverrides: { generatorBaseUrl: model.url, generatorModel: 'scripted-model', generatorTimeoutMs: 4000, askWorkers: 1 },
    });
  });
  afterAll(async () => {
    await t?.close();
    await model?.close();
  });

  it('answers a second user while the model stalls on the first, on a single worker thread', async () => {
    model.script([{ pieces: ['China had trained '], stallAfter: 1 }, { pieces: ['China had trained 2,700 foreign law enforcement officers in 2023 [1].'] }]);
    const finished: string[] = [];
    const stalled = fetch(`${t.url}/api/ask`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ question: QUESTION }) }).then(async (r) => {
      finished.push('stalled');
      return (await r.json()) as AskResult;
    });
    await expect.poll(() => model.requests.length).toBe(1);
    const quick = await fetch(`${t.url}/api/ask`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ question: QUESTION }) }).then(async (r) => {
      finished.push('quick');
      return (await r.json()) as AskResult;
    });
    expect(quick.generation).toMatchObject({ fallback: null, totals: { verified: 1 } });
    const late = await stalled;
    expect(finished).toEqual(['quick', 'stalled']);
    expect(late.generation?.fallback?.code).toBe('GENERATOR_TIMEOUT');
    expect(late.answer).toContain('2,700');
  });

  it('streams draft tokens and a verification frame per sentence over the WebSocket, then the checked answer', async () => {
    model.script([{ pieces: ['China had trained ', '2,700 foreign law enforcement officers in 2023 [1].', ' Fiji trained 50 [1].'] }]);
    const ws = new WebSocket(t.wsUrl, [WS_PROTOCOL], { origin: t.url });
    const frames: ServerFrame[] = [];
    await new Promise<void>((resolve, reject) => {
      ws.on('open', () => ws.send(JSON.stringify({ type: 'ask', id: 'g1', question: QUESTION })));
      ws.on('message', (data) => {
        const frame = JSON.parse(String(data)) as ServerFrame;
        frames.push(frame);
        if (frame.type === 'done' || frame.type === 'error') resolve();
      });
      ws.on('error', reject);
    });
    ws.close();
    const verifications = frames.filter((f): f is Extract<ServerFrame, { type: 'verification' }> => f.type === 'verification');
    expect(verifications.map((f) => f.sentence.status)).toEqual(['verified', 'unsupported']);
    expect(frames.filter((f) => f.type === 'token').every((f) => f.type === 'token' && f.draft === true)).toBe(true);
    const citationAt = frames.findIndex((f) => f.type === 'citation');
    expect(citationAt).toBeGreaterThan(frames.indexOf(verifications[0]!));
    const done = frames.at(-1) as Extract<ServerFrame, { type: 'done' }>;
    expect(done.result.answer).toBe('China had trained 2,700 foreign law enforcement officers in 2023 [1].');
    const document = (await (await fetch(`${t.url}/api/documents/${encodeURIComponent(done.result.citations[0]!.docId)}`)).json()) as { text: string };
    for (const c of done.result.citations) expect(c.quote).toBe(document.text.slice(c.start, c.end));
  });

  it('names the generator in health', async () => {
    const health = (await (await fetch(`${t.url}/api/health`)).json()) as { answerer: string; generator: { kind: string; model: string; problem: string | null } };
    expect(health.generator).toMatchObject({ kind: 'openai-compatible', model: 'scripted-model', problem: null });
    expect(health.answerer).toMatch(/^generative\(/);
  });
});

describe('a generative ask stuck in a step that never yields', () => {
  let model: ScriptedChatServer;
  let t: TestServer;
  beforeAll(async () => {
    model = await startScriptedChatServer();
    t = await startTestServer({
      pooled: { workerModule: STALLING_WORKER },
      configOverrides: { generatorBaseUrl: model.url, generatorModel: 'scripted-model', askDeadlineMs: 2000, generatorTimeoutMs: 2000, askWorkers: 1 },
    });
  });
  afterAll(async () => {
    await t?.close();
    await model?.close();
  });

  it('is stopped at the deadline with its thread, although asks share threads, and the next ask is answered', async () => {
    const late = await fetch(`${t.url}/api/ask`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ question: 'STALL: never ends' }) });
    expect(late.status).toBe(503);
    expect(((await late.json()) as { error: { code: string } }).error.code).toBe('ANSWER_TIMEOUT');
    await expect.poll(() => t.pool!.workers.inFlight, { timeout: 10_000 }).toBe(0);
    expect(t.pool!.workers.terminated).toBe(1);
    model.script([{ pieces: ['China had trained 2,700 foreign law enforcement officers in 2023 [1].'] }]);
    const next = (await (await fetch(`${t.url}/api/ask`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ question: QUESTION }) })).json()) as AskResult;
    expect(next.generation?.totals.verified).toBe(1);
  });
});
