/**
 * Turns benchmark results into tables (terminal and RESULTS.md), each figure next to its reference as a ratio
 * where one exists: the raw embedder for ingest, exact search for HNSW, the targets of issues 2 and 5.
 */
import type { EventLoopBenchResult } from './event-loop-bench.js';
import { INGEST_STAGES, type IngestBenchResult } from './ingest-bench.js';
import type { MachineInfo } from './machine.js';
import { ASK_P95_TARGET_MS, type QueryBenchResult } from './query-bench.js';
import { bytes, ms, times } from './stats.js';
import type { Table } from './table.js';
import type { VectorBenchResult } from './vector-index-bench.js';

/** Recall@10 the configured ef must reach. */
export const RECALL_TARGET = 0.98;
/** Time for a server to become ready on a persisted 100k-chunk index, milliseconds. */
export const READY_TARGET_MS = 5000;

const pct = (value: number): string => (Number.isFinite(value) ? `${(value * 100).toFixed(1)}%` : '–');
const seconds = (value: number): string => `${(value / 1000).toFixed(value >= 10_000 ? 0 : 1)} s`;
const count = (value: number): string => value.toLocaleString('en-US');

/** The machine, as a short list. */
export function machineLines(machine: MachineInfo): string[] {
  return [`CPU: ${machine.cpuModel} — nproc ${machine.cores}`, `Memory (free -h): ${machine.memory}`, `Node ${machine.node} on ${machine.os}`];
}

/** Ingest per chunk by stage. */
export function ingestTable(results: readonly IngestBenchResult[]): Table {
  return {
    title: 'Ingest: milliseconds per chunk by stage (full ingest into an empty index, median of runs)',
    headers: ['corpus', 'embedder', 'docs', 'chunks', ...INGEST_STAGES, 'total', 'raw embed', 'embed ÷ raw', 'total ÷ raw', 'unchanged re-run'],
    rows: results.map((r) => {
      const per = (value: number) => ms(value / r.chunks);
      return [
        r.corpus,
        r.mode === 'tiny' ? 'tiny model' : 'none (BM25)',
        String(r.documents),
        String(r.chunks),
        ...INGEST_STAGES.map((stage) => per(r.stagesMs[stage])),
        per(r.totalMs),
        r.rawEmbedMs === null ? '–' : per(r.rawEmbedMs),
        r.rawEmbedMs === null ? '–' : times(r.stagesMs.embed / r.rawEmbedMs),
        r.rawEmbedMs === null ? '–' : times(r.totalMs / r.rawEmbedMs),
        `${ms(r.unchangedMs)} ms`,
      ];
    }),
    notes: [
      'Stages as IngestReport.timingsMs reports them: load = read and decode files; split = chunking (and reading the previous index); embed = model calls; index = BM25 build + HNSW build; save = writing the generation and switching CURRENT.',
      'raw embed = embedder.embed alone over the same chunk texts in the same batches (per chunk); embed ÷ raw is what ingest adds around the model (×1.00 = nothing).',
      'The tiny model is token embeddings + mean pooling: ~100× cheaper than MiniLM, so embed is a floor; with a real model embed dominates and the other stages shrink in proportion.',
      'unchanged re-run = a second ingest of the same corpus (nothing to write), whole run.',
    ],
  };
}

/** Questions, asks, then retrieve, answer and total p50/p95 and the slowest ask: the cells every ask table shares. */
export function askLatencyCells(r: QueryBenchResult): string[] {
  return [String(r.questions), String(r.samples), ms(r.retrieve.p50), ms(r.retrieve.p95), ms(r.answer.p50), ms(r.answer.p95), ms(r.wall.p50), ms(r.wall.p95), ms(r.wall.max)];
}

