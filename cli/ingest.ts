import { lexicalOnlyMessage, openEmbedder } from '../retrieval/embed/open-embedder.js';
import { ingestCorpus } from '../retrieval/ingest/ingest-corpus.js';
import { configFromFlags, createFetchReporter, createIngestProgressBar, parseCommandLine, runCommand } from './cli-runtime.js';

const USAGE = 'npm run ingest -- [--corpus DIR] [--index DIR] [--model ID] [--model-dir DIR] [--require-embeddings] [--no-embeddings] [--rehash] [--json]';

await runCommand(async () => {
  const { values } = parseCommandLine(process.argv.slice(2), { json: { type: 'boolean' }, rehash: { type: 'boolean' } }, USAGE);
  if (values.help) {
    process.stdout.write(`usage: ${USAGE}\n`);
    return;
  }
  const config = configFromFlags(values);
  const bar = createIngestProgressBar();
  const fetching = createFetchReporter();
  let report;
  try {
    report = await ingestCorpus({ config, openEmbedder: () => openEmbedder(config, { onFetch: fetching.onEvent, workers: config.embedWorkers }), onProgress: bar.update, rehash: values.rehash === true });
  } finally {
    fetching.stop();
    bar.stop();
  }
  if (report.lexicalReason && report.mode === 'lexical') process.stderr.write(`${lexicalOnlyMessage(report.lexicalReason)}\n`);
  for (const skip of report.skipped) process.stderr.write(`skipped ${skip.path}: ${skip.reason}\n`);
  if (values.json) {
    process.stdout.write(`${JSON.stringify(report)}\n`);
    return;
  }
  const what = report.wrote
    ? `${report.added.length} added, ${report.changed.length} changed, ${report.removed.length} removed, ${report.unchanged} unchanged; ${report.embeddedChunks} chunks embedded`
    : 'already up to date';
  const read = report.confirmedByStamp > 0 ? `; ${report.confirmedByStamp} files confirmed unchanged by size and time, not read` : '';
  process.stdout.write(
    `indexed ${report.documents} documents as ${report.chunks} chunks in ${report.indexDir} (${report.mode}): ${what}${read} in ${Math.round(report.timingsMs.total)} ms\n`,
  );
});
