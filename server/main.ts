/**
 * `npm start`: brings the index of the corpus up to date, then serves the chat page, the JSON API and
 * the WebSocket until SIGINT/SIGTERM.
 */
import { configFromFlags, parseCommandLine, runCommand } from '../cli/cli-runtime.js';
import { openServingPipeline, rebuildServingPipeline } from '../cli/serving-pipeline.js';
import { shutdownRequested } from '../cli/shutdown-signals.js';
import { InputError } from '../retrieval/errors.js';
import { FeedbackLog } from '../retrieval/feedback/feedback-log.js';
import { createDocumentLibrary } from '../retrieval/library/document-library.js';
import { createLogger } from '../retrieval/logger.js';
import { createLiveIndex } from '../retrieval/serving/live-index.js';
import { assertSafeBinding } from './access-guards.js';
import { createServer } from './create-server.js';

const USAGE =
  'npm start -- [--port N] [--host ADDR] [--corpus DIR] [--index DIR] [--model ID] [--model-dir DIR] [--no-embeddings] [--require-embeddings] [--log-level LEVEL]';

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

  const shutdown = shutdownRequested();
  const served = await openServingPipeline({ config, logger, report: process.stdout, signal: shutdown.signal });
  if (!served) {
    shutdown.dispose();
    return;
  }
  // Uploads and deletes re-index while the server answers; the live index switches generations under every route.
  const pipeline = createLiveIndex({ initial: served, rebuild: (signal) => rebuildServingPipeline({ config, logger, signal }), logger });
  const library = createDocumentLibrary({ live: pipeline, config, logger });
  try {
    const feedbackLog = new FeedbackLog({ file: config.feedbackFile, maxBytes: config.feedbackMaxBytes });
    const server = await createServer({ pipeline, library, config, logger, feedbackLog });
    process.stdout.write(`feedback: readers' verdicts go to ${feedbackLog.file}\n`);
    process.stdout.write(`Verbatim is serving the chat page at ${server.url}/\n`);
    if (config.apiToken) process.stdout.write(`access token required: open ${server.url}/#token=<API_TOKEN>\n`);

    const signal = await shutdown.signalled;
    process.stdout.write(`${signal}: closing connections\n`);
    await server.close();
  } finally {
    await pipeline.close();
    shutdown.dispose();
  }
});
