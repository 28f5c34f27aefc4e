/**
 * `npm run bench -- --only embed [--sweep-chunks N] [--workers N,N] [--batch-sizes N]`: the embed stage of an
 * ingest on XQuAD's chunks with the default model (issue 13). Batches formed as the chunks come (what ingest did
 * before) against longest first by token count (what it does now), and one session using ONNX Runtime's default
 * threads (one per core) against worker threads each with its own one-thread session sharing the batches.
 *
 * On a shared 2-core machine the load of other work comes and goes within seconds, so timing one setting's whole pass
 * and then the next compares machines, not settings. Here every setting is loaded at once and the passes are cut
 * into segments of SEGMENT texts: segment k of every setting runs back to back (in an order that rotates), and a
 * setting's round time is the sum of its segments. Drift then lands on all settings alike.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { loadConfig, type Config } from '../retrieval/config.js';
import type { Embedder } from '../retrieval/embed/embedder.js';
import { inEmbeddingOrder } from '../retrieval/embed/length-order.js';
import { loadEmbedder } from '../retrieval/embed/load-embedder.js';
import { closeIndex, loadIndex } from '../retrieval/index/index-files.js';
import { ingestCorpus } from '../retrieval/ingest/ingest-corpus.js';
import type { EmbedderSpec } from '../retrieval/models/model-catalog.js';
import type { BenchCorpus } from './corpora.js';
import { settingText, startedPool, type EmbedSetting } from './embed-throughput-bench.js';
import { spread, spreadText, stopwatch, type Spread } from './stats.js';
import type { Table } from './table.js';

/** Texts per interleaved segment: a multiple of every batch × workers tried, about 5–15 s of model time on 2 cores. */
const SEGMENT = 64;

/** Options of {@link benchEmbedAtIngest}. */
export interface EmbedAtIngestOptions {
  readonly config: Config;
  readonly spec: EmbedderSpec;
  readonly xquad: BenchCorpus;
  readonly workDir: string;
  /** Rounds; each round embeds every chunk once with every setting. */
  readonly repeats: number;
  /** The first this many chunks in ingest order (all when there are fewer). */
  readonly chunks: number;
  /** Batch sizes; the first is compared in every way, the others with length order and one session. */
  readonly batchSizes: readonly number[];
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
  /** `embed` and model load time, milliseconds (workers included). */
  readonly loadMs: number;
}

/** The settings compared: the first is the reference (ingest before issue 13). */
export function embedAtIngestSettings(batchSizes: readonly number[], workers: readonly number[]): EmbedSetting[] {
  const [batchSize = 8, ...others] = batchSizes;
  return [
    { batchSize, threads: null, order: 'arrival' },
    { batchSize, threads: null, order: 'length' },
    ...workers.map((count) => ({ batchSize, threads: null, order: 'length' as const, workers: count })),
    ...others.map((size) => ({ batchSize: size, threads: null, order: 'length' as const })),
  ];
}

interface Runner {
  readonly setting: EmbedSetting;
  readonly embedder: Embedder;
  readonly ordered: readonly string[];
  readonly perCall: number;
  readonly loadMs: number;
  ms: number[];
}

/** Padded and real tokens of `counts` batched in order, `batchSize` at a time (truncation already applied). */
function tokenShape(counts: readonly number[], batchSize: number): { padded: number; real: number } {
  let padded = 0;
  for (let start = 0; start < counts.length; start += batchSize) {
    const batch = counts.slice(start, start + batchSize);
    padded += batch.length * Math.max(...batch);
  }
  return { padded, real: counts.reduce((a, b) => a + b, 0) };
}

