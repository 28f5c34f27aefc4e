/**
 * `ask` latency in-process, by stage (AskResult.timingsMs: retrieve, answer), one question at a time over a fixed
 * list, after a warm-up pass. The target from issue 2: p95 under 50 ms on the seed corpus in lexical mode.
 */
import type { Answerer } from '../retrieval/answer/answerer.js';
import type { Config } from '../retrieval/config.js';
import { openPipeline } from '../retrieval/open-pipeline.js';
import type { BenchCorpus } from './corpora.js';
import type { IngestMode } from './ingest-bench.js';
import { stopwatch, summarize, type Summary } from './stats.js';
import { undisposable, type TinyEmbedder } from './tiny-embedder.js';

/** The `ask` p95 target on the seed corpus in lexical mode, milliseconds. */
export const ASK_P95_TARGET_MS = 50;

/** Options of {@link benchQueries}. */
export interface QueryBenchOptions {
  readonly corpus: BenchCorpus;
  /** Configuration of an index already built (by the ingest benchmark). */
  readonly config: Config;
  readonly mode: IngestMode;
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
  readonly mode: IngestMode;
  readonly questions: number;
  readonly samples: number;
  readonly abstained: number;
  readonly retrieve: Summary;
  readonly answer: Summary;
  /** `timingsMs.total` as the pipeline reports it. */
  readonly total: Summary;
  /** Wall time around `pipeline.ask`, including streaming the answer into events. */
  readonly wall: Summary;
}

/** Asks every question once to warm up, then enough passes for `minSamples` timed asks. */
export async function benchQueries(options: QueryBenchOptions): Promise<QueryBenchResult> {
  const { corpus, mode, tiny } = options;
  const { pipeline } = await openPipeline({
    config: options.config,
    answerer: options.answerer,
    ...(mode === 'tiny' && tiny ? { openEmbedder: async () => ({ embedder: undisposable(tiny.embedder), lexicalReason: null }) } : {}),
  });
  try {
    if (pipeline.status.mode !== (mode === 'tiny' ? 'hybrid' : 'lexical')) throw new Error(`expected ${mode} retrieval, got ${pipeline.status.mode}`);
    for (const q of corpus.questions.slice(0, 50)) await pipeline.ask(q);
    const passes = Math.max(1, Math.ceil((options.minSamples ?? 100) / corpus.questions.length));
    const retrieve: number[] = [];
    const answer: number[] = [];
    const total: number[] = [];
    const wall: number[] = [];
    let abstained = 0;
    for (let pass = 0; pass < passes; pass++) {
      for (const q of corpus.questions) {
        const elapsed = stopwatch();
        const result = await pipeline.ask(q);
        wall.push(elapsed());
        retrieve.push(result.timingsMs.retrieve);
        answer.push(result.timingsMs.answer);
        total.push(result.timingsMs.total);
        if (pass === 0 && result.abstained) abstained++;
      }
    }
    return {
      corpus: corpus.name,
      mode,
      questions: corpus.questions.length,
      samples: wall.length,
      abstained,
      retrieve: summarize(retrieve),
      answer: summarize(answer),
      total: summarize(total),
      wall: summarize(wall),
    };
  } finally {
    await pipeline.close();
  }
}
