/**
 * What a user pays for a generated answer on this machine (`npm run bench -- --only generative`): the seed corpus,
 * lexical retrieval, each local catalog generator that is in the model folder, asked the bench's seed questions
 * through the pipeline's stream as the WebSocket does. Time to first token is from the ask to the first draft
 * token (retrieval, the extractive gate and the prompt included); the extractive answer's total time on the same
 * questions is the reference. Greedy decoding: every run writes the same words, so only the timings vary.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { loadConfig, type Config } from '../retrieval/config.js';
import { openPipeline } from '../retrieval/open-pipeline.js';
import type { Pipeline } from '../retrieval/pipeline.js';
import type { AskResult } from '../retrieval/types.js';
import { MODEL_CATALOG } from '../retrieval/models/model-catalog.js';
import { checkModelFolder } from '../retrieval/models/model-folder.js';
import { SEED_BENCH_QUESTIONS } from './seed-questions.js';
import { median, ms, spread, spreadText, stopwatch, type Spread } from './stats.js';
import type { Table } from './table.js';

/** One generator's figures over the questions. */
export interface GenerativeBenchRow {
  readonly generator: string;
  readonly questions: number;
  /** Per run: the median over questions of ask → first draft token. */
  readonly firstToken: Spread;
  /** Per run: the median over questions of the whole ask. */
  readonly total: Spread;
  /** Per run: pieces written per second of generating, over all questions. */
  readonly tokensPerSecond: Spread;
  /** The same in every run (greedy decoding). */
  readonly verifiedShare: number;
  readonly fallbackShare: number;
  readonly inventedRate: number;
}

/** Everything the section measured. */
export interface GenerativeBenchResult {
  readonly rows: readonly GenerativeBenchRow[];
  /** The extractive answerer's median ask on the same questions. */
  readonly extractiveTotal: Spread;
  readonly skipped: readonly string[];
}

async function askTimed(pipeline: Pipeline, question: string): Promise<{ firstTokenMs: number | null; totalMs: number; result: AskResult }> {
  const elapsed = stopwatch();
  let firstTokenMs: number | null = null;
  const stream = pipeline.askStream({ question });
  for (;;) {
    const step = await stream.next();
    if (step.done) return { firstTokenMs, totalMs: elapsed(), result: step.value };
    if (step.value.type === 'token') firstTokenMs ??= elapsed();
  }
}

/** Runs the section. */
export async function benchGenerative(options: { readonly workDir: string; readonly repeats: number; readonly questions?: number; readonly modelDir: string; readonly log: (line: string) => void }): Promise<GenerativeBenchResult> {
  const questions = SEED_BENCH_QUESTIONS.filter((q) => !q.history).slice(0, options.questions ?? 8).map((q) => q.question);
  const base = (indexDir: string, overrides: Partial<Config> = {}) =>
    loadConfig({ overrides: { corpusDir: path.resolve(import.meta.dirname, '../seeds'), indexDir, disableEmbeddings: true, modelDir: options.modelDir, allowRemoteModels: false, logLevel: 'silent', ...overrides } });
  const indexDir = path.join(options.workDir, 'generative-index');
  await fs.mkdir(indexDir, { recursive: true });

  const extractive = (await openPipeline({ config: base(indexDir), ingest: true })).pipeline;
  const extractiveRuns: number[] = [];
  try {
    for (let run = 0; run < options.repeats; run++) {
      const totals: number[] = [];
      for (const question of questions) totals.push((await askTimed(extractive, question)).totalMs);
      extractiveRuns.push(median(totals));
    }
  } finally {
    await extractive.close();
  }

  const rows: GenerativeBenchRow[] = [];
  const skipped: string[] = [];
  for (const spec of MODEL_CATALOG.filter((s) => s.role === 'generator')) {
    if ((await checkModelFolder(spec, options.modelDir)).state !== 'verified') {
      skipped.push(`${spec.name} (not in ${options.modelDir}: npm run models -- fetch ${spec.name})`);
      continue;
    }
    options.log(`generative: ${spec.name}, ${questions.length} questions × ${options.repeats} runs`);
    const pipeline = (await openPipeline({ config: base(indexDir, { answerer: 'generative', generator: 'local', generatorModel: spec.name, generatorTimeoutMs: 120_000 }) })).pipeline;
    const firstTokens: number[] = [];
    const totals: number[] = [];
    const speeds: number[] = [];
    let last: AskResult[] = [];
    try {
      for (let run = 0; run < options.repeats; run++) {
        const results = [];
        for (const question of questions) results.push(await askTimed(pipeline, question));
        firstTokens.push(median(results.map((r) => r.firstTokenMs).filter((t): t is number => t !== null)));
        totals.push(median(results.map((r) => r.totalMs)));
        const generated = results.map((r) => r.result.generation!).filter(Boolean);
        speeds.push(generated.reduce((n, g) => n + g.tokens, 0) / (generated.reduce((n, g) => n + g.generationMs, 0) / 1000));
        last = results.map((r) => r.result);
      }
    } finally {
      await pipeline.close();
    }
    const reports = last.map((r) => r.generation!).filter(Boolean);
    const sentences = reports.flatMap((g) => g.sentences);
    rows.push({
      generator: pipeline.status.generator?.id ?? spec.name,
      questions: questions.length,
      firstToken: spread(firstTokens),
      total: spread(totals),
      tokensPerSecond: spread(speeds),
      verifiedShare: sentences.length ? sentences.filter((s) => s.status === 'verified').length / sentences.length : Number.NaN,
      fallbackShare: reports.length ? reports.filter((g) => g.fallback !== null).length / reports.length : Number.NaN,
      inventedRate: sentences.reduce((n, s) => n + s.facts, 0) ? sentences.reduce((n, s) => n + s.invented.length, 0) / sentences.reduce((n, s) => n + s.facts, 0) : Number.NaN,
    });
  }
  return { rows, extractiveTotal: spread(extractiveRuns), skipped };
}

const share = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : '–');

/** The section's table. */
export function generativeTable(result: GenerativeBenchResult): Table {
  return {
    title: 'Generated answers, end to end (seed corpus, lexical)',
    headers: ['generator', 'questions', 'first token p50 ms', 'whole answer p50 ms', 'vs extractive', 'tokens/s', 'sentences verified', 'fell back', 'invented facts'],
    rows: result.rows.map((r) => [
      r.generator,
      String(r.questions),
      spreadText(r.firstToken, ms),
      spreadText(r.total, ms),
      `×${(r.total.median / result.extractiveTotal.median).toFixed(0)}`,
      spreadText(r.tokensPerSecond, (n) => n.toFixed(1)),
      share(r.verifiedShare),
      share(r.fallbackShare),
      share(r.inventedRate),
    ]),
    notes: [
      `Medians over questions per run, then the median (and range) over ${result.rows[0]?.firstToken.runs.length ?? 0} runs. First token: from the ask to the first draft token, retrieval and prompt included. The extractive answer on the same questions: p50 ${spreadText(result.extractiveTotal, ms)} ms.`,
      'Target (issue 14): first token p50 under 3 s on this 2-core machine.',
      ...result.skipped.map((s) => `skipped: ${s}`),
    ],
  };
}

/** The section's headline line. */
export function generativeHeadline(result: GenerativeBenchResult): string[] {
  return result.rows.map((r) => `generated answers with ${r.generator}: first token p50 ${ms(r.firstToken.median)} ms (target < 3000 ms: ${r.firstToken.median < 3000 ? 'met' : 'NOT met'}), whole answer ${ms(r.total.median)} ms, ${share(r.verifiedShare)} of sentences verified.`);
}
