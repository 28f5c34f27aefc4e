import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeTinyModel } from '../embed/__fixtures__/tiny-model.js';
import type { Passage } from '../types.js';
import type { Answerer } from './answerer.js';
import { createExtractiveAnswerer } from './extractive-answerer.js';
import { loadReader } from './load-reader.js';
import { createNlpTools } from './nlp.js';
import type { SpanReader } from './span-reader.js';

// The tiny reader always answers with the first number in the text it is given, so its choice is predictable.
const DOC_ID = 'report.txt';
const TEXT = [
  'Acme Corporation was founded by Ada Lovelace in Boston.',
  'Sales rose sharply last year, the annual report said.',
  'The rise was 12 percent, driven by exports.',
  'The company employs engineers in Boston and Lyon.',
].join(' ');

const passage: Passage = { id: `${DOC_ID}#0`, docId: DOC_ID, start: 0, end: TEXT.length, text: TEXT, heading: null, score: 1, scores: { rrf: 1 } };
const ask = (answerer: Answerer, question: string) => answerer.answer({ question, history: [], passages: [passage], documentText: () => TEXT });

let tmp: string;
let reader: SpanReader;
let withReader: Answerer;
let withoutReader: Answerer;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'verbatim-answer-reader-'));
  const model = await writeTinyModel({ modelDir: tmp, task: 'question-answering' });
  reader = await loadReader({ modelId: model.modelId, modelDir: model.modelDir, allowRemoteModels: false });
  const nlp = createNlpTools();
  withReader = createExtractiveAnswerer({ nlp, reader });
  withoutReader = createExtractiveAnswerer({ nlp });
});

afterAll(async () => {
  await reader.dispose();
  await rm(tmp, { recursive: true, force: true });
});

describe('extractive answerer with a reading-comprehension model', () => {
  it('names the reader in the answerer name shown by health output', () => {
    expect(withReader.name).toBe(`extractive+reader(${reader.id})`);
    expect(withoutReader.name).toBe('extractive');
  });

  it("takes the short answer from the model's span, and quotes the sentence holding it with exact offsets", async () => {
    const answer = await ask(withReader, 'How much did sales rise last year?');
    expect(answer.abstained).toBe(false);
    expect(answer.shortAnswer).toBe('12');
    const holding = answer.citations.find((c) => c.quote.includes('12'));
    expect(holding?.quote).toBe('The rise was 12 percent, driven by exports.');
    for (const c of answer.citations) expect(TEXT.slice(c.start, c.end)).toBe(c.quote);
  });

  it('replaces the phrase ranker only for the short answer: the same question without a reader gets its own pick', async () => {
    const answer = await ask(withoutReader, 'Who founded Acme Corporation?');
    expect(answer.shortAnswer).toBe('Ada Lovelace');
    // The tiny reader finds no number near that sentence, so the phrase ranker's answer stands.
    expect((await ask(withReader, 'Who founded Acme Corporation?')).shortAnswer).toBe('Ada Lovelace');
  });

  it('still abstains when the documents do not hold the answer, without consulting the model', async () => {
    let reads = 0;
    const counting: SpanReader = { id: 'counting', read: async (...args) => (reads++, reader.read(...args)), dispose: async () => {} };
    const answerer = createExtractiveAnswerer({ nlp: createNlpTools(), reader: counting });
    const answer = await ask(answerer, 'What is the population of Mars?');
    expect(answer.abstained).toBe(true);
    expect(answer.citations).toEqual([]);
    expect(reads).toBe(0);
  });
});
