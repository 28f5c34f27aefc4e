/**
 * What a user pays at scale (issue 13), lexical, end to end: real-text corpora of 1k, 10k, 100k chunks (see
 * `scale-corpus.ts`), each ingest a fresh `cli/ingest.ts` process (full, unchanged, one file added, changed, removed),
 * `npm start` until `/api/health` answers 200 with the memory of its process tree, the index's size on disk, and
 * `POST /api/ask` over HTTP for distinct questions, each asked once with the answerer's caches cold and then again
 * warm, beside raw FTS5 queries of the same terms on the same SQLite file. Every figure is measured in each of
 * `repeats` runs, each on a fresh index.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import Database from 'better-sqlite3';
import { currentGeneration } from '../retrieval/index/index-files.js';
import { analyzeTerms } from '../retrieval/text/term-analysis.js';
import type { AskResult } from '../retrieval/types.js';
import { runIngestProcess, type IngestProcessResult } from './ingest-process.js';
import { startWithNpm } from './npm-start-process.js';
import { writeScaleCorpus, type ScaleCorpus } from './scale-corpus.js';
import { spread, stopwatch, summarize, type Spread, type Summary } from './stats.js';

/** Targets of issue 13 at 100k chunks, lexical. */
export const SCALE_TARGETS = {
  fullIngestMs: 12_000,
  oneFileMs: 1_500,
  unchangedMs: 1_000,
  readyMs: 3_000,
  serverRssBytes: 400 * 1024 * 1024,
  askP95Ms: 50,
} as const;

/** Timings of one pass of asks, milliseconds. */
export interface AskPass {
  /** Client side: request sent to response read. */
  readonly endToEnd: Summary;
  /** The server's own `timingsMs.total`. */
  readonly server: Summary;
  /** The server's `timingsMs.retrieve` (BM25 and fusion). */
  readonly retrieve: Summary;
}

/** Every figure of one corpus size, each over the runs. */
export interface ScaleBenchResult {
  readonly chunks: number;
  readonly files: number;
  readonly questions: number;
  readonly fullIngestMs: Spread;
  /** Peak RSS of the full-ingest process, bytes. */
  readonly fullIngestPeakRss: Spread;
  readonly unchangedMs: Spread;
  readonly addOneMs: Spread;
  readonly changeOneMs: Spread;
  readonly removeOneMs: Spread;
  readonly readyMs: Spread;
  readonly serverRss: Spread;
  readonly treeRss: Spread;
  readonly indexBytes: Spread;
  /** Per run: the p50 / p95 / p99 of each pass; spread over runs. */
  readonly cold: { readonly p50: Spread; readonly p95: Spread; readonly p99: Spread; readonly serverP95: Spread; readonly retrieveP50: Spread };
  readonly warm: { readonly p50: Spread; readonly p95: Spread; readonly p99: Spread };
  /** Raw FTS5 `MATCH … ORDER BY bm25() LIMIT 40` of the same questions' terms on the same file, p50 per run. */
  readonly rawFtsP50: Spread;
}

/** Options of {@link benchScale}. */
export interface ScaleBenchOptions {
  readonly workDir: string;
  readonly sizes: readonly number[];
  readonly repeats: number;
  /** Distinct questions per pass. @default 200 */
  readonly questions?: number;
  readonly chunkSize: number;
  readonly chunkOverlap: number;
  readonly xquad?: string;
  readonly log: (message: string) => void;
}

async function folderBytes(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await fs.readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += (await fs.stat(path.join(entry.parentPath, entry.name))).size;
  }
  return total;
}

async function askPass(url: string, questions: readonly string[]): Promise<AskPass> {
  const endToEnd: number[] = [];
  const server: number[] = [];
  const retrieve: number[] = [];
  for (const question of questions) {
    const elapsed = stopwatch();
    const response = await fetch(`${url}/api/ask`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ question }) });
    const body = (await response.json()) as AskResult;
    endToEnd.push(elapsed());
    if (!response.ok) throw new Error(`POST /api/ask answered ${response.status} for ${JSON.stringify(question)}: ${JSON.stringify(body).slice(0, 300)}`);
    server.push(body.timingsMs.total);
    retrieve.push(body.timingsMs.retrieve);
  }
  return { endToEnd: summarize(endToEnd), server: summarize(server), retrieve: summarize(retrieve) };
}

/** The same candidate query BM25 runs, straight on the FTS5 table, without the index's own code around it. */
function rawFtsTimes(lexicalFile: string, questions: readonly string[]): Summary {
  const db = new Database(lexicalFile, { readonly: true, fileMustExist: true });
  try {
    const statement = db.prepare('SELECT rowid FROM terms WHERE terms MATCH ? ORDER BY bm25(terms, 1.0, 0.5) LIMIT 40');
    const times: number[] = [];
    for (const question of questions) {
      const terms = [...new Set(analyzeTerms(question))];
      if (terms.length === 0) continue;
      const elapsed = stopwatch();
      statement.all(terms.map((t) => `"${t}"`).join(' OR '));
      times.push(elapsed());
    }
    return summarize(times);
  } finally {
    db.close();
  }
}

