import { existsSync } from 'node:fs';
import { mkdtemp, rm, truncate } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { AbortedError, ModelUnavailableError } from '../errors.js';
import type { Embedder } from './embedder.js';
import { startFakeHub, type FakeHub } from './__fixtures__/fake-hub.js';
import { writeTinyModel, type TinyModel } from './__fixtures__/tiny-model.js';
import { loadEmbedder, MODEL_FILES } from './load-embedder.js';
import { sha256File } from '../models/model-folder.js';

const dot = (a: readonly number[], b: readonly number[]): number => a.reduce((sum, x, i) => sum + x * b[i]!, 0);

let tmp: string;
let tiny: TinyModel;
const open: Embedder[] = [];
const hubs: FakeHub[] = [];

/** Loads through the production path and remembers the embedder for disposal. */
async function load(options: Partial<Parameters<typeof loadEmbedder>[0]> = {}): Promise<Embedder> {
  const embedder = await loadEmbedder({ modelId: tiny.modelId, modelDir: tiny.modelDir, allowRemoteModels: false, batchSize: 4, ...options });
  open.push(embedder);
  return embedder;
}

async function hub(mode: Parameters<typeof startFakeHub>[0]['mode']): Promise<FakeHub> {
  const started = await startFakeHub({ root: tiny.modelDir, mode });
  hubs.push(started);
  return started;
}

const freshDir = (name: string): Promise<string> => mkdtemp(path.join(tmp, `${name}-`));

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'verbatim-embed-'));
  tiny = await writeTinyModel({ modelDir: path.join(tmp, 'models') });
});

afterEach(async () => {
  vi.restoreAllMocks();
  await Promise.all(open.splice(0).map((embedder) => embedder.dispose()));
  await Promise.all(hubs.splice(0).map((h) => h.close()));
});

afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('loadEmbedder with a model folder copied in by hand', () => {
  it('loads the model, names it by the hash of its ONNX file, and measures its dimension without printing warnings', async () => {
    const warn = vi.spyOn(console, 'warn');
    const embedder = await load();
    const onnxSha256 = await sha256File(path.join(tiny.modelDir, tiny.modelId, 'onnx/model.onnx'));
    expect(embedder.id).toBe(`transformers:${tiny.modelId}:fp32:mean:${onnxSha256.slice(0, 12)}`);
    expect(embedder.model).toEqual({ modelId: tiny.modelId, dtype: 'fp32', pooling: 'mean', dimension: tiny.dimension, onnxSha256, source: 'unrecorded' });
    expect(embedder.dimension).toBe(tiny.dimension);
    expect(warn).not.toHaveBeenCalled();
  });

  it('returns one unit-length vector of the model dimension per text, in order', async () => {
    const embedder = await load();
    const texts = ['The cat sat on the mat.', 'Stock prices fell sharply', '', 'unbelievably long words'];
    const vectors = await embedder.embed(texts);
    expect(vectors).toHaveLength(texts.length);
    for (const vector of vectors) {
      expect(vector).toHaveLength(tiny.dimension);
      expect(Math.hypot(...vector)).toBeCloseTo(1, 5);
    }
    expect(await embedder.embed([])).toEqual([]);
  });

  it('puts texts that share words closer than texts that share none', async () => {
    const embedder = await load();
    const [cat, kitten, market] = await embedder.embed(['The cat sat on the mat', 'A cat sleeps on a mat', 'Stock market prices fell']);
    expect(dot(cat!, kitten!)).toBeGreaterThan(dot(cat!, market!) + 0.2);
  });

  it('gives the same vectors in batches as one by one', async () => {
    const texts = ['one', 'two words', 'three words here', 'the cat sat on the mat by the door', 'dogs bark', 'rain', 'the market rose again today'];
    const batched = await (await load({ batchSize: 3 })).embed(texts);
    const single = await (await load({ batchSize: 1 })).embed(texts);
    expect(batched).toHaveLength(texts.length);
    batched.forEach((vector, i) => vector.forEach((x, j) => expect(x).toBeCloseTo(single[i]![j]!, 6)));
  });

  it("gives each text the same vector whatever its neighbours and place: padding a short text to a long one's length changes nothing", async () => {
    const texts = ['rain', 'the cat sat on the mat by the door while the dogs barked at the market', 'dogs bark', 'stock prices fell sharply today as investors sold their shares', 'one'];
    const embedder = await load({ batchSize: 2 });
    const forward = await embedder.embed(texts);
    const backward = (await embedder.embed([...texts].reverse())).reverse();
    const alone = await Promise.all(texts.map(async (text) => (await embedder.embed([text]))[0]!));
    forward.forEach((vector, i) =>
      vector.forEach((x, j) => {
        expect(x).toBeCloseTo(alone[i]![j]!, 6);
        expect(backward[i]![j]!).toBeCloseTo(x, 6);
      }),
    );
  });

  it('counts the tokens the model sees, the special tokens included and truncation applied', async () => {
    const embedder = await load();
    const long = Array.from({ length: 600 }, () => 'cat').join(' ');
    // [CLS] the cat sat [SEP]; an empty text is [CLS] [SEP]; the tiny model's limit is 512 tokens.
    expect(await embedder.countTokens!(['the cat sat', '', long])).toEqual([5, 2, 512]);
  });

  it('refuses to embed after dispose', async () => {
    const embedder = await load();
    await embedder.dispose();
    await expect(embedder.embed(['x'])).rejects.toBeInstanceOf(ModelUnavailableError);
  });

  it('stops between batches when the signal fires', async () => {
    const embedder = await load({ batchSize: 1 });
    const controller = new AbortController();
    controller.abort();
    await expect(embedder.embed(['a', 'b'], { signal: controller.signal })).rejects.toBeInstanceOf(AbortedError);
  });
});

