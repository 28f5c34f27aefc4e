/**
 * The server as it ran before answering moved to worker threads: every ask on the event loop that also serves
 * HTTP and WebSocket traffic. Only for `npm run load -- --compare-in-process`, which measures the pool's
 * throughput against it in the same run; never a way to serve users. Takes the flags `bench/load-server-process.ts`
 * passes (`--host`, `--port`, `--corpus`, `--index`, `--no-embeddings`).
 */
import { configFromFlags, parseCommandLine, runCommand } from '../cli/cli-runtime.js';
import { createLogger } from '../retrieval/logger.js';
import { openPipeline } from '../retrieval/open-pipeline.js';
import { createServer } from '../server/create-server.js';

await runCommand(async () => {
  const { values } = parseCommandLine(process.argv.slice(2), { port: { type: 'string' }, host: { type: 'string' } }, 'tsx bench/in-process-server.ts --host H --port N [...]');
  const config = configFromFlags(values, { ...process.env, PORT: values.port ?? '0', HOST: values.host ?? '127.0.0.1' });
  const logger = createLogger({ level: config.logLevel });
  const { pipeline } = await openPipeline({ config, ingest: true });
  const server = await createServer({ pipeline, config, logger, webRoot: false });
  process.stdout.write(`Verbatim is serving the chat page at ${server.url}/\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await server.close();
  await pipeline.close();
});