/**
 * The ingests every scale run times, each a fresh process on the index folder: full (into an empty folder), unchanged,
 * then one article copy added, changed and removed.
 * @throws Error when a step did not do what it is there to time.
 */
async function ingestSteps(corpus: ScaleCorpus, indexDir: string, run: number, ingest: () => Promise<IngestProcessResult>, label: string) {
  const full = await ingest();
  const indexBytes = await folderBytes((await currentGeneration(indexDir))!);
  const unchanged = await ingest();
  if (unchanged.report.wrote) throw new Error(`${label}: an unchanged re-ingest wrote a new index`);
  const extra = path.join('part-extra', 'added.txt');
  await corpus.writeExtraFile(extra, corpus.files + run);
  const add = await ingest();
  await fs.appendFile(path.join(corpus.dir, extra), '\nA sentence added later.\n');
  const change = await ingest();
  await fs.rm(path.join(corpus.dir, 'part-extra'), { recursive: true });
  const remove = await ingest();
  for (const [name, step, field] of [['add', add, 'added'], ['change', change, 'changed'], ['remove', remove, 'removed']] as const) {
    if (step.report[field].length !== 1) throw new Error(`${label}: the ${name}-one-file ingest reported ${JSON.stringify(step.report[field])} ${field}`);
  }
  return { full, indexBytes, unchanged, add, change, remove };
}

/** Runs the scale benchmark for each size. */
export async function benchScale(options: ScaleBenchOptions): Promise<ScaleBenchResult[]> {
  const results: ScaleBenchResult[] = [];
  for (const size of options.sizes) {
    const corpus = await writeScaleCorpus({ dir: path.join(options.workDir, `scale-${size}`), chunks: size, chunkSize: options.chunkSize, chunkOverlap: options.chunkOverlap, xquad: options.xquad });
    // Files as old as a user's usually are: a file read within 2 s of its last change is read again by the next ingest.
    await new Promise((resolve) => setTimeout(resolve, 2100));
    const questions = corpus.questions.slice(0, options.questions ?? 200);
    options.log(`scale ${size}: ${corpus.files} files, ${corpus.chunks} chunks, ${questions.length} questions`);
    const runs: {
      full: number; fullRss: number; unchanged: number; add: number; change: number; remove: number;
      ready: number; serverRss: number; treeRss: number; indexBytes: number; cold: AskPass; warm: AskPass; rawFts: Summary;
    }[] = [];
    for (let run = 0; run < options.repeats; run++) {
      const indexDir = path.join(options.workDir, `scale-${size}-index`);
      await fs.rm(indexDir, { recursive: true, force: true });
      const { full, indexBytes, unchanged, add, change, remove } = await ingestSteps(corpus, indexDir, run, () => runIngestProcess({ corpusDir: corpus.dir, indexDir, model: null }), `scale ${size}`);
      const server = await startWithNpm({ corpusDir: corpus.dir, indexDir, flags: ['--no-embeddings'] });
      let cold: AskPass;
      let warm: AskPass;
      try {
        cold = await askPass(server.url, questions);
        warm = await askPass(server.url, questions);
      } finally {
        await server.stop();
      }
      const rawFts = rawFtsTimes(path.join((await currentGeneration(indexDir))!, 'lexical.sqlite'), questions);
      runs.push({
        full: full.processWallMs, fullRss: full.maxRss, unchanged: unchanged.processWallMs, add: add.processWallMs, change: change.processWallMs, remove: remove.processWallMs,
        ready: server.readyMs, serverRss: server.serverRss, treeRss: server.treeRss, indexBytes, cold, warm, rawFts,
      });
      options.log(`scale ${size} run ${run + 1}: full ${Math.round(full.processWallMs)} ms, add ${Math.round(add.processWallMs)} ms, ready ${Math.round(server.readyMs)} ms, cold ask p95 ${cold.endToEnd.p95.toFixed(1)} ms`);
      await fs.rm(indexDir, { recursive: true, force: true });
    }
    const over = (pick: (r: (typeof runs)[number]) => number) => spread(runs.map(pick));
    results.push({
      chunks: corpus.chunks,
      files: corpus.files,
      questions: questions.length,
      fullIngestMs: over((r) => r.full),
      fullIngestPeakRss: over((r) => r.fullRss),
      unchangedMs: over((r) => r.unchanged),
      addOneMs: over((r) => r.add),
      changeOneMs: over((r) => r.change),
      removeOneMs: over((r) => r.remove),
      readyMs: over((r) => r.ready),
      serverRss: over((r) => r.serverRss),
      treeRss: over((r) => r.treeRss),
      indexBytes: over((r) => r.indexBytes),
      cold: {
        p50: over((r) => r.cold.endToEnd.p50),
        p95: over((r) => r.cold.endToEnd.p95),
        p99: over((r) => r.cold.endToEnd.p99),
        serverP95: over((r) => r.cold.server.p95),
        retrieveP50: over((r) => r.cold.retrieve.p50),
      },
      warm: { p50: over((r) => r.warm.endToEnd.p50), p95: over((r) => r.warm.endToEnd.p95), p99: over((r) => r.warm.endToEnd.p99) },
      rawFtsP50: over((r) => r.rawFts.p50),
    });
    await fs.rm(corpus.dir, { recursive: true, force: true });
  }
  return results;
}

