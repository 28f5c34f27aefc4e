/**
 * `ask` latency in-process, by stage (AskResult.timingsMs: retrieve, answer), one question at a time over a fixed
 * list, after a warm-up pass. The target from issue 2: p95 under 50 ms on the seed corpus in lexical mode.
 */
import type { Answerer } from '../retrieval/answer/answerer.js';
import type { Config } from '../retrieval/config.js';
import type { Embedder } from '../retrieval/embed/embedder.js';
import { openEmbedder } from '../retrieval/embed/open-embedder.js';
import { openPipeline } from '../retrieval/open-pipeline.js';
import type { BenchCorpus } from './corpora.js';
import type { IngestMode } from './ingest-bench.js';
import { stopwatch, summarize, type Summary } from './stats.js';
import { undisposable, type TinyEmbedder } from './tiny-embedder.js';

/** The `ask` p95 target on the seed corpus in lexical mode, milliseconds. */
export const ASK_P95_TARGET_MS = 50;

/** How questions are retrieved: as an ingest mode built the index, or `model`: hybrid with the configured real model. */
export type QueryMode = IngestMode | 'model';

/** Options of {@link benchQueries}. */
export interface QueryBenchOptions {
  readonly corpus: BenchCorpus;
  /** Configuration of an index already built (by the ingest benchmark). */
  readonly config: Config;
  /** `model` opens the model `config` names, as a server would (its load is not timed). */
  readonly mode: QueryMode;
  /** Required for mode `tiny`: queries are embedded with it. */
  readonly tiny?: TinyEmbedder;
  /** Shared across pipelines: building the extractive answerer loads wink-nlp. */
  readonly answerer: Answerer;
  /** At least this many timed asks: short lists are asked several times. @default 100 */
  readonly minSamples?: number;
}

/** Latency of `ask` for one corpus and mode. */
export interface QueryBenchResult {
  readonly corpus: string;
  readonly mode: QueryMode;
  /** Mode `model`: the catalog name or id of the model that embedded the questions. */
  readonly model?: string;
  readonly questions: number;
  readonly samples: number;
  readonly abstained: number;
  readonly retrieve: Summary;
  readonly answer: Summary;
  /** `timingsMs.total` as the pipeline reports it. */
  readonly total: Summary;
  /** Mode `model`: the model's work inside each ask (the question in retrieve; sentence re-ranking in answer). */
  readonly embedding?: {
    /** Texts embedded per ask, and `embed` calls per ask (means). */
    readonly textsPerAsk: number;
    readonly callsPerAsk: number;
    /** Milliseconds inside `embed` per ask. */
    readonly ms: Summary;
  };
  /** Wall time around `pipeline.ask`, including streaming the answer into events. */
  readonly wall: Summary;
}

/** Asks every question once to warm up, then enough passes for `minSamples` timed asks. */
export async function benchQueries(options: QueryBenchOptions): Promise<QueryBenchResult> {
  const { corpus, mode, tiny } = options;
  const tally = { texts: 0, calls: 0, ms: 0 };
  const { pipeline } = await openPipeline({
    config: options.config,
    answerer: options.answerer,
    ...(mode === 'tiny' && tiny ? { openEmbedder: async () => ({ embedder: undisposable(tiny.embedder), lexicalReason: null }) } : {}),
    ...(mode === 'model'
      ? {
          openEmbedder: async (config: Config) => {
            const choice = await openEmbedder(config);
            return choice.embedder ? { embedder: counting(choice.embedder, tally), lexicalReason: null } : choice;
          },
        }
      : {}),
  });
  try {
    if (pipeline.status.mode !== (mode === 'lexical' ? 'lexical' : 'hybrid')) throw new Error(`expected ${mode} retrieval, got ${pipeline.status.mode}`);
    for (const q of corpus.questions.slice(0, 50)) await pipeline.ask(q);
    const passes = Math.max(1, Math.ceil((options.minSamples ?? 100) / corpus.questions.length));
    const retrieve: number[] = [];
    const answer: number[] = [];
    const total: number[] = [];
    const wall: number[] = [];
    const embedMs: number[] = [];
    let texts = 0;
    let calls = 0;
    let abstained = 0;
    for (let pass = 0; pass < passes; pass++) {
      for (const q of corpus.questions) {
        Object.assign(tally, { texts: 0, calls: 0, ms: 0 });
        const elapsed = stopwatch();
        const result = await pipeline.ask(q);
        wall.push(elapsed());
        embedMs.push(tally.ms);
        texts += tally.texts;
        calls += tally.calls;
        retrieve.push(result.timingsMs.retrieve);
        answer.push(result.timingsMs.answer);
        total.push(result.timingsMs.total);
        if (pass === 0 && result.abstained) abstained++;
      }
    }
    return {
      corpus: corpus.name,
      mode,
      ...(mode === 'model' ? { model: options.config.modelId } : {}),
      questions: corpus.questions.length,
      samples: wall.length,
      abstained,
      retrieve: summarize(retrieve),
      answer: summarize(answer),
      total: summarize(total),
      wall: summarize(wall),
      ...(mode === 'model' ? { embedding: { textsPerAsk: texts / wall.length, callsPerAsk: calls / wall.length, ms: summarize(embedMs) } } : {}),
    };
  } finally {
    await pipeline.close();
  }
}

/** The embedder, adding each call's texts and milliseconds to `tally`. */
function counting(embedder: Embedder, tally: { texts: number; calls: number; ms: number }): Embedder {
  return {
    id: embedder.id,
    dimension: embedder.dimension,
    ...(embedder.model ? { model: embedder.model } : {}),
    async embed(texts, options) {
      const elapsed = stopwatch();
      try {
        return await embedder.embed(texts, options);
      } finally {
        tally.ms += elapsed();
        tally.texts += texts.length;
        tally.calls++;
      }
    },
    dispose: () => embedder.dispose(),
  };
}
