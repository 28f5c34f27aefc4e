import type { Config } from '../retrieval/config.js';
import { lexicalOnlyMessage } from '../retrieval/embed/open-embedder.js';
import { AbortedError } from '../retrieval/errors.js';
import type { Logger } from '../retrieval/logger.js';
import { openPipeline, type OpenedPipeline } from '../retrieval/open-pipeline.js';
import type { PipelineStatus } from '../retrieval/pipeline.js';
import type { RebuiltPipeline } from '../retrieval/serving/live-index.js';
import { createPooledPipeline, type PooledPipeline } from '../retrieval/workers/ask-pool.js';
import { createFetchReporter, createIngestProgressBar } from './cli-runtime.js';

/** Options of {@link openServingPipeline}. */
export interface ServingPipelineOptions {
  readonly config: Config;
  readonly logger: Logger;
  /**
   * Where the lines about the index and the retrieval mode go: stdout for `npm start`, stderr for `npm run mcp`,
   * whose stdout carries the protocol. Warnings, skipped files and progress always go to stderr.
   */
  readonly report: NodeJS.WritableStream;
  /** Stops the start-up; an ingest stopped half-way leaves the previous index as it was. */
  readonly signal: AbortSignal;
}

/** The one line that says how retrieval runs. */
function retrievalModeLine(status: PipelineStatus): string {
  return status.mode === 'hybrid' ? `retrieval: hybrid — BM25 + vectors from ${status.embedder}` : lexicalOnlyMessage(status.lexicalReason ?? 'no embedder');
}

/** What the start-up ingest did, or why the previous index is served instead. */
function reportIngest(opened: OpenedPipeline, config: Config, report: NodeJS.WritableStream): void {
  const { ingest, ingestError, pipeline } = opened;
  if (ingestError) {
    process.stderr.write(`warning: ${ingestError.message}\n`);
    const { documents, chunks } = pipeline.status;
    report.write(`index: not updated (${ingestError.code}); serving the previous one: ${documents} documents, ${chunks} chunks in ${config.indexDir}\n`);
  }
  if (ingest) {
    for (const skip of ingest.skipped) process.stderr.write(`skipped ${skip.path}: ${skip.reason}\n`);
    const changes = ingest.wrote ? `${ingest.added.length} added, ${ingest.changed.length} changed, ${ingest.removed.length} removed` : 'up to date';
    report.write(`index: ${ingest.documents} documents, ${ingest.chunks} chunks in ${ingest.indexDir} (${changes})\n`);
  }
  report.write(`${retrievalModeLine(pipeline.status)}\n`);
}

/**
 * The start-up of a serving command (`npm start`, `npm run mcp`): brings the index of the corpus up to date exactly as
 * `npm run ingest` does (a missing index is built, progress and model fetches are shown on stderr), serves the previous
 * index when the new one cannot be written, says what it did, and starts the answering worker threads, so every ask
 * and search runs off the serving thread with a deadline.
 * @returns the pipeline to serve (the caller closes it), or null when `signal` stopped the start-up first.
 * @throws whatever keeps the index from opening (no corpus, a damaged index, another embedder, …).
 */
export async function openServingPipeline(options: ServingPipelineOptions): Promise<PooledPipeline | null> {
  const { config, logger, report, signal } = options;
  const bar = createIngestProgressBar();
  const fetching = createFetchReporter();
  let opened: OpenedPipeline;
  try {
    // The worker threads run the generator; this thread only fetches it (with progress) and describes it.
    opened = await openPipeline({ config, ingest: true, fallBackToLastGoodIndex: true, onProgress: bar.update, onFetch: fetching.onEvent, signal, describeGeneratorOnly: true });
  } catch (error) {
    // Ingest writes a new index generation and switches atomically, so stopping here leaves the old one intact.
    if (signal.aborted && error instanceof AbortedError) {
      report.write('stopped before serving; the index was left as it was\n');
      return null;
    }
    throw error;
  } finally {
    fetching.stop();
    bar.stop();
  }
  const local = opened.pipeline;
  try {
    reportIngest(opened, config, report);
    const pooled = signal.aborted ? null : await createPooledPipeline({ local, config, logger });
    if (pooled && !signal.aborted) return pooled;
    // The pool owns the local pipeline once it exists: closing it closes both.
    await (pooled ?? local).close();
    return null;
  } catch (error) {
    await local.close();
    throw error;
  }
}

/** Options of {@link rebuildServingPipeline}. */
export interface RebuildServingPipelineOptions {
  readonly config: Config;
  readonly logger: Logger;
  readonly signal: AbortSignal;
}

/**
 * A re-index while serving (after an upload or a delete): the same incremental ingest as at start-up (unchanged
 * documents keep their chunks and vectors), then a new pool of answering workers over the generation it wrote. Nothing
 * of the pipeline being served is touched; the caller switches to the result. Unlike start-up, a new index that cannot
 * be written is an error: the pipeline being served is the previous index.
 * @throws whatever keeps the ingest or the workers from finishing.
 */
export async function rebuildServingPipeline(options: RebuildServingPipelineOptions): Promise<RebuiltPipeline> {
  const { config, logger, signal } = options;
  const opened = await openPipeline({ config, ingest: true, signal, describeGeneratorOnly: true, logger });
  try {
    for (const skip of opened.ingest?.skipped ?? []) logger.debug({ path: skip.path, reason: skip.reason }, 'skipped a corpus file');
    const pooled = await createPooledPipeline({ local: opened.pipeline, config, logger });
    return { pipeline: pooled, ingest: opened.ingest! };
  } catch (error) {
    await opened.pipeline.close();
    throw error;
  }
}
