import { parseArgs, type ParseArgsConfig } from 'node:util';
import cliProgress from 'cli-progress';
import { loadConfig, type Config, type ConfigInput } from '../retrieval/config.js';
import { ConfigError, InputError, VerbatimError } from '../retrieval/errors.js';
import type { IngestProgress } from '../retrieval/ingest/ingest-corpus.js';
import type { FetchEvent } from '../retrieval/models/fetch-model.js';

/** Flags every command understands, mapped onto configuration settings. */
export const CONFIG_FLAGS = {
  corpus: { type: 'string' },
  index: { type: 'string' },
  model: { type: 'string' },
  'model-dir': { type: 'string' },
  'reader-model': { type: 'string' },
  answerer: { type: 'string' },
  generator: { type: 'string' },
  'generator-model': { type: 'string' },
  'generator-base-url': { type: 'string' },
  'generator-api-key': { type: 'string' },
  'generator-timeout-ms': { type: 'string' },
  'chunk-size': { type: 'string' },
  'chunk-overlap': { type: 'string' },
  'top-k': { type: 'string' },
  'require-embeddings': { type: 'boolean' },
  'no-embeddings': { type: 'boolean' },
  'log-level': { type: 'string' },
} as const satisfies ParseArgsConfig['options'];

function integerFlag(name: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !/^\d+$/.test(value)) throw new InputError(`--${name} takes a whole number, got ${JSON.stringify(value)}`);
  return Number(value);
}

/** Parses argv strictly: an unknown flag is an InputError, not silently ignored. */
export function parseCommandLine<O extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: O, usage: string) {
  try {
    return parseArgs({ args: argv, options: { ...CONFIG_FLAGS, ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
  } catch (error) {
    throw new InputError(`${(error as Error).message}\nusage: ${usage}`);
  }
}

/** Builds the configuration from the environment and the configuration flags. */
export function configFromFlags(values: Record<string, unknown>, env: NodeJS.ProcessEnv = process.env): Config {
  const overrides: Partial<ConfigInput> = {
    corpusDir: values.corpus as string | undefined,
    indexDir: values.index as string | undefined,
    modelId: values.model as string | undefined,
    modelDir: values['model-dir'] as string | undefined,
    readerModelId: values['reader-model'] as string | undefined,
    answerer: values.answerer as ConfigInput['answerer'] | undefined,
    generator: values.generator as ConfigInput['generator'] | undefined,
    generatorModel: values['generator-model'] as string | undefined,
    generatorBaseUrl: values['generator-base-url'] as string | undefined,
    generatorApiKey: values['generator-api-key'] as string | undefined,
    generatorTimeoutMs: integerFlag('generator-timeout-ms', values['generator-timeout-ms']),
    chunkSize: integerFlag('chunk-size', values['chunk-size']),
    chunkOverlap: integerFlag('chunk-overlap', values['chunk-overlap']),
    topK: integerFlag('top-k', values['top-k']),
    requireEmbeddings: values['require-embeddings'] === true ? true : undefined,
    disableEmbeddings: values['no-embeddings'] === true ? true : undefined,
    logLevel: values['log-level'] as ConfigInput['logLevel'] | undefined,
  };
  return loadConfig({ env, overrides });
}

/**
 * Exit codes of every command (`ingest`, `ask`, `eval`, `npm start`), by what a script should do about the failure.
 * Part of the command-line contract in the README.
 */
export const EXIT_CODES = {
  /** Done. */
  ok: 0,
  /** Anything else: the `error:` line says what; unexpected ones ask for a report. */
  failed: 1,
  /** Bad flags, input or configuration: fix the command. */
  badInput: 2,
  /** Another ingest holds the index lock, or this one lost it (`INDEX_LOCKED`, `INDEX_LOCK_LOST`): run it again later. */
  indexBusy: 3,
  /** The new index could not be written (`DISK_FULL`, `INDEX_WRITE_FAILED`): free space or fix the folder, then run it again. */
  indexWriteFailed: 4,
} as const;

/** The exit code for an error a command ended with. */
export function exitCodeFor(error: unknown): number {
  if (error instanceof InputError || error instanceof ConfigError) return EXIT_CODES.badInput;
  const code = VerbatimError.isInstance(error) ? error.code : null;
  if (code === 'INDEX_LOCKED' || code === 'INDEX_LOCK_LOST') return EXIT_CODES.indexBusy;
  if (code === 'DISK_FULL' || code === 'INDEX_WRITE_FAILED') return EXIT_CODES.indexWriteFailed;
  return EXIT_CODES.failed;
}

/**
 * Runs a command: any error becomes one line on stderr naming the problem (the stack only with LOG_LEVEL=debug),
 * and the exit code from {@link EXIT_CODES}.
 */
export async function runCommand(main: () => Promise<void>): Promise<void> {
  try {
    await main();
  } catch (error) {
    const message = VerbatimError.isInstance(error) ? error.message : error instanceof Error ? `${error.message} (unexpected; please report with LOG_LEVEL=debug output)` : String(error);
    process.stderr.write(`error: ${message}\n`);
    if (process.env.LOG_LEVEL === 'debug' && error instanceof Error) process.stderr.write(`${error.stack}\n`);
    process.exitCode = exitCodeFor(error);
  }
}

/** A progress bar on stderr while ingesting, shown only on a terminal. */
export function createIngestProgressBar(stream: NodeJS.WriteStream = process.stderr): { update: (p: IngestProgress) => void; stop: () => void } {
  if (!stream.isTTY) return { update: () => {}, stop: () => {} };
  const bar = new cliProgress.SingleBar(
    { stream, format: ' {phase} |{bar}| {value}/{total} {unit}', hideCursor: true, clearOnComplete: false },
    cliProgress.Presets.shades_classic,
  );
  let phase = '';
  return {
    update: (p) => {
      const unit = p.phase === 'split' || p.phase === 'load' ? 'documents' : 'chunks';
      if (p.phase !== phase) {
        if (phase) bar.stop();
        phase = p.phase;
        bar.start(p.total, p.done, { phase: p.phase.padEnd(5), unit });
      } else bar.update(p.done, { phase: p.phase.padEnd(5), unit });
    },
    stop: () => {
      if (phase) bar.stop();
    },
  };
}

/**
 * Shows a model fetch on stderr: what it is doing, line by line, and on a terminal a byte bar per file.
 * `npm run models -- fetch`, `ingest` and `npm start` (fetching a missing model on first use) share it.
 */
export function createFetchReporter(stream: NodeJS.WriteStream = process.stderr): { onEvent: (event: FetchEvent) => void; stop: () => void } {
  const bar = stream.isTTY
    ? new cliProgress.SingleBar({ stream, format: ' {file} |{bar}| {done}/{size} MB', hideCursor: true, clearOnComplete: true }, cliProgress.Presets.shades_classic)
    : null;
  let file = '';
  const megabytes = (bytes: number) => (bytes / 1e6).toFixed(1);
  const stopBar = () => {
    if (file) bar?.stop();
    file = '';
  };
  return {
    onEvent: (event) => {
      if (event.type === 'note') {
        stopBar();
        stream.write(`${event.message}\n`);
        return;
      }
      if (!bar) return;
      const total = event.total ?? event.done;
      const values = { file: event.file, done: megabytes(event.done), size: event.total === undefined ? '?' : megabytes(total) };
      if (event.file !== file) {
        stopBar();
        file = event.file;
        bar.start(total, event.done, values);
      } else {
        bar.setTotal(Math.max(total, event.done));
        bar.update(event.done, values);
      }
    },
    stop: stopBar,
  };
}
