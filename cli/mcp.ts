/**
 * `npm run mcp`: the Model Context Protocol server on stdio, for MCP clients (desktop assistants, IDEs, agents) that
 * start it as a subprocess. Brings the index up to date as `npm start` does, then serves the tools `search`, `ask` and
 * `get_document_span` and the documents as resources until the client closes stdin or SIGINT/SIGTERM arrives.
 * stdout carries the protocol and nothing else: every log line, progress bar and message goes to stderr.
 */
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { InputError } from '../retrieval/errors.js';
import { createLogger } from '../retrieval/logger.js';
import { createMcpServer } from '../server/mcp/create-mcp-server.js';
import { configFromFlags, parseCommandLine, runCommand } from './cli-runtime.js';
import { openServingPipeline } from './serving-pipeline.js';
import { shutdownRequested } from './shutdown-signals.js';

const USAGE = 'npm run --silent mcp -- [--corpus DIR] [--index DIR] [--model ID] [--model-dir DIR] [--reader-model ID] [--no-embeddings] [--require-embeddings] [--top-k N] [--log-level LEVEL]';

/** Resolves once the client is gone: stdin ended or failed, or stdout can no longer be written (EPIPE). */
function clientLeft(): Promise<string> {
  return new Promise((resolve) => {
    process.stdin.once('end', () => resolve('stdin closed'));
    process.stdin.on('error', (error) => resolve(`stdin failed (${error.message})`));
    process.stdout.on('error', (error) => resolve(`stdout failed (${error.message})`));
  });
}

await runCommand(async () => {
  const { values, positionals } = parseCommandLine(process.argv.slice(2), {}, USAGE);
  if (values.help) {
    process.stdout.write(`usage: ${USAGE}\n`);
    return;
  }
  if (positionals.length) throw new InputError(`npm run mcp takes no arguments, got ${JSON.stringify(positionals.join(' '))}\nusage: ${USAGE}`);
  const config = configFromFlags(values);
  const logger = createLogger({ level: config.logLevel });

  const shutdown = shutdownRequested();
  // stdin stays paused, its messages buffered, until the transport reads it: a client may start talking at once.
  const pipeline = await openServingPipeline({ config, logger, report: process.stderr, signal: shutdown.signal });
  if (!pipeline) {
    shutdown.dispose();
    return;
  }
  try {
    const server = createMcpServer({ pipeline, config, logger });
    server.server.onerror = (error) => logger.warn({ err: error }, 'MCP message refused');
    const left = clientLeft();
    await server.connect(new StdioServerTransport());
    const { documents, chunks } = pipeline.status;
    process.stderr.write(`Verbatim MCP server on stdio: ${documents} documents, ${chunks} chunks; tools search, ask, get_document_span\n`);
    if (process.stdin.isTTY) process.stderr.write('waiting for an MCP client on stdin: configure this command in an MCP client (see the README), Ctrl-C to stop\n');
    const reason = await Promise.race([shutdown.signalled, left]);
    process.stderr.write(`${reason}: closing\n`);
    // Closing the server aborts the tool calls in progress, which stops their workers.
    await server.close();
  } finally {
    await pipeline.close();
    shutdown.dispose();
  }
});
