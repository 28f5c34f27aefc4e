/**
 * Finds, downloads when allowed, and starts a transformers.js model pipeline (the embedder, the reader).
 *
 * transformers.js v3 reads its settings from one library-global `env` object and has no way to cancel a download
 * (huggingface/transformers.js#1182). `loadModelPipeline` is the only place in Verbatim that touches `env`; it sets every
 * field it relies on at each call and serialises loads, so two loads with different folders cannot mix settings.
 * To keep an unreachable or stalled hub from hanging startup, a load first checks the hub with a request it can
 * cancel, then watches the library's own downloads for stalls.
 */
import { access } from 'node:fs/promises';
import path from 'node:path';
import type { AllTasks, pipeline as pipelineFn } from '@huggingface/transformers';
import { AbortedError, ConfigError, ModelUnavailableError, throwIfAborted } from '../errors.js';
import type { ModelDtype } from './model-catalog.js';
import { requiredModelFiles } from './model-folder.js';

type Transformers = typeof import('@huggingface/transformers');
type PipelineOptions = NonNullable<Parameters<typeof pipelineFn>[2]>;
type ProgressInfo = Parameters<NonNullable<PipelineOptions['progress_callback']>>[0];

/** The pipelines Verbatim runs. */
export type ModelTask = 'feature-extraction' | 'question-answering';

/** Files an fp32 pipeline of either task reads; an offline copy needs exactly these under `<modelDir>/<modelId>/`. */
export const MODEL_FILES = requiredModelFiles('fp32');

/** How `loadModelPipeline` finds and downloads a model. Mirrors the `modelDir`/... settings in config.ts. */
export interface LoadModelOptions {
  /** Hub id of a model with ONNX weights for the task, e.g. `Xenova/all-MiniLM-L6-v2`. */
  readonly modelId: string;
  /**
   * Folder searched for `<modelId>/` first and where downloads are cached, in the same layout, so a folder
   * copied in by hand and a first-use download look identical. Relative paths resolve against the working directory.
   */
  readonly modelDir: string;
  /** Download the model from the hub when `modelDir` lacks it; false keeps a machine strictly offline. */
  readonly allowRemoteModels: boolean;
  /** Hub or mirror base URL for downloads. @default "https://huggingface.co/" (the library's default) */
  readonly remoteHost?: string;
  /** Which ONNX file to run: `fp32` reads `onnx/model.onnx`, `q8` reads `onnx/model_quantized.onnx` (transformers.js's own choice). @default "fp32" */
  readonly dtype?: ModelDtype;
  /**
   * ONNX Runtime threads for one operator (`intraOpNumThreads` of the session transformers.js creates). Not a setting
   * of Verbatim: `npm run bench -- --only models` measures the choice. @default ONNX Runtime's own (one per core)
   */
  readonly intraOpThreads?: number;
  /** What the model is for, as error messages name it. @default "embedding model" */
  readonly role?: string;
  /**
   * Longest wait, in milliseconds, for the hub to answer or for a running download to make progress. Without it a
   * hub that accepts connections but never answers blocks the load for minutes (undici waits 300 s per request).
   * It bounds stalls, not total download time, so a slow but steady first download still completes.
   * @default 15000
   */
  readonly timeoutMs?: number;
  /** Cancels the load; the promise then rejects with `AbortedError`. */
  readonly signal?: AbortSignal;
}

const DEFAULT_TIMEOUT_MS = 15_000;

/** Loads serialise on this chain because they share the library-global `env`. */
let envTurn: Promise<unknown> = Promise.resolve();
/** The library's own `env.remoteHost`, restored when a load does not name a mirror. */
let libraryRemoteHost: string | undefined;

/**
 * Loads a transformers.js pipeline for `task` from `<modelDir>/<modelId>/` or, when allowed, by downloading it into
 * that folder. Callers check that the model does what their task needs (a probe) and own the pipeline.
 * @throws ModelUnavailableError with the folder looked in and why the download did not help.
 * @throws AbortedError when `signal` fires first.
 * @throws ConfigError for a non-positive `timeoutMs`.
 */
