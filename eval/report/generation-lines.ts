import type { GenerationSummary } from '../metrics/generation-metrics.js';
import { formatRatio } from './format.js';

function ms(value: number | null): string {
  return value === null ? '—' : `${Math.round(value)} ms`;
}

/**
 * The generated answers' figures in plain lines, for the terminal and the HTML report: how many sentences were
 * verified, how many answers carried an unverified one, how many facts were invented, fallbacks, and speed.
 */
export function generationLines(g: GenerationSummary): string[] {
  const fallbacks = Object.entries(g.fallbacks)
    .map(([code, n]) => `${code} ${n}`)
    .join(', ');
  return [
    `generated answers: ${g.answers} · sentences ${g.sentences}, verified ${formatRatio(g.verifiedShare)} · answers with an unverified sentence ${formatRatio(g.answersWithUnverifiedShare)}`,
    `invented-entity rate ${formatRatio(g.inventedEntityRate)} (numbers, dates and names in no given passage) · markers to passages not given: ${g.removedMarkers}`,
    `fell back to the extractive answer: ${formatRatio(g.fallbackShare)}${fallbacks ? ` (${fallbacks})` : ''}`,
    `time to first token p50 ${ms(g.timeToFirstTokenP50Ms)}, p95 ${ms(g.timeToFirstTokenP95Ms)} · ${g.tokensPerSecond === null ? '—' : g.tokensPerSecond.toFixed(1)} tokens/s`,
  ];
}
