/**
 * The embed stage of an ingest with the tiny real model: chunks are embedded longest first (so each model call pads
 * its texts to nearly their own length), yet every chunk's stored vector is the one its own text gets alone.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../config.js';
import type { Embedder } from '../embed/embedder.js';
import { writeTinyModel, type TinyModel } from '../embed/__fixtures__/tiny-model.js';
import { loadEmbedder } from '../embed/load-embedder.js';
import { closeIndex, loadIndex } from '../index/index-files.js';
import { ingestCorpus } from './ingest-corpus.js';

/** Paragraphs of very different lengths, interleaved, so that ingest order puts short chunks next to long ones. */
const DOCUMENTS: Record<string, string> = {
  'a.txt': ['The cat sat.', 'Stock prices fell sharply today as investors sold their shares in the bank and the market index fell again before the report.', 'Rain.'].join('\n\n'),
  'b.txt': ['Dogs bark at the door of the house every night while the family sleeps and the rain falls on the city.', 'A kitten.', 'The weather forecast says sunny days are coming to the north of the state this week, then rain again.'].join('\n\n'),
  'c.txt': ['Inflation rose.', 'The government said the economy would grow next year.'].join('\n\n'),
};

let tmp: string;
let tiny: TinyModel;
let config: Config;

beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'verbatim-embed-order-'));
  tiny = await writeTinyModel({ modelDir: path.join(tmp, 'models') });
  const corpusDir = path.join(tmp, 'corpus');
  await fs.mkdir(corpusDir);
  for (const [name, text] of Object.entries(DOCUMENTS)) await fs.writeFile(path.join(corpusDir, name), `${text}\n`);
  config = loadConfig({
    overrides: { corpusDir, indexDir: path.join(tmp, 'index'), modelId: tiny.modelId, modelDir: tiny.modelDir, allowRemoteModels: false, chunkSize: 60, chunkOverlap: 0, embedBatchSize: 2 },
  });
});

afterAll(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

describe('ingestCorpus embedding', () => {
  it('embeds chunks longest first in batches, and stores each chunk the vector of its own text', async () => {
    const model = await loadEmbedder({ modelId: tiny.modelId, modelDir: tiny.modelDir, allowRemoteModels: false, batchSize: config.embedBatchSize });
    const calls: string[][] = [];
    const recording: Embedder = {
      id: model.id,
      dimension: model.dimension,
      countTokens: (texts, options) => model.countTokens!(texts, options),
      embed: (texts, options) => (calls.push([...texts]), model.embed(texts, options)),
      dispose: async () => {},
    };
    try {
      const report = await ingestCorpus({ config, openEmbedder: async () => ({ embedder: recording, lexicalReason: null }) });
      const index = await loadIndex(config.indexDir);
      const chunks = [...index.store.allChunks()].map(({ chunk }) => chunk);
      const vectors = new Map([...index.store.vectors(model.dimension)].map(({ id, vector }) => [id, vector]));
      closeIndex(index);
      expect(report.chunks).toBeGreaterThanOrEqual(8);

      const embedded = calls.flat();
      expect([...embedded].sort()).toEqual(chunks.map((chunk) => chunk.text).sort());
      const counts = await model.countTokens!(embedded);
      expect(counts, 'token counts of the texts in the order they were embedded').toEqual([...counts].sort((a, b) => b - a));
      expect(counts[0]).toBeGreaterThan(counts.at(-1)! * 3);
      expect(calls.every((call) => call.length <= config.embedBatchSize * config.embedWorkers)).toBe(true);

      for (const [i, chunk] of chunks.entries()) {
        const [alone] = await model.embed([chunk.text]);
        const stored = Array.from(vectors.get(chunk.id)!);
        stored.forEach((x, j) => expect(x, `chunk ${i} (${chunk.text.slice(0, 30)}…), component ${j}`).toBeCloseTo(alone![j]!, 6));
      }
    } finally {
      await model.dispose();
    }
  });
});
