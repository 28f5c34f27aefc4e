/**
 * Ingest cost per chunk, by stage (load, split, embed, index, save), from an empty index folder, with the tiny test
 * embedder or BM25 alone; and the embed stage against the raw embedder (`embedder.embed` alone, same chunks, same
 * batches), which is the reference the issue asks for: what ingest adds around the model.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { loadConfig, type Config } from '../retrieval/config.js';
import type { EmbedderChoice } from '../retrieval/embed/open-embedder.js';
import { closeIndex, loadIndex } from '../retrieval/index/index-files.js';
import { ingestCorpus, type IngestReport } from '../retrieval/ingest/ingest-corpus.js';
import type { BenchCorpus } from './corpora.js';
import { median, stopwatch } from './stats.js';
import { undisposable, type TinyEmbedder } from './tiny-embedder.js';

/** Ingest stages, in order, as `IngestReport.timingsMs` names them. */
export const INGEST_STAGES = ['load', 'split', 'embed', 'index', 'save'] as const;
/** One ingest stage. */
export type IngestStage = (typeof INGEST_STAGES)[number];

/** How retrieval is built: with the tiny model's vectors, or BM25 alone. */
export type IngestMode = 'tiny' | 'lexical';

/** Options of {@link benchIngest}. */
export interface IngestBenchOptions {
  readonly corpus: BenchCorpus;
  readonly mode: IngestMode;
  /** Required for mode `tiny`. */
  readonly tiny?: TinyEmbedder;
  /** Measured runs (after one warm-up run); medians are reported. */
  readonly repeats: number;
  /** Index folders go under it. */
  readonly workDir: string;
}

/** Median ingest figures for one corpus and mode. */
export interface IngestBenchResult {
  readonly corpus: string;
  readonly mode: IngestMode;
  readonly documents: number;
  readonly chunks: number;
  readonly repeats: number;
  /** Median milliseconds per stage of a full ingest into an empty folder. */
  readonly stagesMs: Readonly<Record<IngestStage, number>>;
  readonly totalMs: number;
  /** Median time of `embedder.embed` alone over the same chunk texts in the same batches; null in lexical mode. */
  readonly rawEmbedMs: number | null;
  /** Median of a second ingest over the unchanged corpus (nothing to do). */
  readonly unchangedMs: number;
  /** The last index built, for the query benchmark. */
  readonly indexDir: string;
  /** The configuration it was built with. */
  readonly config: Config;
}

const lexicalChoice = async (): Promise<EmbedderChoice> => ({ embedder: null, lexicalReason: 'benchmark: BM25 only' });

/** Runs `repeats + 1` full ingests into fresh folders (the first is a warm-up) and times the raw embedder alongside. */
export async function benchIngest(options: IngestBenchOptions): Promise<IngestBenchResult> {
  const { corpus, mode, tiny } = options;
  if (mode === 'tiny' && !tiny) throw new Error('mode tiny needs the tiny embedder');
  const open = mode === 'tiny' ? async (): Promise<EmbedderChoice> => ({ embedder: undisposable(tiny!.embedder), lexicalReason: null }) : lexicalChoice;
  const reports: IngestReport[] = [];
  const raw: number[] = [];
  const unchanged: number[] = [];
  let config: Config | null = null;
  let indexDir = '';
  for (let run = 0; run <= options.repeats; run++) {
    indexDir = path.join(options.workDir, `ingest-${corpus.name}-${mode}-${run}`);
    await fs.rm(indexDir, { recursive: true, force: true });
    config = loadConfig({
      overrides: {
        corpusDir: corpus.dir,
        indexDir,
        disableEmbeddings: mode === 'lexical',
        ...(tiny ? { modelId: tiny.modelId, modelDir: tiny.modelDir, allowRemoteModels: false } : {}),
      },
    });
    const report = await ingestCorpus({ config, openEmbedder: open });
    const again = stopwatch();
    const rerun = await ingestCorpus({ config, openEmbedder: open });
    const unchangedMs = again();
    if (rerun.wrote) throw new Error(`a second ingest of ${corpus.name} rewrote the index`);
    // Twice per run: one reading of ~0.3 s of model calls swings by ±30% on a shared machine.
    if (mode === 'tiny') {
      const texts = await readChunkTexts(indexDir);
      raw.push(await timeRawEmbedder(texts, config, tiny!), await timeRawEmbedder(texts, config, tiny!));
    }
    if (run > 0) {
      reports.push(report);
      unchanged.push(unchangedMs);
    }
    if (run < options.repeats) await fs.rm(indexDir, { recursive: true, force: true });
  }
  const stagesMs = Object.fromEntries(INGEST_STAGES.map((stage) => [stage, median(reports.map((r) => r.timingsMs[stage]))])) as Record<IngestStage, number>;
  const last = reports.at(-1)!;
  return {
    corpus: corpus.name,
    mode,
    documents: last.documents,
    chunks: last.chunks,
    repeats: options.repeats,
    stagesMs,
    totalMs: median(reports.map((r) => r.timingsMs.total)),
    rawEmbedMs: mode === 'tiny' ? median(raw.slice(2)) : null,
    unchangedMs: median(unchanged),
    indexDir,
    config: config!,
  };
}

/** The chunk texts of the index just built; the BM25 database that loading opens is closed again at once. */
async function readChunkTexts(indexDir: string): Promise<string[]> {
  const index = await loadIndex(indexDir);
  try {
    return [...index.store.allChunks()].map((c) => c.chunk.text);
  } finally {
    closeIndex(index);
  }
}

/** `embedder.embed` alone over the chunk texts the ingest just embedded, in the ingest's batch size. */
async function timeRawEmbedder(texts: readonly string[], config: Config, tiny: TinyEmbedder): Promise<number> {
  const elapsed = stopwatch();
  for (let b = 0; b < texts.length; b += config.embedBatchSize) await tiny.embedder.embed(texts.slice(b, b + config.embedBatchSize));
  return elapsed();
}
