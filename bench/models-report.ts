/**
 * Tables and target lines of the models section (models-bench.ts): each figure next to its reference — the raw ONNX
 * session for throughput, BM25 alone for `ask` latency, exact search for HNSW — and the targets as ratios.
 */
import type { EmbedThroughputResult } from './embed-throughput-bench.js';
import { HYBRID_ASK_P95_TARGET_MS, THROUGHPUT_RATIO_TARGET, type ModelsBenchResult, type RealVectorComparison } from './models-bench.js';
import type { QueryBenchResult } from './query-bench.js';
import { askLatencyCells, RECALL_TARGET } from './report.js';
import { bytes, ms, spreadText, times, type Spread } from './stats.js';
import type { Table } from './table.js';

const rate = (value: number): string => (value >= 100 ? value.toFixed(0) : value.toFixed(1));
const pct = (value: number): string => (Number.isFinite(value) ? `${(value * 100).toFixed(1)}%` : '–');
const ratioText = (value: Spread): string => spreadText(value, (n) => n.toFixed(2));
const threadsText = (threads: number | null): string => (threads === null ? 'default' : String(threads));
const met = (ok: boolean): string => (ok ? 'met' : 'NOT met');

/** The setting with the highest median throughput through Verbatim's embedder. */
export function fastestSetting(results: readonly EmbedThroughputResult[]): EmbedThroughputResult | undefined {
  return [...results].sort((a, b) => b.product.median - a.product.median)[0];
}

/** One line per target, for the top of the output. */
export function modelsHeadline(result: ModelsBenchResult): string[] {
  const lines: string[] = [];
  for (const model of result.models) {
    const name = model.spec.name;
    if (model.skipped) {
      lines.push(`${name}: not measured — ${model.skipped}.`);
      continue;
    }
    const configured = model.throughput.find((r) => r.setting.batchSize === result.batchSize && r.setting.threads === null);
    if (configured) {
      lines.push(
        `${name} embedding throughput at the configured batch (${result.batchSize}, default threads): ${rate(configured.product.median)} chunks/s, ` +
          `${configured.ratio.median.toFixed(2)} of the raw ONNX session's (range ${configured.ratio.min.toFixed(2)}–${configured.ratio.max.toFixed(2)}) — target ≥ ${THROUGHPUT_RATIO_TARGET}: ${met(configured.ratio.median >= THROUGHPUT_RATIO_TARGET)}.`,
      );
    }
    if (model.ingest) {
      const i = model.ingest;
      lines.push(
        `${name} real ingest of XQuAD (${i.chunks} chunks, index writes included): ${rate(i.ingest.median)} chunks/s, ${i.ratio.median.toFixed(2)} of the raw session's — target ≥ ${THROUGHPUT_RATIO_TARGET}: ${met(i.ratio.median >= THROUGHPUT_RATIO_TARGET)}; peak RSS ${bytes(i.peakRss.median)}.`,
      );
    }
    const fastest = fastestSetting(model.throughput);
    if (fastest) {
      lines.push(`${name} fastest setting measured: batch ${fastest.setting.batchSize}, threads ${threadsText(fastest.setting.threads)} (${rate(fastest.product.median)} chunks/s; configured ${configured ? rate(configured.product.median) : '–'}).`);
    }
    if (model.ask) {
      lines.push(
        `${name} hybrid ask p95 on the seed corpus, query embedding included: ${ms(model.ask.wall.p95)} ms (p50 ${ms(model.ask.wall.p50)}; lexical p95 ${ms(result.lexicalAsk.wall.p95)} ms) — target < ${HYBRID_ASK_P95_TARGET_MS} ms: ${met(model.ask.wall.p95 < HYBRID_ASK_P95_TARGET_MS)}` +
          (model.ask.embedding ? `; the model embeds ${model.ask.embedding.textsPerAsk.toFixed(1)} texts per ask (p95 ${ms(model.ask.embedding.ms.p95)} ms of it), retrieve p95 ${ms(model.ask.retrieve.p95)} ms, answer p95 ${ms(model.ask.answer.p95)} ms.` : '.'),
      );
    }
  }
  if (result.realSet) {
    const c = result.realSet.comparison;
    lines.push(
      `HNSW recall@10 at ef ${c.configured.ef} on ${result.realSet.size.toLocaleString('en-US')} real ${result.realSet.model} vectors: ${c.configured.recall.toFixed(3)} — target ≥ ${RECALL_TARGET}: ${met(c.configured.recall >= RECALL_TARGET)}; ` +
        `${c.configured.speedup.toFixed(1)}× faster than exact search (p50); smallest swept ef reaching ${RECALL_TARGET}: ${c.efFor098 ?? 'none'}.`,
    );
  }
  return lines;
}