/** `ask` latency by stage. */
export function queryTable(results: readonly QueryBenchResult[]): Table {
  return {
    title: '`ask` in-process: latency by stage, milliseconds (one question at a time, after a warm-up pass)',
    headers: ['corpus', 'retrieval', 'questions', 'asks', 'retrieve p50', 'retrieve p95', 'answer p50', 'answer p95', 'total p50', 'total p95', 'max', 'p95 ÷ 50 ms target', 'abstained'],
    rows: results.map((r) => [
      r.corpus,
      r.mode === 'tiny' ? 'hybrid (tiny model)' : r.mode === 'model' ? `hybrid (${r.model ?? 'real model'})` : 'lexical',
      ...askLatencyCells(r),
      times(r.wall.p95 / ASK_P95_TARGET_MS),
      `${r.abstained}/${r.questions}`,
    ]),
    notes: [
      'retrieve and answer are AskResult.timingsMs; total is wall time around pipeline.ask (adds streaming the answer into events).',
      `Target (issue 2): lexical p95 under ${ASK_P95_TARGET_MS} ms on the seed corpus; the ratio column is p95 ÷ ${ASK_P95_TARGET_MS} ms (below ×1 meets it).`,
      'Hybrid rows embed each question with the tiny model: they show the vector-search path, not the cost of a real model.',
    ],
  };
}

/** HNSW against exact search. */
export function vectorTable(results: readonly VectorBenchResult[]): Table {
  return {
    title: 'HNSW vector index vs exact search (384-dimensional unit vectors)',
    headers: ['vectors', 'distribution', 'build', 'build per vector', 'ef', 'recall@10', 'recall ÷ 0.98', 'HNSW p50', 'HNSW p95', 'exact p50', 'exact p95', 'speed-up (p50)', 'JS scan p50', 'ef for recall ≥ 0.98'],
    rows: results.map((r) => [
      count(r.size),
      r.kind,
      seconds(r.buildMs),
      `${ms(r.buildMs / r.size)} ms`,
      String(r.configured.ef),
      pct(r.configured.recall),
      times(r.configured.recall / RECALL_TARGET),
      ms(r.configured.latency.p50),
      ms(r.configured.latency.p95),
      ms(r.exact.p50),
      ms(r.exact.p95),
      times(r.configured.speedup),
      ms(r.exactJs.p50),
      r.efFor098 === null ? `> ${Math.max(...r.sweep.map((p) => p.ef))}` : String(r.efFor098),
    ]),
    notes: [
      'Latencies in ms for one query of k = 10 through VectorIndex.search; exact = hnswlib BruteforceSearch (same C++ distance code), JS scan = plain dot-product loop (the ground truth).',
      'latent = unit vectors near a 32-dimensional subspace plus noise (like text embeddings); uniform = independent Gaussian coordinates, the worst case (all points nearly orthogonal), shown as a bound.',
      'Queries are held-out samples of the same distribution. M and efConstruction as configured (16, 200).',
    ],
  };
}

/** The ef sweep. */
export function sweepTable(results: readonly VectorBenchResult[]): Table {
  const rows: string[][] = [];
  for (const r of results) {
    for (const point of r.sweep) {
      rows.push([count(r.size), r.kind, String(point.ef), pct(point.recall), ms(point.latency.p50), ms(point.latency.p95), times(point.speedup), point.ef === r.configured.ef ? 'configured' : '']);
    }
  }
  return { title: 'ef sweep: recall@10 and latency (ms) against exact search', headers: ['vectors', 'distribution', 'ef', 'recall@10', 'p50', 'p95', 'speed-up', ''], rows };
}

/** Memory and load time. */
export function memoryTable(results: readonly VectorBenchResult[]): Table {
  const raw = (r: VectorBenchResult) => r.dimension * 4;
  return {
    title: 'Memory per vector and load time of a persisted index (fresh process)',
    headers: ['vectors', 'distribution', 'hnswlib.index / n', '÷ raw vector', 'docstore.json / n', 'RSS added by load / n', '÷ raw vector', 'VectorIndex.load', 'first search'],
    rows: results.map((r) => {
      const rss = (r.load.rssAfter - r.load.rssBefore) / r.size;
      return [
        count(r.size),
        r.kind,
        bytes(r.files.index / r.size),
        times(r.files.index / r.size / raw(r)),
        bytes(r.files.docstore / r.size),
        bytes(rss),
        times(rss / raw(r)),
        `${ms(r.load.loadMs)} ms`,
        `${ms(r.load.firstQueryMs)} ms`,
      ];
    }),
    notes: [
      'Raw vector = 384 × 4 bytes = 1,536 B. hnswlib stores each vector plus its level-0 links (2M = 32 neighbours) and a label; RSS also counts the JS docstore (LangChain Documents and ids).',
      'RSS is measured after a forced GC before and after VectorIndex.load in a fresh process; the page cache is warm (files just written).',
    ],
  };
}

