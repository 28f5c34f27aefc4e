/**
 * Child process of the vector benchmark: opens a persisted index in a fresh Node process, the way a restarting server
 * does, and prints one JSON line of timings and memory. Modes:
 * - `vector`: `VectorIndex.load` of an HNSW folder alone (load time, RSS it adds, first search);
 * - `files`: `loadIndex` of an index folder alone (manifest, documents, chunks, BM25, cached vectors);
 * - `pipeline`: `openPipeline` on an index folder (everything a server does before it can answer), then asks.
 * Run with `--expose-gc` so RSS is measured after a collection. Times from process start use `performance.now()`,
 * whose origin is the start of the process.
 */
import { parseArgs } from 'node:util';

/** What the probe prints. */
export interface ProbeResult {
  readonly mode: 'vector' | 'files' | 'pipeline';
  /** Milliseconds from process start until the imports the mode needs were done. */
  readonly importedAtMs: number;
  /** Milliseconds of the load itself (`VectorIndex.load`, `loadIndex` or `openPipeline`). */
  readonly loadMs: number;
  /** Milliseconds from process start until the load finished: "ready". */
  readonly readyAtMs: number;
  /** RSS and heap before and after the load, bytes, each after a GC when `--expose-gc` is on. */
  readonly rssBefore: number;
  readonly rssAfter: number;
  readonly heapBefore: number;
  readonly heapAfter: number;
  /** First query after the load (vector: one search; pipeline: one ask), milliseconds. */
  readonly firstQueryMs: number;
  /** Median of the next 20 queries, milliseconds. */
  readonly warmQueryMs: number;
  /** `files` mode: checking and opening lexical.sqlite alone, timed again after the load (warm), milliseconds. */
  readonly lexicalMs?: number;
}

function memory(): { rss: number; heap: number } {
  (globalThis as { gc?: () => void }).gc?.();
  const usage = process.memoryUsage();
  return { rss: usage.rss, heap: usage.heapUsed };
}

function medianOf(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

const { values } = parseArgs({ options: { mode: { type: 'string' }, dir: { type: 'string' }, ef: { type: 'string' }, dimension: { type: 'string' } } });
const mode = values.mode as ProbeResult['mode'];
const dir = values.dir!;
const ef = Number(values.ef ?? 128);
const dimension = Number(values.dimension ?? 384);

async function probe(): Promise<ProbeResult> {
  if (mode === 'vector') {
    const { VectorIndex } = await import('../retrieval/index/vector-index.js');
    const importedAtMs = performance.now();
    const before = memory();
    const t0 = performance.now();
    const index = await VectorIndex.load(dir, { ef, dimension });
    const readyAtMs = performance.now();
    const after = memory();
    const query = Array.from({ length: dimension }, (_, i) => Math.sin(i + 1) / Math.sqrt(dimension / 2));
    const tq = performance.now();
    index.search(query, 40);
    const firstQueryMs = performance.now() - tq;
    const warm = Array.from({ length: 20 }, (_, n) => {
      const q = query.map((x, i) => (i === n ? x + 0.5 : x));
      const t = performance.now();
      index.search(q, 40);
      return performance.now() - t;
    });
    return { mode, importedAtMs, loadMs: readyAtMs - t0, readyAtMs, rssBefore: before.rss, rssAfter: after.rss, heapBefore: before.heap, heapAfter: after.heap, firstQueryMs, warmQueryMs: medianOf(warm) };
  }
  if (mode === 'files') {
    const { loadIndex } = await import('../retrieval/index/index-files.js');
    const importedAtMs = performance.now();
    const before = memory();
    const t0 = performance.now();
    const index = await loadIndex(dir);
    const readyAtMs = performance.now();
    const after = memory();
    const tq = performance.now();
    index.lexical.query('the', 40);
    const firstQueryMs = performance.now() - tq;
    // Which share of the load is BM25: check lexical.sqlite's checksum and open it once more on its own.
    const [{ readFile }, { crc32 }, { LexicalIndex }] = await Promise.all([import('node:fs/promises'), import('node:zlib'), import('../retrieval/index/lexical-index.js')]);
    const lexicalFile = `${index.generationDir}/lexical.sqlite`;
    const tl = performance.now();
    crc32(await readFile(lexicalFile));
    LexicalIndex.open(lexicalFile).close();
    const lexicalMs = performance.now() - tl;
    index.lexical.close();
    return { mode, importedAtMs, loadMs: readyAtMs - t0, readyAtMs, rssBefore: before.rss, rssAfter: after.rss, heapBefore: before.heap, heapAfter: after.heap, firstQueryMs, warmQueryMs: Number.NaN, lexicalMs };
  }
  const [{ loadConfig }, { openPipeline }, { SYNTHETIC_MODEL_ID, syntheticEmbedder }] = await Promise.all([
    import('../retrieval/config.js'),
    import('../retrieval/open-pipeline.js'),
    import('./synthetic-index.js'),
  ]);
  const importedAtMs = performance.now();
  const config = loadConfig({ overrides: { indexDir: dir, corpusDir: dir, modelId: SYNTHETIC_MODEL_ID, hnswEf: ef } });
  const before = memory();
  const t0 = performance.now();
  const { pipeline } = await openPipeline({ config, openEmbedder: async () => ({ embedder: syntheticEmbedder(dimension), lexicalReason: null }) });
  const readyAtMs = performance.now();
  const after = memory();
  try {
    if (pipeline.status.mode !== 'hybrid') throw new Error(`expected hybrid retrieval, got ${pipeline.status.mode}: ${pipeline.status.lexicalReason}`);
    const first = pipeline.listDocuments()[0]!;
    const words = pipeline.getDocument(first.id)!.text.split(' ');
    const question = (n: number) => `What about ${words.slice(100 + n * 7, 104 + n * 7).join(' ')}?`;
    const tq = performance.now();
    await pipeline.ask({ question: question(0) });
    const firstQueryMs = performance.now() - tq;
    const warm: number[] = [];
    for (let n = 1; n <= 20; n++) {
      const t = performance.now();
      await pipeline.ask({ question: question(n) });
      warm.push(performance.now() - t);
    }
    return { mode, importedAtMs, loadMs: readyAtMs - t0, readyAtMs, rssBefore: before.rss, rssAfter: after.rss, heapBefore: before.heap, heapAfter: after.heap, firstQueryMs, warmQueryMs: medianOf(warm) };
  } finally {
    await pipeline.close();
  }
}

process.stdout.write(`${JSON.stringify(await probe())}\n`);