describe('loadEmbedder when the model is not usable', () => {
  it('explains where it looked and how to fix it when the model is missing and downloads are off', async () => {
    const modelDir = await freshDir('empty');
    const error = await loadEmbedder({ modelId: 'someone/missing-model', modelDir, allowRemoteModels: false, batchSize: 4 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelUnavailableError);
    const message = (error as Error).message;
    expect(message).toContain('someone/missing-model');
    expect(message).toContain(modelDir);
    expect(message).toContain('onnx/model.onnx');
    expect(message).toContain('ALLOW_REMOTE_MODELS=true');
  });

  it('points at the folder to delete when a local file is corrupt', async () => {
    const broken = await writeTinyModel({ modelDir: await freshDir('broken') });
    await truncate(path.join(broken.modelPath, 'onnx/model.onnx'), 100);
    const error = await loadEmbedder({ modelId: broken.modelId, modelDir: broken.modelDir, allowRemoteModels: false, batchSize: 4 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelUnavailableError);
    expect((error as Error).message).toContain(`delete that folder`);
    expect((error as Error).message).toContain(broken.modelPath);
  });

  it('rejects with AbortedError when cancelled', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(load({ signal: controller.signal })).rejects.toBeInstanceOf(AbortedError);
  });
});

describe('loadEmbedder downloading from a hub', () => {
  it('downloads into modelDir on first use, then loads from that cache without any request', async () => {
    const fake = await hub('serve');
    const modelDir = await freshDir('download');
    const first = await load({ modelDir, allowRemoteModels: true, remoteHost: fake.url });
    const requested = fake.requests.map((r) => r.replace(`/${tiny.modelId}/resolve/main/`, ''));
    for (const file of MODEL_FILES) expect(requested).toContain(`GET ${file}`);
    for (const file of MODEL_FILES) expect(existsSync(path.join(modelDir, tiny.modelId, file))).toBe(true);

    const reference = await (await load()).embed(['the cat sat']);
    expect(await first.embed(['the cat sat'])).toEqual(reference);

    fake.requests.length = 0;
    const second = await load({ modelDir, allowRemoteModels: true, remoteHost: fake.url });
    expect(fake.requests).toEqual([]);
    expect(await second.embed(['the cat sat'])).toEqual(reference);
  });

  it('fails fast, naming the hub, when nothing listens there', async () => {
    const fake = await hub('serve');
    await fake.close();
    const started = Date.now();
    const error = await load({ modelDir: await freshDir('refused'), allowRemoteModels: true, remoteHost: fake.url }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelUnavailableError);
    expect((error as Error).message).toMatch(/download from http:\/\/127\.0\.0\.1:\d+\/ failed \(fetch failed: connect ECONNREFUSED/);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('gives up after timeoutMs when the hub accepts connections but never answers', async () => {
    const fake = await hub('hang');
    const started = Date.now();
    const error = await load({ modelDir: await freshDir('hang'), allowRemoteModels: true, remoteHost: fake.url, timeoutMs: 300 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelUnavailableError);
    expect((error as Error).message).toContain('did not answer within 0.3 s');
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('gives up when a download stops making progress', async () => {
    const fake = await hub('stall-onnx');
    const error = await load({ modelDir: await freshDir('stall'), allowRemoteModels: true, remoteHost: fake.url, timeoutMs: 500 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelUnavailableError);
    expect((error as Error).message).toContain('stalled (no data for 0.5 s)');
    expect(fake.requests.some((r) => r.endsWith('onnx/model.onnx'))).toBe(true);
  });

  it('rejects with AbortedError, without waiting for the timeout, when cancelled while the hub hangs', async () => {
    const fake = await hub('hang');
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const started = Date.now();
    await expect(load({ modelDir: await freshDir('abort'), allowRemoteModels: true, remoteHost: fake.url, timeoutMs: 20_000, signal: controller.signal })).rejects.toBeInstanceOf(AbortedError);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('says the hub has no such model on HTTP 404', async () => {
    const fake = await hub('serve');
    const error = await load({ modelId: 'nobody/nothing', modelDir: await freshDir('404'), allowRemoteModels: true, remoteHost: fake.url }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelUnavailableError);
    expect((error as Error).message).toContain('has no such model (HTTP 404');
  });
});