/** Every table of the section. */
export function modelsTables(result: ModelsBenchResult): Table[] {
  const measured = result.models.filter((m) => !m.skipped);
  const realSets: RealVectorComparison[] = [...measured.flatMap((m) => (m.chunkVectors ? [m.chunkVectors] : [])), ...(result.realSet ? [result.realSet] : [])];
  return [throughputTable(result), ingestTable(result), askTable(result), realVectorTable(realSets), realSweepTable(realSets)];
}

function throughputTable(result: ModelsBenchResult): Table {
  const rows: string[][] = [];
  for (const model of result.models.filter((m) => !m.skipped)) {
    const fastest = fastestSetting(model.throughput);
    for (const r of model.throughput) {
      rows.push([
        model.spec.name,
        String(r.setting.batchSize),
        threadsText(r.setting.threads),
        String(r.texts),
        (r.shape.paddedTokens / r.shape.rows).toFixed(0),
        spreadText(r.product, rate),
        spreadText(r.raw, rate),
        ratioText(r.ratio),
        times(r.ratio.median / THROUGHPUT_RATIO_TARGET),
        r === fastest ? 'fastest' : r.setting.batchSize === result.batchSize && r.setting.threads === null ? 'configured' : '',
      ]);
    }
  }
  return {
    title: 'Embedding throughput: Verbatim’s embedder against the raw ONNX Runtime session (chunks/s, median (min–max) of repeats)',
    headers: ['model', 'batch', 'intra-op threads', 'chunks', 'tokens/chunk (padded)', 'Verbatim', 'raw session', 'Verbatim ÷ raw', '÷ 0.8 target', ''],
    rows,
    notes: [
      'Verbatim = loadEmbedder → TransformersEmbedder.embed (tokenise, model, masked mean pooling, normalise, copy out) over XQuAD chunk texts from a real ingest, evenly spaced.',
      'raw session = a bare onnxruntime-node InferenceSession on the same ONNX file, fed int64 tensors tokenised once before timing (same batches, same padding and truncation): session.run alone.',
      'Each repeat times both, alternating which goes first; the ratio is per repeat. threads = intraOpNumThreads (default: ONNX Runtime’s own, one per core); the product does not set it.',
    ],
  };
}

function ingestTable(result: ModelsBenchResult): Table {
  const rows = result.models
    .filter((m) => m.ingest)
    .map((m) => {
      const i = m.ingest!;
      return [
        m.spec.name,
        String(i.documents),
        String(i.chunks),
        spreadText(i.ingest, rate),
        spreadText(i.embedStage, rate),
        spreadText(i.raw, rate),
        ratioText(i.ratio),
        times(i.ratio.median / THROUGHPUT_RATIO_TARGET),
        spreadText(i.process, rate),
        spreadText(i.peakRss, bytes),
      ];
    });
  return {
    title: `Real ingest of XQuAD (cli/ingest.ts as a process, fresh index, batch ${result.batchSize}): chunks/s and peak memory, median (min–max)`,
    headers: ['model', 'docs', 'chunks', 'ingest', 'embed stage', 'raw session', 'ingest ÷ raw', '÷ 0.8 target', 'process spawn→exit', 'peak RSS'],
    rows,
    notes: [
      'ingest = chunks ÷ the ingest’s own total (read corpus, load the model, chunk, embed, BM25 + HNSW build, write the generation); embed stage = chunks ÷ its embed stage alone.',
      'raw session = session.run alone on the same chunks in batches of the configured size, timed in the benchmark process just before each ingest; ingest ÷ raw pairs the two.',
      'process = spawn to exit (adds Node start-up and loading the code). peak RSS = getrusage ru_maxrss of the ingest process (a preloaded probe writes it at exit).',
    ],
  };
}

