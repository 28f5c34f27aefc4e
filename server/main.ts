/**
 * `npm start`: brings the index of the corpus up to date, then serves the chat page, the JSON API and
 * the WebSocket until SIGINT/SIGTERM.
 */
import { configFromFlags, createFetchReporter, createIngestProgressBar, parseCommandLine, runCommand } from '../cli/cli-runtime.js';
import { lexicalOnlyMessage } from '../retrieval/embed/open-embedder.js';
import { AbortedError, InputError } from '../retrieval/errors.js';
import { createLogger } from '../retrieval/logger.js';
import { openPipeline } from '../retrieval/open-pipeline.js';
import { createPooledPipeline } from '../retrieval/workers/ask-pool.js';
import type { PipelineStatus } from '../retrieval/pipeline.js';
import { assertSafeBinding } from './access-guards.js';
import { createServer } from './create-server.js';

const USAGE =
  'npm start -- [--port N] [--host ADDR] [--corpus DIR] [--index DIR] [--model ID] [--model-dir DIR] [--no-embeddings] [--require-embeddings] [--log-level LEVEL]';

/** The one line that says how retrieval runs. */
function retrievalModeLine(status: PipelineStatus): string {
  return status.mode === 'hybrid' ? `retrieval: hybrid — BM25 + vectors from ${status.embedder}` : lexicalOnlyMessage(status.lexicalReason ?? 'no embedder');
}

/** Resolves with the first SIGINT or SIGTERM; a second one exits at once. */
function shutdownRequested(onSecond: () => void): { promise: Promise<NodeJS.Signals>; dispose: () => void } {
  let seen = false;
  let resolve!: (signal: NodeJS.Signals) => void;
  const promise = new Promise<NodeJS.Signals>((r) => (resolve = r));
  const handler = (signal: NodeJS.Signals) => {
    if (seen) return onSecond();
    seen = true;
    resolve(signal);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    promise,
    dispose: () => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}

await runCommand(async () => {
  const { values } = parseCommandLine(process.argv.slice(2), { port: { type: 'string' }, host: { type: 'string' } }, USAGE);
  if (values.help) {
    process.stdout.write(`usage: ${USAGE}\n`);
    return;
  }
  if (values.port !== undefined && !/^\d+$/.test(values.port)) throw new InputError(`--port takes a whole number, got ${JSON.stringify(values.port)}`);
  if (values.host !== undefined && values.host.trim() === '') throw new InputError('--host takes an address, e.g. 127.0.0.1');
  // --port and --host win over PORT and HOST, and are validated by the same configuration schema.
  const env = { ...process.env, ...(values.port !== undefined ? { PORT: values.port } : {}), ...(values.host !== undefined ? { HOST: values.host } : {}) };
  const config = configFromFlags(values, env);
  assertSafeBinding(config.host, config.apiToken);
  const logger = createLogger({ level: config.logLevel });

  const startup = new AbortController();
  const shutdown = shutdownRequested(() => {
    process.stderr.write('forced exit\n');
    process.exit(130);
  });
  void shutdown.promise.then(() => startup.abort());

  const bar = createIngestProgressBar();
  const fetching = createFetchReporter();
  let opened;
  try {
    opened = await openPipeline({ config, ingest: true, fallBackToLastGoodIndex: true, onProgress: bar.update, onFetch: fetching.onEvent, signal: startup.signal });
  } catch (error) {
    // Ingest writes a new index generation and switches atomically, so stopping here leaves the old one intact.
    if (startup.signal.aborted && error instanceof AbortedError) {
      process.stdout.write('stopped before serving; the index was left as it was\n');
      shutdown.dispose();
      return;
    }
    throw error;
  } finally {
    fetching.stop();
    bar.stop();
  }
  const { ingest, ingestError } = opened;
  let pipeline = opened.pipeline;
  try {
    if (ingestError) {
      process.stderr.write(`warning: ${ingestError.message}\n`);
      const { documents, chunks } = pipeline.status;
      process.stdout.write(`index: not updated (${ingestError.code}); serving the previous one: ${documents} documents, ${chunks} chunks in ${config.indexDir}\n`);
    }
    if (ingest) {
      for (const skip of ingest.skipped) process.stderr.write(`skipped ${skip.path}: ${skip.reason}\n`);
      const changes = ingest.wrote ? `${ingest.added.length} added, ${ingest.changed.length} changed, ${ingest.removed.length} removed` : 'up to date';
      process.stdout.write(`index: ${ingest.documents} documents, ${ingest.chunks} chunks in ${ingest.indexDir} (${changes})\n`);
    }
    process.stdout.write(`${retrievalModeLine(pipeline.status)}\n`);
    if (startup.signal.aborted) return;
    // Answers run in worker threads with a deadline, so no single question can hold up the server.
    pipeline = await createPooledPipeline({ local: pipeline, config, logger });
    if (startup.signal.aborted) return;

    const server = await createServer({ pipeline, config, logger });
    process.stdout.write(`Verbatim is serving the chat page at ${server.url}/\n`);
    if (config.apiToken) process.stdout.write(`access token required: open ${server.url}/#token=<API_TOKEN>\n`);

    const signal = await shutdown.promise;
    process.stdout.write(`${signal}: closing connections\n`);
    await server.close();
  } finally {
    await pipeline.close();
    shutdown.dispose();
  }
});