export async function loadModelPipeline<T extends ModelTask>(task: T, options: LoadModelOptions): Promise<AllTasks[T]> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!(timeoutMs > 0)) throw new ConfigError(`model load timeout must be positive, got ${timeoutMs}`);
  throwIfAborted(options.signal);
  const run = envTurn.then(() => loadExclusive(task, { ...options, modelDir: path.resolve(options.modelDir) }, timeoutMs));
  envTurn = run.catch(() => undefined);
  return run;
}

async function loadExclusive<T extends ModelTask>(task: T, options: LoadModelOptions, timeoutMs: number): Promise<AllTasks[T]> {
  const { modelId, modelDir, allowRemoteModels, signal, role } = options;
  const dtype = options.dtype ?? 'fp32';
  const files = requiredModelFiles(dtype);
  throwIfAborted(signal);
  // Look in the folder before starting the library (about 0.2 s to import): with downloads off, a missing model is
  // then known at once, so every ingest of a lexical-only index can afford to check whether one was copied in.
  const modelPath = path.join(modelDir, ...modelId.split('/'));
  const missing = await missingFiles(modelPath, files);
  const notFound = missing.length === files.length ? `not found in ${modelDir}` : `incomplete in ${modelPath} (missing ${missing.join(', ')})`;
  const copy = `copy the model folder (${files.join(', ')}) to ${modelPath}`;
  if (missing.length > 0 && !allowRemoteModels) throw new ModelUnavailableError(modelId, `${notFound} and remote downloads are off: ${copy}, or set ALLOW_REMOTE_MODELS=true to download it`, { role });

  let transformers: Transformers;
  try {
    transformers = await import('@huggingface/transformers');
  } catch (error) {
    throw new ModelUnavailableError(modelId, `the @huggingface/transformers package failed to load (${messageOf(error)}): run \`npm install\``, { cause: error, role });
  }

  const { env } = transformers;
  libraryRemoteHost ??= env.remoteHost;
  const remoteHost = withTrailingSlash(options.remoteHost ?? libraryRemoteHost);
  env.allowLocalModels = true;
  env.localModelPath = modelDir;
  env.cacheDir = modelDir;
  env.useFSCache = true;
  env.allowRemoteModels = allowRemoteModels;
  env.remoteHost = remoteHost;

  if (missing.length > 0) {
    await checkHub({ modelId, role, remoteHost, pathTemplate: env.remotePathTemplate, timeoutMs, signal, notFound, fix: `${copy}, or set MODEL_REMOTE_HOST to a reachable mirror` });
  }

  const watchdog = stallWatchdog(timeoutMs);
  const cancel = abortion(signal);
  const loading = transformers.pipeline(task, modelId, {
    dtype,
    device: 'cpu',
    ...(options.intraOpThreads === undefined ? {} : { session_options: { intraOpNumThreads: options.intraOpThreads } }),
    cache_dir: modelDir,
    local_files_only: !allowRemoteModels,
    progress_callback: watchdog.onProgress,
  });
  try {
    return await Promise.race([loading, watchdog.stalled, cancel.aborted]);
  } catch (error) {
    // The library cannot cancel its own requests: if the race was lost to a stall or an abort, free whatever it still produces.
    loading.then((orphan) => orphan.dispose(), () => undefined);
    if (error instanceof AbortedError) throw error;
    if (error instanceof StalledError) {
      throw new ModelUnavailableError(modelId, `downloading to ${modelPath} from ${remoteHost} stalled (no data for ${seconds(timeoutMs)}): retry, or copy the model folder there by hand`, { cause: error, role });
    }
    const hint = missing.length === 0
      ? `the files in ${modelPath} may be incomplete or corrupt: delete that folder and download it again, or copy a complete model there`
      : `copy the model folder to ${modelPath}, or check that ${remoteHost} serves ${modelId}`;
    throw new ModelUnavailableError(modelId, `could not load it from ${modelPath} (${messageOf(error)}): ${hint}`, { cause: error, role });
  } finally {
    watchdog.dispose();
    cancel.dispose();
  }
}

