/**
 * A real ingest as a user runs it: `cli/ingest.ts` (what `npm run ingest` starts) in a child process, with the real
 * model, into a fresh index folder, index writes included, and the peak-memory probe preloaded — a process's peak RSS
 * is only its own when nothing else (the benchmark, other models) lives in it. The configuration is the defaults:
 * Verbatim's environment variables are not passed on, except those given in `env`.
 */
import path from 'node:path';
import { ENV_NAMES } from '../retrieval/config.js';
import type { IngestReport } from '../retrieval/ingest/ingest-corpus.js';
import { PEAK_PROBE_MARKER, type PeakSample } from './peak-memory-sample.js';
import { runNodeProcess, scriptWithProbe } from './node-process.js';

const PROBE = new URL('./peak-memory-probe.ts', import.meta.url);

/** Options of {@link runIngestProcess}. */
export interface IngestProcessOptions {
  readonly corpusDir: string;
  /** An empty folder for a full ingest, or an index to bring up to date. */
  readonly indexDir: string;
  /** EMBEDDING_MODEL: a catalog name or model id, required to load; null for a lexical ingest (`--no-embeddings`). */
  readonly model: string | null;
  /** Extra environment, e.g. `{ EMBED_BATCH_SIZE: '64' }`. */
  readonly env?: Readonly<Record<string, string>>;
}

/** What one ingest process did and used. */
export interface IngestProcessResult {
  /** The `--json` report: chunks, and timings from reading the corpus to switching CURRENT (the model load included). */
  readonly report: IngestReport;
  /** Peak resident set size of the process, bytes. */
  readonly maxRss: number;
  readonly cpuMs: number;
  /** Spawn to exit: Node start-up, loading the code, and the ingest. */
  readonly processWallMs: number;
}

/**
 * Runs `node --import peak-memory-probe cli/launch.mjs cli/ingest.ts --corpus … --index … --model … --require-embeddings --json`
 * (`--no-embeddings` instead of the model flags when `model` is null).
 * @throws Error with the command's stderr when it fails.
 */
export async function runIngestProcess(options: IngestProcessOptions): Promise<IngestProcessResult> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of Object.values(ENV_NAMES)) delete env[name];
  Object.assign(env, { LOG_LEVEL: 'warn', ALLOW_REMOTE_MODELS: 'false', ...options.env });
  const embedding = options.model === null ? ['--no-embeddings'] : ['--model', options.model, '--require-embeddings'];
  const args = [...scriptWithProbe(path.join('cli', 'ingest.ts'), PROBE), '--corpus', options.corpusDir, '--index', options.indexDir, ...embedding, '--json'];
  const { code, stdout, stderr, processWallMs } = await runNodeProcess(args, env);
  const probeLine = stderr.split('\n').find((line) => line.startsWith(PEAK_PROBE_MARKER));
  if (code !== 0 || !probeLine) throw new Error(`ingest process exited with ${code}${probeLine ? '' : ' and no peak-memory line'}: ${stderr.trim().slice(-2000)}`);
  const peak = JSON.parse(probeLine.slice(PEAK_PROBE_MARKER.length)) as PeakSample;
  const report = JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as IngestReport;
  return { report, maxRss: peak.maxRss, cpuMs: peak.cpuMs, processWallMs };
}
