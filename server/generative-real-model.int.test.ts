/**
 * A generated answer end to end with the real default generator (SmolLM2-135M-Instruct in `models/`, as CI fetches
 * it): `npm start`'s pooled server, the worker thread loading the GGUF model, the WebSocket a chat page uses, the
 * model's own sentences checked against the seed document, and their citations checked against the document text the
 * server serves. The question is one the model answers in a sentence the passage supports (found by running the seed
 * questions through it); greedy decoding makes the reply the same on every run. Skipped, saying how to fetch the
 * model, when it is not in `models/`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { REPO_MODEL_DIR } from '../retrieval/models/__fixtures__/real-default-embedder.js';
import { REAL_GENERATOR, REAL_GENERATOR_PRESENT, REAL_GENERATOR_SKIP_NOTE } from '../retrieval/models/__fixtures__/real-default-generator.js';
import { startTestServer, type TestServer } from './__fixtures__/test-server.js';
import { WS_PROTOCOL, type ServerFrame } from './protocol.js';

const QUESTION = 'Name the fields of cooperation that the Global Security Initiative promotes.';

async function askOverWebSocket(t: TestServer, question: string): Promise<ServerFrame[]> {
  const ws = new WebSocket(t.wsUrl, [WS_PROTOCOL], { origin: t.url });
  const frames: ServerFrame[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      ws.on('open', () => ws.send(JSON.stringify({ type: 'ask', id: 'real', question })));
      ws.on('message', (data) => {
        const frame = JSON.parse(String(data)) as ServerFrame;
        frames.push(frame);
        if (frame.type === 'done' || frame.type === 'error') resolve();
      });
      ws.on('error', reject);
    });
  } finally {
    ws.close();
  }
  return frames;
}

describe.skipIf(!REAL_GENERATOR_PRESENT)(`a generated answer from ${REAL_GENERATOR.spec.name} on the pooled server${REAL_GENERATOR_SKIP_NOTE}`, () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ pooled: true, configOverrides: { answerer: 'generative', generator: 'local', modelDir: REPO_MODEL_DIR, allowRemoteModels: false, askWorkers: 1, generatorTimeoutMs: 120_000 } });
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  it('streams the model\'s draft, verifies its sentence, and ends with citations that are the served text\'s exact characters', async () => {
    const frames = await askOverWebSocket(t, QUESTION);
    const done = frames.at(-1);
    if (done?.type !== 'done') throw new Error(`the ask ended with ${JSON.stringify(done)}`);
    const { result } = done;
    const drafts = frames.filter((f) => f.type === 'token');
    expect(drafts.length).toBeGreaterThan(5);
    expect(drafts.every((f) => f.type === 'token' && f.draft === true)).toBe(true);

    // The model's own words were kept: no fallback to the extractive answer, and every sentence shown is verified.
    expect(result.generation).toMatchObject({ fallback: null, generator: `local:${REAL_GENERATOR.spec.name}:${REAL_GENERATOR.sha256.slice(0, 8)}` });
    const verified = result.generation!.sentences.filter((s) => s.status === 'verified');
    expect(verified.length).toBeGreaterThanOrEqual(1);
    const verifications = frames.filter((f): f is Extract<ServerFrame, { type: 'verification' }> => f.type === 'verification');
    expect(verifications.map((f) => f.sentence.status)).toEqual(result.generation!.sentences.map((s) => s.status));
    expect(result.answer).toMatch(/cooperation/i);
    for (const sentence of verified) expect(result.answer).toContain(sentence.text.replace(/[.!?]$/, ''));

    // Each citation is the exact span of the seed document that the server serves, and each verified sentence's
    // citation is among the answer's.
    expect(result.citations.length).toBeGreaterThanOrEqual(1);
    for (const c of result.citations) {
      const document = (await (await fetch(`${t.url}/api/documents/${encodeURIComponent(c.docId)}`)).json()) as { text: string };
      expect(c.quote).toBe(document.text.slice(c.start, c.end));
    }
    for (const sentence of verified) {
      for (const c of sentence.citations) expect(result.citations).toContainEqual(c);
    }
  }, 180_000);
});
