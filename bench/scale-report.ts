/** Tables of the scale benchmark: each figure as the median of the runs with their range, and against its target. */
import { SCALE_TARGETS, type HybridScaleResult, type ScaleBenchResult } from './scale-bench.js';
import { bytes, ms, spreadText, times, type Spread } from './stats.js';
import type { Table } from './table.js';

const seconds = (value: number): string => (Number.isFinite(value) ? `${(value / 1000).toFixed(2)} s` : '–');
const count = (value: number): string => value.toLocaleString('en-US');
const s = (value: Spread) => spreadText(value, seconds);
const m = (value: Spread) => spreadText(value, ms);
const b = (value: Spread) => spreadText(value, bytes);

/** The ingest and start-up table, the asks table, and the targets at the largest size. */
export function scaleTables(results: readonly ScaleBenchResult[], repeats: number): Table[] {
  const ingest: Table = {
    title: `Scale (lexical): ingest, start-up and memory, median (range) of ${repeats} runs`,
    headers: ['chunks', 'files', 'full ingest', 'ingest peak RSS', 'unchanged', 'add 1 file', 'change 1 file', 'remove 1 file', 'npm start → 200', 'server RSS', 'all processes RSS', 'index on disk'],
    rows: results.map((r) => [
      count(r.chunks),
      count(r.files),
      s(r.fullIngestMs),
      b(r.fullIngestPeakRss),
      s(r.unchangedMs),
      s(r.addOneMs),
      s(r.changeOneMs),
      s(r.removeOneMs),
      s(r.readyMs),
      b(r.serverRss),
      b(r.treeRss),
      b(r.indexBytes),
    ]),
    notes: [
      'Corpora: copies of the XQuAD-en articles, paragraphs shuffled per copy, 100 files a folder (bench/scale-corpus.ts). Every ingest is a fresh `node cli/launch.mjs cli/ingest.ts --no-embeddings --json` process timed spawn to exit (what `npm run ingest` runs, without npm\'s own ~0.3 s); each run starts from an empty index.',
      'Add, change and remove are one article copy each, after the unchanged re-ingest. `npm start → 200`: spawn of `npm start` to the first 200 from `/api/health` on the index just built. RSS when ready: the server process, and npm + server together.',
    ],
  };
  const asks: Table = {
    title: `Scale (lexical): POST /api/ask over HTTP, distinct questions, caches cold then warm, median (range) of ${repeats} runs`,
    headers: ['chunks', 'questions', 'cold p50', 'cold p95', 'cold p99', 'server p95 (cold)', 'warm p50', 'warm p95', 'warm p99', 'retrieve p50', 'raw FTS5 p50', 'retrieve ÷ raw FTS5'],
    rows: results.map((r) => [
      count(r.chunks),
      String(r.questions),
      m(r.cold.p50),
      m(r.cold.p95),
      m(r.cold.p99),
      m(r.cold.serverP95),
      m(r.warm.p50),
      m(r.warm.p95),
      m(r.warm.p99),
      m(r.cold.retrieveP50),
      m(r.rawFtsP50),
      times(r.cold.retrieveP50.median / r.rawFtsP50.median),
    ]),
    notes: [
      'Milliseconds. Cold: each question asked for the first time since the server started; warm: the same questions again. One request at a time, loopback.',
      'Raw FTS5: `SELECT rowid FROM terms WHERE terms MATCH ? ORDER BY bm25(terms, 1.0, 0.5) LIMIT 40` with the question\'s analysed terms OR-ed, on the same file, in the bench process; retrieve is the server\'s own `timingsMs.retrieve`.',
    ],
  };
  return [ingest, asks];
}

/** Each target of issue 13 against the largest size measured, as `figure at N chunks: value against ≤ target: met`. */
export function scaleHeadline(results: readonly ScaleBenchResult[]): string[] {
  const largest = results.at(-1);
  if (!largest) return [];
  const verdict = (figure: string, value: number, target: number, format: (n: number) => string) =>
    `${figure} at ${count(largest.chunks)} chunks (lexical, median): ${format(value)} — target ≤ ${format(target)}: ${value <= target ? 'met' : 'NOT met'} (${times(value / target)})`;
  const oneFile = Math.max(largest.addOneMs.median, largest.changeOneMs.median, largest.removeOneMs.median);
  const lines = [
    verdict('full ingest', largest.fullIngestMs.median, SCALE_TARGETS.fullIngestMs, seconds),
    verdict('add, change or remove one file (the slowest)', oneFile, SCALE_TARGETS.oneFileMs, seconds),
    verdict('unchanged re-ingest', largest.unchangedMs.median, SCALE_TARGETS.unchangedMs, seconds),
    verdict('npm start to the first 200', largest.readyMs.median, SCALE_TARGETS.readyMs, seconds),
    verdict('server RSS when ready', largest.serverRss.median, SCALE_TARGETS.serverRssBytes, bytes),
    verdict('ask p95, cold, end to end', largest.cold.p95.median, SCALE_TARGETS.askP95Ms, (n) => `${ms(n)} ms`),
  ];
  if (largest.chunks < 100_000) lines.push('The scale targets are set for 100,000 chunks: `npm run bench -- --scale --full` measures that size.');
  return lines;
}

/** The hybrid incremental-ingest table. */
export function hybridScaleTable(results: readonly HybridScaleResult[], repeats: number): Table {
  return {
    title: `Scale (hybrid): incremental ingest with vectors, median (range) of ${repeats} runs`,
    headers: ['chunks', 'files', 'model', 'full ingest', 'unchanged', 'add 1 file', 'change 1 file', 'remove 1 file', 'chunks embedded (add)', 'add / change / remove did', 'index on disk'],
    rows: results.map((r) => [
      count(r.chunks),
      count(r.files),
      r.model,
      s(r.fullIngestMs),
      s(r.unchangedMs),
      s(r.addOneMs),
      s(r.changeOneMs),
      s(r.removeOneMs),
      spreadText(r.addEmbedded, count),
      r.vectorIndexKinds.join(', '),
      b(r.indexBytes),
    ]),
    notes: [
      'The same corpora and ingest processes as the lexical table, with vectors: `incremental/updated` means the stores were patched and the HNSW graph given only the changed vectors (removed ones marked deleted).',
      'With the tiny test model (token embeddings and mean pooling, no transformer layers) embedding costs almost nothing: the figures are what Verbatim adds around a model. all-MiniLM-L6-v2 embeds about 12 chunks/s on this machine (models section), so one article copy of ~6 chunks adds about 0.5 s with it.',
    ],
  };
}
