import type { GenerationReport } from '../../retrieval/types.js';
import { percentile } from './latency.js';

/** What one generated answer did, stored on its result line (from its `generation` report). */
export interface GenerationScores {
  readonly sentences: number;
  readonly verified: number;
  readonly unsupported: number;
  readonly uncited: number;
  /** Markers naming passages that were not given. */
  readonly removedMarkers: number;
  /** Numbers, dates and names in the model's sentences, and those found in no given passage. */
  readonly facts: number;
  readonly invented: number;
  /** The fallback's code when the extractive answer was shown instead (`GENERATOR_TIMEOUT`, `NOTHING_VERIFIED`, …). */
  readonly fallback: string | null;
  readonly truncated: boolean;
  readonly tokens: number;
  readonly timeToFirstTokenMs: number | null;
  readonly generationMs: number;
}

/** A run's generation figures; present when its answers were generated. */
export interface GenerationSummary {
  /** Answers with a generation report. */
  readonly answers: number;
  readonly sentences: number;
  /** Verified sentences / sentences. */
  readonly verifiedShare: number | null;
  /** Of answers whose model wrote at least one sentence: the share with an unsupported or uncited one. */
  readonly answersWithUnverifiedShare: number | null;
  /** Invented facts / facts, over every generated sentence. */
  readonly inventedEntityRate: number | null;
  /** Answers shown as the extractive fallback, by code. */
  readonly fallbacks: Readonly<Record<string, number>>;
  readonly fallbackShare: number | null;
  readonly removedMarkers: number;
  readonly timeToFirstTokenP50Ms: number | null;
  readonly timeToFirstTokenP95Ms: number | null;
  /** Pieces written per second of generating, over every answer. */
  readonly tokensPerSecond: number | null;
}

/** The scores of one answer's generation report. */
export function scoreGeneration(report: GenerationReport): GenerationScores {
  const { sentences } = report;
  return {
    sentences: sentences.length,
    verified: report.totals.verified,
    unsupported: report.totals.unsupported,
    uncited: report.totals.uncited,
    removedMarkers: report.totals.removedMarkers,
    facts: sentences.reduce((n, s) => n + s.facts, 0),
    invented: sentences.reduce((n, s) => n + s.invented.length, 0),
    fallback: report.fallback?.code ?? null,
    truncated: report.truncated,
    tokens: report.tokens,
    timeToFirstTokenMs: report.timeToFirstTokenMs,
    generationMs: report.generationMs,
  };
}

function ratio(numerator: number, denominator: number): number | null {
  return denominator === 0 ? null : numerator / denominator;
}

/** Aggregates the generation scores of a run; null when no answer was generated. */
export function summarizeGeneration(scores: readonly (GenerationScores | undefined)[]): GenerationSummary | null {
  const generated = scores.filter((s): s is GenerationScores => s !== undefined);
  if (generated.length === 0) return null;
  const sum = (pick: (s: GenerationScores) => number) => generated.reduce((n, s) => n + pick(s), 0);
  const written = generated.filter((s) => s.sentences > 0);
  const fallbacks: Record<string, number> = {};
  for (const s of generated) if (s.fallback) fallbacks[s.fallback] = (fallbacks[s.fallback] ?? 0) + 1;
  const firstTokens = generated.map((s) => s.timeToFirstTokenMs).filter((ms): ms is number => ms !== null);
  return {
    answers: generated.length,
    sentences: sum((s) => s.sentences),
    verifiedShare: ratio(sum((s) => s.verified), sum((s) => s.sentences)),
    answersWithUnverifiedShare: ratio(written.filter((s) => s.unsupported + s.uncited > 0).length, written.length),
    inventedEntityRate: ratio(sum((s) => s.invented), sum((s) => s.facts)),
    fallbacks,
    fallbackShare: ratio(generated.filter((s) => s.fallback !== null).length, generated.length),
    removedMarkers: sum((s) => s.removedMarkers),
    timeToFirstTokenP50Ms: percentile(firstTokens, 50),
    timeToFirstTokenP95Ms: percentile(firstTokens, 95),
    tokensPerSecond: ratio(sum((s) => s.tokens), sum((s) => s.generationMs) / 1000),
  };
}
