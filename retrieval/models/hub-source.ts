/**
 * Fetches a catalog model's pinned files from the Hugging Face hub or a mirror (`MODEL_REMOTE_HOST`), the layout
 * transformers.js itself downloads from: `<host>/<repo>/resolve/<revision>/<path>`.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { AbortedError } from '../errors.js';
import type { ModelSource } from './model-catalog.js';
import { messageOf, withTrailingSlash } from './load-model-pipeline.js';
import { writePinnedFile, type ByteProgress } from './pinned-file-writer.js';
import { SourceUnavailableError } from './source-unavailable-error.js';

/** The hub transformers.js downloads from unless MODEL_REMOTE_HOST names a mirror. */
export const DEFAULT_HUB = 'https://huggingface.co/';

/**
 * Downloads every file of `source` into `stage`, checking each against its pin as it lands.
 * @throws SourceUnavailableError when the hub cannot be reached, answers other than 200, or stalls for `timeoutMs`.
 * @throws PinMismatchError when a file is not the pinned one.
 */
export async function fetchFromHub(args: {
  readonly source: Extract<ModelSource, { kind: 'hub' }>;
  readonly stage: string;
  readonly remoteHost?: string;
  readonly timeoutMs: number;
  readonly onBytes?: ByteProgress;
  readonly signal?: AbortSignal;
}): Promise<void> {
  const { source, stage, timeoutMs, signal } = args;
  const host = withTrailingSlash(args.remoteHost ?? DEFAULT_HUB);
  const files = [...source.files.map((pin) => ({ path: pin.path, pin })), ...source.unpinnedJson.map((file) => ({ path: file, pin: null }))];
  for (const file of files) {
    const url = new URL(`${source.repo}/resolve/${source.revision}/${file.path}`, host);
    const stall = new AbortController();
    let timer = setTimeout(() => stall.abort(), timeoutMs);
    const keepAlive = () => {
      clearTimeout(timer);
      timer = setTimeout(() => stall.abort(), timeoutMs);
    };
    const requestSignal = signal ? AbortSignal.any([signal, stall.signal]) : stall.signal;
    try {
      const response = await fetch(url, { signal: requestSignal }).catch((error: unknown) => {
        throw unreachable(error, host, url, stall.signal, timeoutMs, signal);
      });
      if (response.status !== 200 || !response.body) {
        await response.body?.cancel();
        throw new SourceUnavailableError(`${host} answered HTTP ${response.status} for ${url}`);
      }
      const body = Readable.fromWeb(response.body as WebReadableStream<Uint8Array>);
      await writePinnedFile({
        stage,
        path: file.path,
        body,
        pin: file.pin,
        what: `${file.path} from ${url}`,
        onBytes: (name, done, total) => {
          keepAlive();
          args.onBytes?.(name, done, total ?? (Number(response.headers.get('content-length')) || undefined));
        },
        signal: requestSignal,
      }).catch((error: unknown) => {
        if (error instanceof Error && error.name === 'AbortError') throw unreachable(error, host, url, stall.signal, timeoutMs, signal);
        throw error;
      });
      if (!file.pin) await assertJson(path.join(stage, file.path), url);
    } finally {
      clearTimeout(timer);
    }
  }
}

function unreachable(error: unknown, host: string, url: URL, stalled: AbortSignal, timeoutMs: number, signal: AbortSignal | undefined): Error {
  if (signal?.aborted) return new AbortedError();
  if (stalled.aborted) return new SourceUnavailableError(`${host} sent nothing for ${Math.round(timeoutMs / 1000)} s (${url})`);
  return new SourceUnavailableError(`${host} could not be reached (${messageOf(error)})`);
}

/** An unpinned configuration file must at least be the JSON transformers.js will parse, not an error page. */
async function assertJson(file: string, url: URL): Promise<void> {
  try {
    JSON.parse(await readFile(file, 'utf8'));
  } catch {
    throw new SourceUnavailableError(`${url} did not return JSON`);
  }
}
