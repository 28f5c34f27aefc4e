import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeTinyModel } from './__fixtures__/tiny-model.js';
import { CachingEmbedder } from './caching-embedder.js';
import type { Embedder } from './embedder.js';
import { loadEmbedder } from './load-embedder.js';

let tmp: string;
let model: Embedder;
/** Every batch the real embedder was asked for, in order. */
const calls: string[][] = [];
let counting: Embedder;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'verbatim-cache-'));
  const tiny = await writeTinyModel({ modelDir: tmp });
  model = await loadEmbedder({ modelId: tiny.modelId, modelDir: tiny.modelDir, allowRemoteModels: false, batchSize: 4 });
  counting = { id: model.id, dimension: model.dimension, model: model.model, embed: (texts, options) => (calls.push([...texts]), model.embed(texts, options)), dispose: () => model.dispose() };
});

afterAll(async () => {
  await model.dispose();
  await rm(tmp, { recursive: true, force: true });
});

describe('CachingEmbedder', () => {
  it('gives exactly the vectors of the model, embedding each distinct text once', async () => {
    calls.length = 0;
    const cached = new CachingEmbedder(counting, 100);
    const texts = ['the cat sat', 'stock prices fell', 'the cat sat'];
    const expected = await model.embed(texts);
    const first = await cached.embed(texts);
    expect(first).toEqual(expected);
    expect(calls).toEqual([['the cat sat', 'stock prices fell']]);
    const second = await cached.embed(['stock prices fell', 'rain weather', 'the cat sat']);
    expect(second).toEqual([expected[1], (await model.embed(['rain weather']))[0], expected[0]]);
    expect(calls).toEqual([['the cat sat', 'stock prices fell'], ['rain weather']]);
    expect(cached.id).toBe(model.id);
  });

  it('stays right when one call holds more texts than it keeps, and forgets the oldest', async () => {
    calls.length = 0;
    const cached = new CachingEmbedder(counting, 2);
    const texts = ['one dog', 'two dogs', 'three cats', 'four pets'];
    expect(await cached.embed(texts)).toEqual(await model.embed(texts));
    calls.length = 0;
    await cached.embed(['four pets', 'one dog']);
    expect(calls).toEqual([['one dog']]);
  });

  it('hands out copies, so a caller changing a vector cannot change the next answer', async () => {
    const cached = new CachingEmbedder(counting, 10);
    const [vector] = await cached.embed(['the mat']);
    vector!.fill(0);
    const [again] = await cached.embed(['the mat']);
    expect(again).toEqual((await model.embed(['the mat']))[0]);
  });
});
