import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { HNSWLib } from '@langchain/community/vectorstores/hnswlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AbortedError } from '../errors.js';
import type { Embedder } from './embedder.js';
import { writeTinyModel } from './__fixtures__/tiny-model.js';
import { EmbedderEmbeddings } from './langchain-embeddings.js';
import { loadEmbedder } from './load-embedder.js';

let tmp: string;
let embedder: Embedder;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'verbatim-lc-'));
  const tiny = await writeTinyModel({ modelDir: tmp });
  embedder = await loadEmbedder({ modelId: tiny.modelId, modelDir: tiny.modelDir, allowRemoteModels: false, batchSize: 8 });
});

afterAll(async () => {
  await embedder.dispose();
  await rm(tmp, { recursive: true, force: true });
});

describe('EmbedderEmbeddings', () => {
  it('returns exactly what the embedder returns, for documents and for a query', async () => {
    const embeddings = new EmbedderEmbeddings(embedder);
    const texts = ['the cat sat', 'stock market'];
    expect(await embeddings.embedDocuments(texts)).toEqual(await embedder.embed(texts));
    expect(await embeddings.embedQuery('the cat sat')).toEqual((await embedder.embed(['the cat sat']))[0]);
  });

  it('lets HNSWLib embed and search by text', async () => {
    const store = await HNSWLib.fromTexts(
      ['The cat sat on the mat', 'Stock prices fell as inflation rose', 'Rain is in the weather forecast'],
      [{ n: 0 }, { n: 1 }, { n: 2 }],
      new EmbedderEmbeddings(embedder),
    );
    const [best] = await store.similaritySearch('what did the stock market do', 1);
    expect(best?.metadata).toEqual({ n: 1 });
  });

  it('passes its signal to the embedder', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(new EmbedderEmbeddings(embedder, { signal: controller.signal }).embedQuery('x')).rejects.toBeInstanceOf(AbortedError);
  });
});
