import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';
import { IndexMismatchError, ModelUnavailableError } from './errors.js';
import { writeTinyModel, type TinyModel } from './embed/__fixtures__/tiny-model.js';
import { currentGeneration } from './index/index-files.js';
import { openPipeline } from './open-pipeline.js';
import { TERM_ANALYSIS_VERSION } from './text/term-analysis.js';

const SEEDS = path.resolve(import.meta.dirname, '../seeds');
let tmp: string;
let tiny: TinyModel;
let reader: TinyModel;
let corpusDir: string;

beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'verbatim-pipeline-'));
  tiny = await writeTinyModel({ modelDir: path.join(tmp, 'models') });
  await writeTinyModel({ modelDir: path.join(tmp, 'models'), modelId: 'verbatim-test/other-bert', seed: 99 });
  reader = await writeTinyModel({ modelDir: path.join(tmp, 'models'), task: 'question-answering' });
  corpusDir = path.join(tmp, 'corpus');
  await fs.cp(SEEDS, corpusDir, { recursive: true });
  await fs.writeFile(path.join(corpusDir, 'harbour.md'), '# Harbour\n\nThe harbour of Port Aldous opened in 1887 and closed in 1990.\n');
});
afterAll(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

const configFor = (indexDir: string, overrides: NonNullable<Parameters<typeof loadConfig>[0]>['overrides'] = {}) =>
  loadConfig({ overrides: { corpusDir, indexDir, modelId: tiny.modelId, modelDir: tiny.modelDir, allowRemoteModels: false, ...overrides } });

describe('openPipeline with a real (tiny) embedding model', () => {
  it('builds a hybrid index and answers with both signals', async () => {
    const { pipeline, ingest } = await openPipeline({ config: configFor(path.join(tmp, 'hybrid')), ingest: true });
    try {
      expect(ingest).toMatchObject({ mode: 'hybrid', lexicalReason: null });
      expect(ingest!.embeddedChunks).toBe(ingest!.chunks);
      expect(pipeline.status).toMatchObject({ mode: 'hybrid', model: { modelId: tiny.modelId, dtype: 'fp32', pooling: 'mean', dimension: tiny.dimension } });
      expect(pipeline.status.embedder).toBe(`transformers:${tiny.modelId}:fp32:mean:${pipeline.status.model?.onnxSha256.slice(0, 12)}`);
      const result = await pipeline.ask({ question: 'When did the harbour of Port Aldous open?' });
      expect(result.mode).toBe('hybrid');
      expect(result.passages.some((p) => p.scores.vector !== undefined && p.scores.bm25 !== undefined)).toBe(true);
      expect(result.answer).toContain('1887');
      for (const c of result.citations) expect(c.quote).toBe(pipeline.getDocument(c.docId)!.text.slice(c.start, c.end));
    } finally {
      await pipeline.close();
    }
  });

  it('re-embeds only the documents that changed', async () => {
    const indexDir = path.join(tmp, 'incremental');
    const first = await openPipeline({ config: configFor(indexDir), ingest: true });
    await first.pipeline.close();
    await fs.appendFile(path.join(corpusDir, 'harbour.md'), '\nA lighthouse was added in 1902.\n');
    const second = await openPipeline({ config: configFor(indexDir), ingest: true });
    try {
      expect(second.ingest).toMatchObject({ changed: ['harbour.md'], embeddedChunks: 1, wrote: true });
      expect(second.pipeline.status.mode).toBe('hybrid');
    } finally {
      await second.pipeline.close();
    }
  });

  it('never queries BM25 terms of another term analysis, and re-indexes them without re-embedding', async () => {
    const indexDir = path.join(tmp, 'terms');
    const built = await openPipeline({ config: configFor(indexDir), ingest: true });
    await built.pipeline.close();
    const manifestFile = path.join((await currentGeneration(indexDir))!, 'manifest.json');
    const manifest = JSON.parse(await fs.readFile(manifestFile, 'utf8')) as Record<string, unknown>;
    await fs.writeFile(manifestFile, JSON.stringify({ ...manifest, termAnalysis: TERM_ANALYSIS_VERSION + 1 }));

    const error = await openPipeline({ config: configFor(indexDir) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IndexMismatchError);
    expect((error as Error).message).toMatch(/term analysis version .*npm run ingest/);

    const reindexed = await openPipeline({ config: configFor(indexDir), ingest: true });
    try {
      expect(reindexed.ingest).toMatchObject({ wrote: true, mode: 'hybrid', changed: [], embeddedChunks: 0 });
      expect((await reindexed.pipeline.ask({ question: 'When did the harbour of Port Aldous open?' })).answer).toContain('1887');
    } finally {
      await reindexed.pipeline.close();
    }
  });

  it('never queries an index with another embedding model', async () => {
    const indexDir = path.join(tmp, 'mismatch');
    const built = await openPipeline({ config: configFor(indexDir), ingest: true });
    await built.pipeline.close();
    const error = await openPipeline({ config: configFor(indexDir, { modelId: 'verbatim-test/other-bert' }) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IndexMismatchError);
    expect((error as Error).message).toMatch(/built with embedding model verbatim-test\/tiny-bert.*npm run ingest/);
  });

  it('falls back to BM25 and says why when the model is missing, unless embeddings are required', async () => {
    const indexDir = path.join(tmp, 'missing');
    const missing = { modelId: 'verbatim-test/absent', modelDir: path.join(tmp, 'empty-models') };
    const { pipeline, ingest } = await openPipeline({ config: configFor(indexDir, missing), ingest: true });
    try {
      expect(ingest?.mode).toBe('lexical');
      expect(pipeline.status.mode).toBe('lexical');
      expect(pipeline.status.lexicalReason).toMatch(/embedding model verbatim-test\/absent not available/);
      expect((await pipeline.ask({ question: 'When did the harbour of Port Aldous open?' })).answer).toContain('1887');
    } finally {
      await pipeline.close();
    }
    await expect(openPipeline({ config: configFor(path.join(tmp, 'required'), { ...missing, requireEmbeddings: true }), ingest: true })).rejects.toBeInstanceOf(
      ModelUnavailableError,
    );
  });

  it('embeds an unchanged corpus once the model that was missing is copied into the model folder', async () => {
    const indexDir = path.join(tmp, 'copied-in');
    const config = configFor(indexDir, { modelDir: path.join(tmp, 'copied-in-models') });
    const withoutModel = await openPipeline({ config, ingest: true });
    expect(withoutModel.pipeline.status.lexicalReason).toMatch(/not available: not found in .*copied-in-models and remote downloads are off/);
    await withoutModel.pipeline.close();

    await fs.cp(tiny.modelDir, config.modelDir, { recursive: true });
    const withModel = await openPipeline({ config, ingest: true });
    try {
      expect(withModel.ingest).toMatchObject({ mode: 'hybrid', wrote: true, added: [], changed: [], removed: [] });
      expect(withModel.ingest!.embeddedChunks).toBe(withModel.ingest!.chunks);
      expect(withModel.pipeline.status).toMatchObject({ mode: 'hybrid', lexicalReason: null });
    } finally {
      await withModel.pipeline.close();
    }
  });

  it('adds vectors to a lexical index once the model is there', async () => {
    const indexDir = path.join(tmp, 'upgrade');
    const lexical = await openPipeline({ config: configFor(indexDir, { disableEmbeddings: true }), ingest: true });
    expect(lexical.pipeline.status.mode).toBe('lexical');
    await lexical.pipeline.close();
    const upgraded = await openPipeline({ config: configFor(indexDir), ingest: true });
    try {
      expect(upgraded.ingest).toMatchObject({ mode: 'hybrid', wrote: true });
      expect(upgraded.ingest!.embeddedChunks).toBe(upgraded.ingest!.chunks);
      expect(upgraded.pipeline.status.mode).toBe('hybrid');
    } finally {
      await upgraded.pipeline.close();
    }
  });
});

describe('openPipeline with a reading-comprehension model (READER_MODEL)', () => {
  it('answers with the reader, names it in the status, and frees it on close', async () => {
    const pierCorpus = path.join(tmp, 'pier-corpus');
    await fs.mkdir(pierCorpus);
    await fs.writeFile(path.join(pierCorpus, 'pier.md'), '# Pier\n\nThe pier of Port Aldous is made of oak. It was rebuilt after 40 storms.\n');
    const config = configFor(path.join(tmp, 'reader'), { corpusDir: pierCorpus, disableEmbeddings: true, readerModelId: reader.modelId });
    const { pipeline } = await openPipeline({ config, ingest: true });
    try {
      expect(pipeline.status.answerer).toBe(`extractive+reader(transformers:${reader.modelId}:fp32)`);
      // The tiny reader always takes the first number it sees, so "40" (where the phrase ranker picks "oak") shows that
      // the reader, wired from the configuration, chose the short answer, and that its sentence is quoted first.
      const result = await pipeline.ask({ question: 'What is the pier of Port Aldous made of?' });
      expect(result.shortAnswer).toBe('40');
      expect(result.citations[0]!.quote).toBe('It was rebuilt after 40 storms.');
      for (const c of result.citations) expect(c.quote).toBe(pipeline.getDocument(c.docId)!.text.slice(c.start, c.end));
    } finally {
      await pipeline.close();
    }
  });

  it('refuses to start with a reader that is asked for but missing, saying which and where', async () => {
    const config = configFor(path.join(tmp, 'reader-missing'), { disableEmbeddings: true, readerModelId: 'nobody/no-reader' });
    const error = await openPipeline({ config, ingest: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelUnavailableError);
    expect((error as Error).message).toMatch(/^reader model nobody\/no-reader not available: not found in .*models/);
  });
});
