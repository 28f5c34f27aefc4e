import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AbortedError, ModelUnavailableError } from '../errors.js';
import { writeTinyModel, type TinyModel } from './__fixtures__/tiny-model.js';
import { loadEmbedder } from './load-embedder.js';
import { loadPooledEmbedder } from './pooled-embedder.js';

let tmp: string;
let tiny: TinyModel;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'verbatim-pooled-'));
  tiny = await writeTinyModel({ modelDir: path.join(tmp, 'models') });
});

afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

const texts = ['rain', 'the cat sat on the mat by the door while the dogs barked', 'dogs bark', 'stock prices fell sharply today as investors sold their shares', 'one', 'the market rose again', 'a kitten sleeps', 'interest rates'];

describe('loadPooledEmbedder', () => {
  it('gives every text the vector the in-thread embedder gives it, in the order asked, before and after its two workers are up', async () => {
    const load = { modelId: tiny.modelId, modelDir: tiny.modelDir, allowRemoteModels: false, batchSize: 2 };
    const local = await loadEmbedder(load);
    const pooled = await loadPooledEmbedder({ load, workers: 2 });
    try {
      expect(pooled.id).toBe(local.id);
      expect(pooled.dimension).toBe(local.dimension);
      const expected = await local.embed(texts);
      // Before the workers are up, on this thread.
      const first = await pooled.embed(texts);
      first.forEach((vector, i) => vector.forEach((x, j) => expect(x, `text ${i}, this thread`).toBeCloseTo(expected[i]![j]!, 6)));
      await pooled.workersReady();
      const vectors = await pooled.embed(texts);
      expect(vectors).toHaveLength(texts.length);
      vectors.forEach((vector, i) => vector.forEach((x, j) => expect(x, `text ${i}`).toBeCloseTo(expected[i]![j]!, 6)));
      expect(await pooled.countTokens!(['the cat sat'])).toEqual([5]);
      expect(await pooled.embed([])).toEqual([]);
    } finally {
      await Promise.all([local.dispose(), pooled.dispose()]);
    }
    await expect(pooled.embed(['x'])).rejects.toBeInstanceOf(ModelUnavailableError);
  });

  it('starts no batch in its workers once the signal has fired', async () => {
    const pooled = await loadPooledEmbedder({ load: { modelId: tiny.modelId, modelDir: tiny.modelDir, allowRemoteModels: false, batchSize: 1 }, workers: 2 });
    try {
      await pooled.workersReady();
      const controller = new AbortController();
      controller.abort();
      await expect(pooled.embed(texts, { signal: controller.signal })).rejects.toBeInstanceOf(AbortedError);
    } finally {
      await pooled.dispose();
    }
  });

  it('explains a model it cannot load as the in-thread embedder does', async () => {
    await expect(loadPooledEmbedder({ load: { modelId: 'verbatim-test/absent', modelDir: tiny.modelDir, allowRemoteModels: false, batchSize: 2 }, workers: 2 })).rejects.toBeInstanceOf(ModelUnavailableError);
  });
});
