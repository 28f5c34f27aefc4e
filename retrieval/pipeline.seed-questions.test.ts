import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';
import { openPipeline } from './open-pipeline.js';
import type { Pipeline } from './pipeline.js';
import { seedQuestions, unanswerableSeedQuestions } from './__fixtures__/seed-questions.js';

/**
 * The acceptance ground of the core: the real ingest, BM25 retrieval and extractive answerer over the
 * seed corpus, as `npm run ask` runs them.
 */
const SEEDS = path.resolve(import.meta.dirname, '../seeds');
let tmp: string;
let pipeline: Pipeline;

beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'verbatim-seed-questions-'));
  const config = loadConfig({ overrides: { corpusDir: SEEDS, indexDir: path.join(tmp, 'index'), disableEmbeddings: true } });
  ({ pipeline } = await openPipeline({ config, ingest: true }));
});
afterAll(async () => {
  await pipeline?.close();
  await fs.rm(tmp, { recursive: true, force: true });
});

describe('seed corpus acceptance questions through the pipeline', () => {
  it.each(seedQuestions.map((q) => [q.question, q] as const))('answers and cites: %s', async (_, q) => {
    const result = await pipeline.ask({ question: q.question, history: q.history });
    expect(result.abstained).toBe(false);
    expect(q.expected.some((e) => result.answer.includes(e)), `answer: ${result.answer}`).toBe(true);
    expect(result.citations.some((c) => c.quote.includes(q.evidence)), `quotes: ${result.citations.map((c) => c.quote).join(' | ')}`).toBe(true);
    for (const c of result.citations) {
      expect(c.quote).toBe(pipeline.getDocument(c.docId)!.text.slice(c.start, c.end));
      expect(result.answer).toContain(`[${c.n}]`);
    }
  });

  it.each(unanswerableSeedQuestions.map((q) => [q.question, q] as const))('abstains: %s', async (_, q) => {
    const result = await pipeline.ask({ question: q.question, history: q.history });
    expect(result.abstained, `answer: ${result.answer}`).toBe(true);
    expect(result.answer).toBe("The documents don't say.");
    expect(result.citations).toEqual([]);
    expect(result.passages.length).toBeGreaterThan(0);
  });
});
