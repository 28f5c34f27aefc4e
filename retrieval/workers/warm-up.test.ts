import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import { openPipeline } from '../open-pipeline.js';
import type { AskRequest, Pipeline } from '../pipeline.js';
import { WARM_UP_QUESTIONS, warmUp } from './warm-up.js';

const SEEDS = path.resolve(import.meta.dirname, '../../seeds');
let tmp: string;
let pipeline: Pipeline;

beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'verbatim-warm-up-'));
  const config = loadConfig({ overrides: { corpusDir: SEEDS, indexDir: path.join(tmp, 'index'), disableEmbeddings: true, logLevel: 'silent' } });
  ({ pipeline } = await openPipeline({ config, ingest: true }));
}, 120_000);
afterAll(async () => {
  await pipeline.close();
  await fs.rm(tmp, { recursive: true, force: true });
});

/** The real pipeline, recording what it was asked. */
function recording(): { pipeline: Pipeline; asked: AskRequest[] } {
  const asked: AskRequest[] = [];
  return { asked, pipeline: { ...pipeline, ask: (request) => (asked.push(request), pipeline.ask(request)) } };
}

describe('warmUp', () => {
  it('asks every warm-up question of the real index, quoting only, and the index answers them or abstains', async () => {
    const { pipeline: counted, asked } = recording();
    expect(await warmUp(counted, { busy: () => false })).toBe(WARM_UP_QUESTIONS.length);
    expect(asked.map((r) => r.question)).toEqual(WARM_UP_QUESTIONS);
    expect(asked.every((r) => r.quoteOnly === true)).toBe(true);
    // The pipeline is as it was: a real question still gets its cited answer.
    const result = await pipeline.ask({ question: 'What is the Zorblax lighthouse?' });
    for (const c of result.citations) expect((await pipeline.getDocument(c.docId))?.text.slice(c.start, c.end)).toBe(c.quote);
  });

  it('asks nothing while a real task runs, and goes on once it has ended', async () => {
    const { pipeline: counted, asked } = recording();
    let busy = true;
    const warming = warmUp(counted, { busy: () => busy, questions: WARM_UP_QUESTIONS.slice(0, 3) });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(asked).toHaveLength(0);
    busy = false;
    expect(await warming).toBe(3);
    expect(asked).toHaveLength(3);
  });

  it('counts only the questions that were answered and never throws', async () => {
    const failing: Pipeline = { ...pipeline, ask: async () => Promise.reject(new Error('index gone')) };
    expect(await warmUp(failing, { busy: () => false, questions: ['Who?', 'When?'] })).toBe(0);
  });
});