function askTable(result: ModelsBenchResult): Table {
  const row = (r: QueryBenchResult, label: string, target: number | null) => [
    label,
    ...askLatencyCells(r),
    target === null ? '–' : times(r.wall.p95 / target),
    r.embedding ? `${r.embedding.textsPerAsk.toFixed(1)} in ${r.embedding.callsPerAsk.toFixed(1)}` : '–',
    r.embedding ? ms(r.embedding.ms.p50) : '–',
    r.embedding ? ms(r.embedding.ms.p95) : '–',
  ];
  const rows = [row(result.lexicalAsk, 'lexical (BM25 alone)', null)];
  for (const m of result.models) if (m.ask) rows.push(row(m.ask, `hybrid, ${m.spec.name}`, HYBRID_ASK_P95_TARGET_MS));
  return {
    title: '`ask` on the seed corpus through openPipeline with the real configuration, milliseconds (one question at a time, after a warm-up pass)',
    headers: ['retrieval', 'questions', 'asks', 'retrieve p50', 'retrieve p95', 'answer p50', 'answer p95', 'total p50', 'total p95', 'max', `p95 ÷ ${HYBRID_ASK_P95_TARGET_MS} ms target`, 'texts embedded in calls / ask', 'embed p50', 'embed p95'],
    rows,
    notes: [
      'Hybrid: the question is embedded by the model inside retrieve (BM25 + HNSW + fusion); the model’s load is before the timed asks. Lexical is the reference: the same asks without the model.',
      'total = wall time around pipeline.ask (streaming the answer into events included).',
      'texts embedded / embed = the model’s calls inside each ask, counted around the embedder: the question in retrieve, and in answer the question again with the lexically best sentences, which the extractive answerer re-ranks by similarity.',
    ],
  };
}

function realVectorTable(sets: readonly RealVectorComparison[]): Table {
  return {
    title: 'HNSW vs exact search on real embeddings (recall@10; latency ms for one k = 10 query)',
    headers: ['vectors', 'model', 'n', 'queries', 'build', 'ef', 'recall@10', 'recall ÷ 0.98', 'HNSW p50', 'HNSW p95', 'exact p50', 'speed-up (p50)', 'ef for recall ≥ 0.98'],
    rows: sets.map((s) => {
      const c = s.comparison;
      return [
        s.name,
        s.model,
        s.size.toLocaleString('en-US'),
        String(s.queries),
        `${(c.buildMs / 1000).toFixed(1)} s`,
        String(c.configured.ef),
        pct(c.configured.recall),
        times(c.configured.recall / RECALL_TARGET),
        ms(c.configured.latency.p50),
        ms(c.configured.latency.p95),
        ms(c.exact.p50),
        times(c.configured.speedup),
        c.efFor098 === null ? `> ${Math.max(...c.sweep.map((p) => p.ef))}` : String(c.efFor098),
      ];
    }),
    notes: [
      ...sets.map((s) => `${s.name} (${s.model}): ${s.description}.`),
      'Ground truth = a plain dot-product scan; exact = hnswlib BruteforceSearch (same C++ distance code). M and efConstruction as configured.',
    ],
  };
}

function realSweepTable(sets: readonly RealVectorComparison[]): Table {
  const rows: string[][] = [];
  for (const s of sets) {
    for (const point of s.comparison.sweep) {
      rows.push([s.name, s.model, s.size.toLocaleString('en-US'), String(point.ef), pct(point.recall), ms(point.latency.p50), ms(point.latency.p95), times(point.speedup), point.ef === s.comparison.configured.ef ? 'configured' : '']);
    }
  }
  return { title: 'ef sweep on real embeddings: recall@10 and latency (ms) against exact search', headers: ['vectors', 'model', 'n', 'ef', 'recall@10', 'p50', 'p95', 'speed-up', ''], rows };
}
