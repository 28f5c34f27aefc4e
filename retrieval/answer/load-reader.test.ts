import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ModelUnavailableError } from '../errors.js';
import { writeTinyModel, type TinyModel } from '../embed/__fixtures__/tiny-model.js';
import { loadReader } from './load-reader.js';
import type { SpanReader } from './span-reader.js';
import { locateAnswer } from './transformers-reader.js';

let tmp: string;
let qaModel: TinyModel;
let embeddingModel: TinyModel;
const open: SpanReader[] = [];

async function load(modelId: string, modelDir = qaModel.modelDir): Promise<SpanReader> {
  const reader = await loadReader({ modelId, modelDir, allowRemoteModels: false });
  open.push(reader);
  return reader;
}

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'verbatim-reader-'));
  const modelDir = path.join(tmp, 'models');
  qaModel = await writeTinyModel({ modelDir, task: 'question-answering' });
  embeddingModel = await writeTinyModel({ modelDir });
});

afterEach(async () => {
  await Promise.all(open.splice(0).map((reader) => reader.dispose()));
});

afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('loadReader with a question-answering model copied in by hand', () => {
  it('names the model and returns the span it picks as exact offsets of the context', async () => {
    const reader = await load(qaModel.modelId);
    expect(reader.id).toBe(`transformers:${qaModel.modelId}:fp32`);
    const context = 'Revenue rose 12 percent in the third quarter, to 450 dollars.';
    const span = await reader.read('How much did revenue rise?', context);
    expect(span).not.toBeNull();
    expect(context.slice(span!.start, span!.end)).toBe('12');
    expect(span!.score).toBeGreaterThan(0);
    expect(span!.score).toBeLessThanOrEqual(1);
  });

  it('finds the span again in text the tokenizer lower-cased and re-spaced', async () => {
    const reader = await load(qaModel.modelId);
    const context = 'In  QUARTER\u00a0Three the index was 7.';
    const span = await reader.read('What was the index?', context);
    expect(context.slice(span!.start, span!.end)).toBe('7');
  });

  it('refuses to read after dispose', async () => {
    const reader = await loadReader({ modelId: qaModel.modelId, modelDir: qaModel.modelDir, allowRemoteModels: false });
    await reader.dispose();
    await expect(reader.read('How many?', 'There are 3.')).rejects.toThrow(/disposed/);
  });

  it('says which reader model is missing, where it looked, and what to do', async () => {
    const error = await load('nobody/no-such-reader').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelUnavailableError);
    expect((error as Error).message).toMatch(/^reader model nobody\/no-such-reader not available: not found in .*models and remote downloads are off: copy the model folder/);
  });

  it('rejects a model that is not a question-answering model, naming the problem', async () => {
    const error = await load(embeddingModel.modelId).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelUnavailableError);
    expect((error as Error).message).toMatch(/reader model .* could not answer a question .*question-answering model/);
  });
});

describe('locateAnswer', () => {
  it('matches without case, accents or whitespace and maps back to the original characters', () => {
    const context = 'The Astra  2A satellite flew over Zürich.';
    const at = locateAnswer(context, 'astra 2a');
    expect(context.slice(at!.start, at!.end)).toBe('Astra  2A');
    const city = locateAnswer(context, 'zurich');
    expect(context.slice(city!.start, city!.end)).toBe('Zürich');
  });

  it('keeps characters outside the basic plane whole', () => {
    const context = 'Symbol 𝒳 marks the spot';
    const at = locateAnswer(context, '𝒳 marks');
    expect(context.slice(at!.start, at!.end)).toBe('𝒳 marks');
  });

  it('returns null for an answer that is not in the context, or is empty', () => {
    expect(locateAnswer('Nothing here.', 'elsewhere')).toBeNull();
    expect(locateAnswer('Nothing here.', '  ')).toBeNull();
  });
});