/** Chunks XQuAD as ingest does (no model needed) and times every setting on its chunk texts, interleaved. */
export async function benchEmbedAtIngest(options: EmbedAtIngestOptions): Promise<EmbedAtIngestResult[]> {
  const { config, spec, log } = options;
  const indexDir = path.join(options.workDir, 'embed-at-ingest-chunks');
  await ingestCorpus({
    config: loadConfig({ overrides: { corpusDir: options.xquad.dir, indexDir, disableEmbeddings: true, chunkSize: config.chunkSize, chunkOverlap: config.chunkOverlap } }),
    openEmbedder: async () => ({ embedder: null, lexicalReason: 'chunk texts only' }),
  });
  const index = await loadIndex(indexDir);
  const texts = [...index.store.allChunks()].slice(0, options.chunks).map(({ chunk }) => chunk.text);
  closeIndex(index);
  await fs.rm(indexDir, { recursive: true, force: true });

  const settings = embedAtIngestSettings(options.batchSizes, options.workers);
  const runners: Runner[] = [];
  const shapes: { padded: number; real: number }[] = [];
  try {
    for (const setting of settings) {
      const timer = stopwatch();
      const load = { modelId: spec.modelId, modelDir: config.modelDir, allowRemoteModels: false, batchSize: setting.batchSize, spec };
      const workers = setting.workers ?? 0;
      // The workers start at the first call otherwise: the timing is of the workers, so they are up before it.
    const embedder = workers > 0 ? await startedPool({ load, workers }) : await loadEmbedder(load);
      const loadMs = timer();
      // Ordered once, outside the timing, as ingest orders all its pending chunks before embedding any.
      const ordered = setting.order === 'length' ? await inEmbeddingOrder(embedder, texts, (text) => text) : texts;
      const perCall = setting.batchSize * Math.max(1, workers);
      // Warm-up: the first runs of a session allocate its arenas.
      for (let start = 0; start < Math.min(ordered.length, perCall * 2); start += perCall) await embedder.embed(ordered.slice(start, start + perCall));
      runners.push({ setting, embedder, ordered, perCall, loadMs, ms: [] });
      shapes.push(tokenShape(await embedder.countTokens!(ordered), setting.batchSize));
      log(`embed: ${settingText(setting)}, batch ${setting.batchSize}: loaded in ${(loadMs / 1000).toFixed(1)} s, ${(shapes.at(-1)!.padded / texts.length).toFixed(0)} padded tokens/chunk`);
    }
    for (let round = 0; round < options.repeats; round++) {
      const total = runners.map(() => 0);
      for (let segment = 0, k = 0; segment < texts.length; segment += SEGMENT, k++) {
        for (let step = 0; step < runners.length; step++) {
          const which = (step + k + round) % runners.length;
          const runner = runners[which]!;
          const end = Math.min(segment + SEGMENT, texts.length);
          const elapsed = stopwatch();
          for (let start = segment; start < end; start += runner.perCall) await runner.embedder.embed(runner.ordered.slice(start, Math.min(start + runner.perCall, end)));
          total[which]! += elapsed();
        }
      }
      runners.forEach((runner, i) => runner.ms.push(total[i]!));
      log(`embed: round ${round + 1}/${options.repeats}: ${runners.map((r, i) => `${settingText(r.setting)} b${r.setting.batchSize} ${((texts.length / total[i]!) * 1000).toFixed(1)}`).join(', ')} chunks/s`);
    }
  } finally {
    await Promise.allSettled(runners.map((runner) => runner.embedder.dispose()));
  }
  return runners.map((runner, i) => {
    const rates = runner.ms.map((ms) => (texts.length / ms) * 1000);
    return {
      setting: runner.setting,
      chunks: texts.length,
      paddedTokensPerChunk: shapes[i]!.padded / texts.length,
      realTokensPerChunk: shapes[i]!.real / texts.length,
      rates,
      product: spread(rates),
      loadMs: runner.loadMs,
    };
  });
}

const rate = (value: number): string => value.toFixed(1);
const perRound = (r: EmbedAtIngestResult, base: EmbedAtIngestResult): string => r.rates.map((x, round) => `×${(x / base.rates[round]!).toFixed(2)}`).join(' ');

/** The comparison as a table: each setting against the first (arrival order, one session) and the second (length order). */
export function embedAtIngestTable(results: readonly EmbedAtIngestResult[], model: string): Table {
  const [arrival, length] = results;
  return {
    title: `Embed stage of an ingest: ${model} on XQuAD chunks (chunks/s, median (min–max) of interleaved rounds)`,
    headers: ['batches', 'batch', 'chunks', 'tokens/chunk (real)', 'tokens/chunk (padded)', 'chunks/s', '÷ arrival order, per round', '÷ length order, one session, per round', 'load (s)'],
    rows: results.map((r) => [
      settingText(r.setting),
      String(r.setting.batchSize),
      String(r.chunks),
      r.realTokensPerChunk.toFixed(0),
      r.paddedTokensPerChunk.toFixed(0),
      spreadText(r.product, rate),
      perRound(r, arrival!),
      length ? perRound(r, length) : '–',
      (r.loadMs / 1000).toFixed(1),
    ]),
    notes: [
      `All settings loaded at once; each round embeds every chunk with every setting, in segments of ${SEGMENT} chunks run back to back for all settings (rotating which goes first), so the machine's load moves them alike.`,
      'arrival = batches in ingest order, one embed call per batch (ingest before issue 13); length = all chunks sorted longest first by token count first (ingest now). One session = ONNX Runtime’s default intra-op threads (one per core).',
      'workers = that many worker threads, each with its own ONNX session at one intra-op thread, one batch each at a time (pooled-embedder.ts); one embed call per batch × workers, as ingest calls it.',
    ],
  };
}

/** One line per comparison, for the top of the output. */
export function embedAtIngestHeadline(results: readonly EmbedAtIngestResult[]): string[] {
  const [arrival, length, ...rest] = results;
  if (!arrival || !length) return [];
  const gain = (a: EmbedAtIngestResult, b: EmbedAtIngestResult) => `×${(b.product.median / a.product.median).toFixed(2)} (rounds ${perRound(b, a).split(' ').join(', ')})`;
  return [
    `embed stage, batches longest first against ingest order (batch ${arrival.setting.batchSize}): ${arrival.paddedTokensPerChunk.toFixed(0)} → ${length.paddedTokensPerChunk.toFixed(0)} padded tokens per chunk (${length.realTokensPerChunk.toFixed(0)} real), ${rate(arrival.product.median)} → ${rate(length.product.median)} chunks/s, ${gain(arrival, length)}.`,
    ...rest.map((r) =>
      r.setting.workers
        ? `embed stage, ${r.setting.workers} workers × 1 intra-op thread against one session with default threads (both longest first): ${rate(length.product.median)} → ${rate(r.product.median)} chunks/s, ${gain(length, r)}.`
        : `embed stage, batch ${r.setting.batchSize} against ${length.setting.batchSize} (both longest first, one session): ${rate(length.product.median)} → ${rate(r.product.median)} chunks/s, ${gain(length, r)}.`,
    ),
  ];
}
