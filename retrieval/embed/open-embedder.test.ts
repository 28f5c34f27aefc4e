import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type ConfigInput } from '../config.js';
import type { FetchEvent } from '../models/fetch-model.js';
import type { EmbedderSpec } from '../models/model-catalog.js';
import { writePinnedTinyModel, type PinnedTinyModel } from '../models/__fixtures__/pinned-tiny-model.js';
import { startFakeHub, type FakeHub } from './__fixtures__/fake-hub.js';
import { openEmbedder } from './open-embedder.js';
import { PooledEmbedder } from './pooled-embedder.js';

let tmp: string;
let pinned: PinnedTinyModel;
/** The pinned tiny model with its hub source only, so no test here runs the machine's real pip. */
let hubOnly: EmbedderSpec;
let hub: FakeHub;
let dirs = 0;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'verbatim-open-embedder-'));
  pinned = await writePinnedTinyModel(path.join(tmp, 'fixture'));
  hubOnly = { ...pinned.spec, sources: pinned.spec.sources.filter((s) => s.kind === 'hub') };
  hub = await startFakeHub({ root: pinned.hubRoot });
});

afterAll(async () => {
  await hub.close();
  await rm(tmp, { recursive: true, force: true });
});

function configWith(overrides: Partial<ConfigInput>) {
  return loadConfig({ env: {}, overrides: { modelId: 'pinned-tiny', modelDir: path.join(tmp, `models-${++dirs}`), logLevel: 'silent', ...overrides } });
}

describe('openEmbedder with a catalog model that is not there yet', () => {
  it('fetches it on first use from its pinned source, with progress, and embeds', async () => {
    const config = configWith({ remoteHost: hub.url });
    const events: FetchEvent[] = [];
    const choice = await openEmbedder(config, { catalog: [hubOnly], onFetch: (e) => events.push(e) });
    try {
      expect(choice.lexicalReason).toBeNull();
      expect(choice.embedder?.model).toMatchObject({ modelId: pinned.spec.modelId, source: `hub:${pinned.spec.modelId}@main` });
      expect(events.filter((e) => e.type === 'note').map((e) => e.type === 'note' && e.message)).toContain(`fetching pinned-tiny from hub:${pinned.spec.modelId}@main`);
    } finally {
      await choice.embedder?.dispose();
    }
  });

  it('with workers, opens an embedder whose worker threads load the model it fetched and give the same vectors', async () => {
    const config = configWith({ remoteHost: hub.url });
    const pooled = await openEmbedder(config, { catalog: [hubOnly], workers: 2 });
    const single = await openEmbedder(config, { catalog: [hubOnly] });
    try {
      expect(pooled.embedder).toBeInstanceOf(PooledEmbedder);
      expect(single.embedder).not.toBeInstanceOf(PooledEmbedder);
      await (pooled.embedder as PooledEmbedder).workersReady();
      const texts = ['the cat sat on the mat', 'stock prices fell', 'rain', 'a dog barked at the door all night', 'interest rates rose'];
      const expected = await single.embedder!.embed(texts);
      (await pooled.embedder!.embed(texts)).forEach((vector, i) => vector.forEach((x, j) => expect(x).toBeCloseTo(expected[i]![j]!, 6)));
    } finally {
      await Promise.all([pooled.embedder?.dispose(), single.embedder?.dispose()]);
    }
  });

  it('goes on lexical when no source answers, naming `npm run models -- fetch`, and does not try again on the next start', async () => {
    const empty = await startFakeHub({ root: path.join(tmp, 'empty-hub') });
    try {
      const config = configWith({ remoteHost: empty.url });
      const first = await openEmbedder(config, { catalog: [hubOnly] });
      expect(first.embedder).toBeNull();
      expect(first.lexicalReason).toContain('answered HTTP 404');
      expect(first.lexicalReason).toContain('run `npm run models -- fetch pinned-tiny` once a source is reachable');
      const asked = empty.requests.length;
      expect(asked).toBeGreaterThan(0);

      const second = await openEmbedder(config, { catalog: [hubOnly] });
      expect(second.embedder).toBeNull();
      expect(second.lexicalReason).toMatch(/fetching it failed at \S+ and is retried after 60 min \(MODEL_FETCH_RETRY_MINUTES\): run `npm run models -- fetch pinned-tiny` to try now/);
      expect(empty.requests.length).toBe(asked);

      const retrying = await openEmbedder({ ...config, modelFetchRetryMinutes: 0 }, { catalog: [hubOnly] });
      expect(retrying.lexicalReason).toContain('answered HTTP 404');
      expect(empty.requests.length).toBeGreaterThan(asked);
    } finally {
      await empty.close();
    }
  });

  it('with downloads off, asks nothing and says how to get the model', async () => {
    const config = configWith({ remoteHost: hub.url, allowRemoteModels: false });
    const before = hub.requests.length;
    const choice = await openEmbedder(config, { catalog: [hubOnly] });
    expect(choice.lexicalReason).toContain('remote downloads are off (ALLOW_REMOTE_MODELS=false): run `npm run models -- fetch pinned-tiny`');
    expect(hub.requests.length).toBe(before);
  });
});
