/**
 * A generated answer's citations of a PDF carry page and pages in every frame that holds them: each `verification`
 * event's sentence, the `citation` frames after it, and the `done` result's citations and generation report. The
 * answerer is a scripted stand-in for a language model (through the pipeline's own answerer port), so no model runs.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Answerer, AnswerEvent, AnswerRequest } from '../retrieval/answer/answerer.js';
import { REPORT, writeDocumentCorpus } from '../retrieval/corpus/__fixtures__/test-documents.js';
import type { Answer, Citation, GeneratedSentence } from '../retrieval/types.js';
import { startTestServer, type TestServer } from './__fixtures__/test-server.js';
import { connect, framesOf } from './__fixtures__/ws-client.js';

const SENTENCE = `${REPORT.pageOneEnd} ${REPORT.pageTwoStart}`;

/** Writes one sentence citing the report where it runs from page 1 to page 2, verified. */
const scripted: Answerer = {
  name: 'scripted-generative',
  answer: () => Promise.reject(new Error('only streamed here')),
  async *answerStream(request: AnswerRequest): AsyncGenerator<AnswerEvent, Answer> {
    const text = request.documentText('report.pdf');
    const start = text.indexOf(SENTENCE);
    const citation: Citation = { n: 1, docId: 'report.pdf', start, end: start + SENTENCE.length, quote: text.slice(start, start + SENTENCE.length) };
    yield { type: 'token', text: `${SENTENCE} [1]` };
    const sentence: GeneratedSentence = {
      index: 0,
      text: SENTENCE,
      written: `${SENTENCE} [1]`,
      status: 'verified',
      citations: [citation],
      cited: [1],
      removedMarkers: [],
      missing: [],
      invented: [],
      facts: 2,
      attributed: false,
      reason: null,
    };
    yield { type: 'verification', sentence };
    return {
      answer: `${SENTENCE} [1]`,
      shortAnswer: null,
      shortAnswerConfident: false,
      abstained: false,
      abstentionReason: null,
      confidence: { answer: 0.9, shortAnswer: 0 },
      citations: [citation],
      generation: {
        generator: 'scripted',
        promptVersion: 'test',
        sentences: [sentence],
        totals: { verified: 1, unsupported: 0, uncited: 0, removedMarkers: 0 },
        fallback: null,
        truncated: false,
        tokens: 1,
        timeToFirstTokenMs: 0,
        generationMs: 0,
      },
    };
  },
};

let tmp: string;
let t: TestServer;
beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'verbatim-generated-citations-'));
  await writeDocumentCorpus(path.join(tmp, 'corpus'));
  t = await startTestServer({ corpusDir: path.join(tmp, 'corpus'), answerer: scripted });
}, 120_000);
afterAll(async () => {
  await t?.close();
  await fs.rm(tmp, { recursive: true, force: true });
});

describe('generated answers citing a PDF', () => {
  it('carry page and pages in the verification, citation and done frames', async () => {
    const client = await connect(t.wsUrl);
    try {
      client.send({ type: 'ask', id: 'g', question: 'When was the lighthouse lit?' });
      const done = await client.waitFor((f) => f.type === 'done' && f.id === 'g');
      if (done.type !== 'done') throw new Error('not a done frame');
      const frames = framesOf(client.frames, 'g');
      const located = { docId: 'report.pdf', quote: SENTENCE, page: 1, pages: [1, 2] };
      const verification = frames.find((f) => f.type === 'verification');
      expect(verification?.type === 'verification' ? verification.sentence.citations : null).toEqual([expect.objectContaining(located)]);
      expect(frames.flatMap((f) => (f.type === 'citation' ? [f.citation] : []))).toEqual([expect.objectContaining(located)]);
      expect(done.result.citations).toEqual([expect.objectContaining(located)]);
      expect(done.result.generation?.sentences[0]?.citations).toEqual([expect.objectContaining(located)]);
    } finally {
      client.close();
    }
  });
});