/**
 * Asks the hub for the model's config.json with a request we can cancel. A dead hub then fails the load within
 * `timeoutMs` and leaves no request behind, which the library's own uncancellable downloads would.
 */
async function checkHub(args: {
  modelId: string;
  role: string | undefined;
  remoteHost: string;
  pathTemplate: string;
  timeoutMs: number;
  signal: AbortSignal | undefined;
  notFound: string;
  /** What the user can do instead, appended to every failure. */
  fix: string;
}): Promise<void> {
  const { modelId, role, remoteHost, timeoutMs, signal, notFound, fix } = args;
  const repoPath = args.pathTemplate.replaceAll('{model}', modelId).replaceAll('{revision}', 'main');
  const url = new URL(`${withTrailingSlash(repoPath).replace(/^\//, '')}config.json`, remoteHost);
  const timeout = AbortSignal.timeout(timeoutMs);
  let status: number;
  try {
    const response = await fetch(url, { signal: signal ? AbortSignal.any([signal, timeout]) : timeout });
    status = response.status;
    await response.body?.cancel();
  } catch (error) {
    if (signal?.aborted) throw new AbortedError();
    const reason = timeout.aborted ? `${remoteHost} did not answer within ${seconds(timeoutMs)}` : `download from ${remoteHost} failed (${messageOf(error)})`;
    throw new ModelUnavailableError(modelId, `${notFound} and ${reason}: ${fix}`, { cause: error, role });
  }
  if (status !== 200) {
    // The Hugging Face hub answers 401 rather than 404 for a repository that does not exist, unless the request carries a token.
    const reason = status === 404
      ? `${remoteHost} has no such model (HTTP 404 for ${url})`
      : status === 401 || status === 403
        ? `${remoteHost} refused access (HTTP ${status} for ${url}): check the model id; private or gated models are not supported`
        : `${remoteHost} answered HTTP ${status} for ${url}`;
    throw new ModelUnavailableError(modelId, `${notFound} and ${reason}: ${fix}`, { role });
  }
}

class StalledError extends Error {}

/**
 * Rejects `stalled` when a file is being fetched and no progress event has arrived for `timeoutMs`.
 * Idle time while no file is in flight (building the ONNX session) does not count.
 */
function stallWatchdog(timeoutMs: number): { onProgress: (info: ProgressInfo) => void; stalled: Promise<never>; dispose: () => void } {
  const inFlight = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let fail: (error: Error) => void = () => undefined;
  const stalled = new Promise<never>((_, reject) => {
    fail = reject;
  });
  stalled.catch(() => undefined);
  return {
    onProgress(info) {
      clearTimeout(timer);
      if ('file' in info) {
        if (info.status === 'initiate') inFlight.add(info.file);
        if (info.status === 'done') inFlight.delete(info.file);
      }
      if (inFlight.size > 0) timer = setTimeout(() => fail(new StalledError(`no progress on ${[...inFlight].join(', ')}`)), timeoutMs);
    },
    stalled,
    dispose() {
      clearTimeout(timer);
    },
  };
}

/** A promise that rejects with `AbortedError` when `signal` fires; `dispose` detaches it once the race is over. */
function abortion(signal: AbortSignal | undefined): { aborted: Promise<never>; dispose: () => void } {
  let onAbort = (): void => undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(new AbortedError());
  });
  aborted.catch(() => undefined);
  if (signal?.aborted) onAbort();
  signal?.addEventListener('abort', onAbort, { once: true });
  return { aborted, dispose: () => signal?.removeEventListener('abort', onAbort) };
}

async function missingFiles(modelPath: string, files: readonly string[]): Promise<string[]> {
  const missing: string[] = [];
  for (const file of files) {
    try {
      await access(path.join(modelPath, file));
    } catch {
      missing.push(file);
    }
  }
  return missing;
}

/** `https://host/path/`: URLs resolved against a base need its trailing slash. */
export function withTrailingSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}

function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}

/** `fetch failed: getaddrinfo ENOTFOUND huggingface.co` rather than just `fetch failed`. */
export function messageOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? error.cause.message : undefined;
  return cause && !error.message.includes(cause) ? `${error.message}: ${cause}` : error.message;
}