/** Start-up of a whole persisted index. */
export function readyTable(results: readonly VectorBenchResult[]): Table {
  const rows = results
    .filter((r) => r.pipeline)
    .map((r) => {
      const p = r.pipeline!;
      const onDisk = Object.values(p.synthetic.fileBytes).reduce((a, b) => a + b, 0);
      return [
        count(r.size),
        String(p.synthetic.documents),
        bytes(onDisk),
        `${ms(p.files.loadMs)} ms`,
        p.files.lexicalMs === undefined ? '–' : `${ms(p.files.lexicalMs)} ms`,
        `${ms(r.load.loadMs)} ms`,
        `${ms(p.open.loadMs)} ms`,
        `${ms(p.open.readyAtMs)} ms`,
        times(p.open.readyAtMs / READY_TARGET_MS),
        bytes(p.open.rssAfter),
        `${ms(p.open.firstQueryMs)} ms`,
        `${ms(p.open.warmQueryMs)} ms`,
      ];
    });
  return {
    title: 'Ready time on a persisted index of N chunks (fresh process, openPipeline)',
    headers: ['chunks', 'documents', 'on disk', 'loadIndex', 'of which BM25', 'VectorIndex.load', 'openPipeline', 'process start → ready', '÷ 5 s target', 'RSS ready', 'first ask', 'ask p50 after'],
    rows,
    notes: [
      'A synthetic index in the exact layout ingest writes: 1,000-character chunks every 800 characters, 100 per document, BM25 over them, cached vectors, the HNSW files measured above.',
      'of which BM25 = reading lexical.sqlite for its checksum and opening it alone (timed again after the load, in the same process).',
      'openPipeline = loadIndex (manifest, documents, chunks, BM25, vectors.f32) + VectorIndex.load + the extractive answerer (wink-nlp model). The embedder is a stand-in with the index’s id: loading a real MiniLM adds its own start-up, not measured here.',
      'process start → ready includes Node start-up and loading the code; a server listens right after this point.',
    ],
  };
}

/** Event-loop blocking. */
export function eventLoopTable(result: EventLoopBenchResult): Table {
  const idle = result.idle;
  return {
    title: `Event loop while searching a ${count(result.size)}-vector index (one search per macrotask)`,
    headers: ['search', 'searches', 'block p50', 'block p95', 'block max', 'loop delay p99', 'loop delay max', 'timer late p99', 'timer late max', 'delay p99 ÷ idle'],
    rows: [
      ['idle loop (reference)', '–', '–', '–', '–', ms(idle.delayP99), ms(idle.delayMax), ms(idle.timerLateP99), ms(idle.timerLateMax), times(1)],
      ...result.shapes.map((s) => [
        s.shape.label,
        String(s.shape.searches),
        ms(s.block.p50),
        ms(s.block.p95),
        ms(s.block.max),
        ms(s.delayP99),
        ms(s.delayMax),
        ms(s.timerLateP99),
        ms(s.timerLateMax),
        times(s.delayP99 / idle.delayP99),
      ]),
      [`burst: ${result.burst.searches} default searches in one tick`, String(result.burst.searches), '–', '–', ms(result.burst.totalMs), '–', '–', '–', ms(result.burst.timerLateMs), '–'],
    ],
    notes: [
      'block = synchronous duration of one VectorIndex.search (searchKnn): nothing else runs on the thread meanwhile. Milliseconds.',
      'loop delay = perf_hooks.monitorEventLoopDelay (1 ms resolution); timer late = how late a 1 ms interval timer (another client) fired.',
    ],
  };
}
