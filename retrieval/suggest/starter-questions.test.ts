import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import { ServerBusyError } from '../errors.js';
import { openPipeline } from '../open-pipeline.js';
import type { Pipeline } from '../pipeline.js';
import { answeredQuestions } from './answered-questions.js';
import { starterQuestions } from './starter-questions.js';

/** The real ingest, BM25 retrieval and extractive answerer over the seed corpus. */
const SEEDS = path.resolve(import.meta.dirname, '../../seeds');
let tmp: string;
let pipeline: Pipeline;

beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'verbatim-starter-questions-'));
  const config = loadConfig({ overrides: { corpusDir: SEEDS, indexDir: path.join(tmp, 'index'), disableEmbeddings: true } });
  ({ pipeline } = await openPipeline({ config, ingest: true }));
});
afterAll(async () => {
  await pipeline?.close();
  await fs.rm(tmp, { recursive: true, force: true });
});

describe('starter questions of the seed corpus', () => {
  it('suggests a few varied questions, each answered with a citation into its document when asked', async () => {
    const suggestions = await starterQuestions({ pipeline });
    expect(suggestions.length).toBe(4);
    expect(new Set(suggestions.map((s) => s.question)).size).toBe(4);
    for (const s of suggestions) {
      const result = await pipeline.ask({ question: s.question });
      expect(result.abstained, s.question).toBe(false);
      expect(result.citations.some((c) => c.docId === s.docId), s.question).toBe(true);
    }
  });

  it('leaves out a candidate the documents do not answer, and stops once it has enough', async () => {
    const docId = pipeline.listDocuments()[0]!.id;
    const asked: string[] = [];
    const candidate = (question: string) => ({ question, docId, rule: 'titledPerson' as const, subject: question });
    const suggestions = await answeredQuestions({
      candidates: [candidate('Who is Napoleon Bonaparte?'), candidate('Who is Chen Zhichen?'), candidate('Who is Ian McCartney?'), candidate('Who is Xi Jinping?')],
      ask: (request) => {
        asked.push(request.question);
        return pipeline.ask(request);
      },
      limit: 2,
    });
    expect(suggestions).toEqual([
      { question: 'Who is Chen Zhichen?', docId },
      { question: 'Who is Ian McCartney?', docId },
    ]);
    expect(asked).toEqual(['Who is Napoleon Bonaparte?', 'Who is Chen Zhichen?', 'Who is Ian McCartney?']);
  });

  it('passes over a question whose ask fails, but fails when every ask does, and stops at a refusal', async () => {
    const docId = pipeline.listDocuments()[0]!.id;
    const candidates = ['Who is Chen Zhichen?', 'Who is Ian McCartney?'].map((question) => ({ question, docId, rule: 'titledPerson' as const, subject: question }));
    const failOn = (failing: (q: string) => Error | null) => (request: { question: string }) => {
      const error = failing(request.question);
      return error ? Promise.reject(error) : pipeline.ask(request);
    };
    const fault = new Error('the answerer failed on this one');
    expect(await answeredQuestions({ candidates, ask: failOn((q) => (q === 'Who is Chen Zhichen?' ? fault : null)) })).toEqual([{ question: 'Who is Ian McCartney?', docId }]);
    await expect(answeredQuestions({ candidates, ask: failOn(() => fault) })).rejects.toBe(fault);
    const busy = new ServerBusyError(256);
    await expect(answeredQuestions({ candidates, ask: failOn((q) => (q === 'Who is Chen Zhichen?' ? busy : null)) })).rejects.toBe(busy);
  });
});