/** One size of the hybrid scale benchmark: ingests with a real ONNX model, each figure over the runs. */
export interface HybridScaleResult {
  readonly chunks: number;
  readonly files: number;
  readonly model: string;
  readonly fullIngestMs: Spread;
  readonly unchangedMs: Spread;
  readonly addOneMs: Spread;
  readonly changeOneMs: Spread;
  readonly removeOneMs: Spread;
  /** Chunks embedded by the add-one-file ingest (only that file's), and what became of the HNSW graph. */
  readonly addEmbedded: Spread;
  readonly vectorIndexKinds: readonly string[];
  readonly indexBytes: Spread;
}

/**
 * The incremental path with vectors (issue 13's "hybrid included, only that file embedded"): the same corpora and
 * ingest processes as {@link benchScale}, with `model` embedding every chunk of the full ingest, then one file added,
 * changed and removed. With the tiny test model the figures are Verbatim's own cost around a model (patching the
 * stores, updating the HNSW graph); a real model adds its embedding time for that one file's chunks.
 */
export async function benchScaleHybrid(options: ScaleBenchOptions & { readonly model: { readonly id: string; readonly dir: string; readonly name: string } }): Promise<HybridScaleResult[]> {
  const results: HybridScaleResult[] = [];
  for (const size of options.sizes) {
    const corpus = await writeScaleCorpus({ dir: path.join(options.workDir, `scale-hybrid-${size}`), chunks: size, chunkSize: options.chunkSize, chunkOverlap: options.chunkOverlap, xquad: options.xquad });
    await new Promise((resolve) => setTimeout(resolve, 2100));
    options.log(`scale hybrid ${size}: ${corpus.files} files, ${corpus.chunks} chunks, model ${options.model.name}`);
    const runs: { full: number; unchanged: number; add: number; change: number; remove: number; addEmbedded: number; kinds: string[]; indexBytes: number }[] = [];
    for (let run = 0; run < options.repeats; run++) {
      const indexDir = path.join(options.workDir, `scale-hybrid-${size}-index`);
      await fs.rm(indexDir, { recursive: true, force: true });
      const ingest = () => runIngestProcess({ corpusDir: corpus.dir, indexDir, model: options.model.id, env: { MODEL_DIR: options.model.dir } });
      const { full, indexBytes, unchanged, add, change, remove } = await ingestSteps(corpus, indexDir, run, ingest, `scale hybrid ${size}`);
      if (full.report.mode !== 'hybrid') throw new Error(`scale hybrid ${size}: the full ingest was ${full.report.mode}: ${full.report.lexicalReason}`);
      runs.push({
        full: full.processWallMs,
        unchanged: unchanged.processWallMs,
        add: add.processWallMs,
        change: change.processWallMs,
        remove: remove.processWallMs,
        addEmbedded: add.report.embeddedChunks,
        kinds: [add, change, remove].map((step) => `${step.report.incremental ? 'incremental' : 'rebuilt'}/${step.report.vectorIndex ?? 'none'}`),
        indexBytes,
      });
      options.log(`scale hybrid ${size} run ${run + 1}: full ${Math.round(full.processWallMs)} ms, add ${Math.round(add.processWallMs)} ms (${add.report.embeddedChunks} embedded, ${add.report.vectorIndex}), change ${Math.round(change.processWallMs)} ms, remove ${Math.round(remove.processWallMs)} ms`);
      await fs.rm(indexDir, { recursive: true, force: true });
    }
    const over = (pick: (r: (typeof runs)[number]) => number) => spread(runs.map(pick));
    results.push({
      chunks: corpus.chunks,
      files: corpus.files,
      model: options.model.name,
      fullIngestMs: over((r) => r.full),
      unchangedMs: over((r) => r.unchanged),
      addOneMs: over((r) => r.add),
      changeOneMs: over((r) => r.change),
      removeOneMs: over((r) => r.remove),
      addEmbedded: over((r) => r.addEmbedded),
      vectorIndexKinds: [...new Set(runs.flatMap((r) => r.kinds))],
      indexBytes: over((r) => r.indexBytes),
    });
    await fs.rm(corpus.dir, { recursive: true, force: true });
  }
  return results;
}
