/**
 * `npm run bench -- --only embed`: the embed stage of an ingest, on every XQuAD chunk with the default model at the
 * configured batch size (issue 13). Batches formed as the chunks come (what ingest did before) against longest first
 * by token count (what it does now), and one session using ONNX Runtime's default threads (one per core) against
 * worker threads each with its own one-thread session sharing the batches. Every setting is timed in each repeat
 * (benchEmbedThroughput times one setting's repeats in a row; here the repeats of the whole list alternate), so a
 * machine whose load comes and goes moves them all.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { loadConfig, type Config } from '../retrieval/config.js';
import { loadIndex } from '../retrieval/index/index-files.js';
import { ingestCorpus } from '../retrieval/ingest/ingest-corpus.js';
import type { EmbedderSpec } from '../retrieval/models/model-catalog.js';
import type { BenchCorpus } from './corpora.js';
import { benchEmbedThroughput, settingText, type EmbedSetting, type EmbedThroughputResult } from './embed-throughput-bench.js';
import { spread, spreadText, type Spread } from './stats.js';
import type { Table } from './table.js';

/** Options of {@link benchEmbedAtIngest}. */
export interface EmbedAtIngestOptions {
  readonly config: Config;
  readonly spec: EmbedderSpec;
  readonly xquad: BenchCorpus;
  readonly workDir: string;
  /** Rounds; each round times every setting once (after its warm-up). */
  readonly repeats: number;
  /** Worker counts to try besides one session. */
  readonly workers: readonly number[];
  readonly log: (message: string) => void;
}

/** One setting over all rounds. */
export interface EmbedAtIngestResult {
  readonly setting: EmbedSetting;
  readonly chunks: number;
  readonly paddedTokensPerChunk: number;
  readonly realTokensPerChunk: number;
  /** Chunks per second through the embedder, one figure per round. */
  readonly rates: readonly number[];
  readonly product: Spread;
  /** Chunks per second of the raw session (default threads) on the same batches. */
  readonly raw: Spread;
}

/** The settings compared. */
export function embedAtIngestSettings(batchSize: number, workers: readonly number[]): EmbedSetting[] {
  return [
    { batchSize, threads: null, order: 'arrival' },
    { batchSize, threads: null, order: 'length' },
    ...workers.map((count) => ({ batchSize, threads: null, order: 'length' as const, workers: count })),
  ];
}

/** Chunks XQuAD as ingest does (no model needed) and times each setting on all its chunk texts, in rounds. */
export async function benchEmbedAtIngest(options: EmbedAtIngestOptions): Promise<EmbedAtIngestResult[]> {
  const { config, log } = options;
  const indexDir = path.join(options.workDir, 'embed-at-ingest-chunks');
  await ingestCorpus({ config: loadConfig({ overrides: { corpusDir: options.xquad.dir, indexDir, disableEmbeddings: true, chunkSize: config.chunkSize, chunkOverlap: config.chunkOverlap } }), openEmbedder: async () => ({ embedder: null, lexicalReason: 'chunk texts only' }) });
  const index = await loadIndex(indexDir);
  index.lexical.close();
  const texts = index.chunks.map((chunk) => chunk.text);
  await fs.rm(indexDir, { recursive: true, force: true });
  const settings = embedAtIngestSettings(config.embedBatchSize, options.workers);
  const rounds: EmbedThroughputResult[][] = [];
  for (let round = 0; round < options.repeats; round++) {
    log(`embed: round ${round + 1}/${options.repeats}, ${texts.length} ${options.xquad.name} chunks, batch ${config.embedBatchSize}`);
    // Alternate the order of the settings between rounds as well.
    const order = round % 2 === 0 ? settings : [...settings].reverse();
    const results = await benchEmbedThroughput({ spec: options.spec, modelDir: config.modelDir, texts, settings: order, repeats: 1, log });
    rounds.push(settings.map((setting) => results.find((r) => r.setting === setting)!));
  }
  return settings.map((setting, i) => {
    const runs = rounds.map((round) => round[i]!);
    const shape = runs[0]!.shape;
    const rates = runs.map((r) => r.product.median);
    return {
      setting,
      chunks: texts.length,
      paddedTokensPerChunk: shape.paddedTokens / shape.rows,
      realTokensPerChunk: shape.realTokens / shape.rows,
      rates,
      product: spread(rates),
      raw: spread(runs.map((r) => r.raw.median)),
    };
  });
}

const rate = (value: number): string => value.toFixed(1);

/** The comparison as a table: each setting against the first (arrival order, one session). */
export function embedAtIngestTable(results: readonly EmbedAtIngestResult[], model: string): Table {
  const base = results[0]!;
  return {
    title: `Embed stage of an ingest: ${model} on every XQuAD chunk, batch ${base.setting.batchSize} (chunks/s, median (min–max) of rounds)`,
    headers: ['batches', 'chunks', 'tokens/chunk (real)', 'tokens/chunk (padded)', 'Verbatim', 'raw session (default threads)', '÷ first row, per round'],
    rows: results.map((r) => [
      settingText(r.setting),
      String(r.chunks),
      r.realTokensPerChunk.toFixed(0),
      r.paddedTokensPerChunk.toFixed(0),
      spreadText(r.product, rate),
      spreadText(r.raw, rate),
      r.rates.map((x, round) => `×${(x / base.rates[round]!).toFixed(2)}`).join(' '),
    ]),
    notes: [
      'Each round times every setting once after its own warm-up, the settings in turn (reversed every other round); the raw session runs next to each.',
      'arrival = batches in ingest order, one embed call per batch (ingest before issue 13); length = all chunks sorted longest first by token count first (ingest now).',
      'workers = that many worker threads, each with its own ONNX session at one intra-op thread, one batch each at a time (pooled-embedder.ts).',
    ],
  };
}

/** One line per comparison, for the top of the output. */
export function embedAtIngestHeadline(results: readonly EmbedAtIngestResult[]): string[] {
  const [arrival, length, ...pooled] = results;
  if (!arrival || !length) return [];
  const gain = (a: EmbedAtIngestResult, b: EmbedAtIngestResult) => `×${(b.product.median / a.product.median).toFixed(2)} (rounds ${b.rates.map((x, i) => `×${(x / a.rates[i]!).toFixed(2)}`).join(', ')})`;
  return [
    `embed stage, batches longest first against ingest order: ${arrival.paddedTokensPerChunk.toFixed(0)} → ${length.paddedTokensPerChunk.toFixed(0)} padded tokens per chunk (${length.realTokensPerChunk.toFixed(0)} real), ${rate(arrival.product.median)} → ${rate(length.product.median)} chunks/s, ${gain(arrival, length)}.`,
    ...pooled.map((p) => `embed stage, ${p.setting.workers} workers × 1 intra-op thread against one session with default threads (both longest first): ${rate(length.product.median)} → ${rate(p.product.median)} chunks/s, ${gain(length, p)}.`),
  ];
}
