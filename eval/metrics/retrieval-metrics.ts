import { spanContains, type DocSpan } from './spans.js';

/** A retrieved passage as the `ask --json` result lists it. */
export interface RetrievedPassage {
  readonly docId: string;
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

/** What makes a passage relevant to one question. */
export interface RetrievalGold {
  /** Verbatim evidence strings; a passage whose text contains any of them is a hit. */
  readonly evidence: readonly string[];
  /**
   * Document spans of the gold answer (SQuAD). When present they decide instead of `evidence`:
   * a passage is a hit when it covers a whole gold answer span.
   */
  readonly goldSpans?: readonly DocSpan[];
}

/** True when the passage contains an evidence string, or covers a gold answer span when spans are given. */
export function passageIsHit(passage: RetrievedPassage, gold: RetrievalGold): boolean {
  if (gold.goldSpans && gold.goldSpans.length > 0) return gold.goldSpans.some((span) => spanContains(passage, span));
  return gold.evidence.some((e) => e.length > 0 && passage.text.includes(e));
}

/** 1-based rank of the first hit among passages (best first), or `null` when none is a hit. */
export function firstHitRank(passages: readonly RetrievedPassage[], gold: RetrievalGold): number | null {
  const index = passages.findIndex((p) => passageIsHit(p, gold));
  return index === -1 ? null : index + 1;
}

/** Share of questions whose first hit is at rank ≤ k (`null` ranks count as misses); `null` for no questions. */
export function recallAtK(ranks: readonly (number | null)[], k: number): number | null {
  if (ranks.length === 0) return null;
  return ranks.filter((r) => r !== null && r <= k).length / ranks.length;
}

/** Mean reciprocal rank of the first hit (a miss contributes 0); `null` for no questions. */
export function meanReciprocalRank(ranks: readonly (number | null)[]): number | null {
  if (ranks.length === 0) return null;
  return ranks.reduce<number>((sum, r) => sum + (r === null ? 0 : 1 / r), 0) / ranks.length;
}
