import type { Chunk, Passage, PassageScores } from '../types.js';
import type { LexicalIndex } from '../index/lexical-index.js';

/** A vector search over chunk ids; the HNSW index implements it. */
export interface VectorSearch {
  search(query: readonly number[], k: number): { id: string; score: number }[];
}

/** Options of `hybridSearch`. */
export interface HybridSearchOptions {
  readonly query: string;
  /** The query's embedding; omit for lexical-only retrieval. */
  readonly queryVector?: readonly number[];
  /** Finds a hit's chunk (a Map, or the index's document store). */
  readonly chunkById: { get(id: string): Chunk | undefined };
  readonly lexical: LexicalIndex;
  readonly vectors?: VectorSearch | null;
  /** Passages to return. */
  readonly k: number;
  /** Candidates each signal contributes before fusion. */
  readonly candidatesPerSignal: number;
  /** Reciprocal rank fusion constant: larger flattens the rank curve. */
  readonly rrfK: number;
}

/**
 * BM25 and vector search each rank candidates; reciprocal rank fusion (Cormack et al., 2009) merges them:
 * score = Σ 1 / (rrfK + rank). Rank fusion needs no score calibration between signals, and works unchanged
 * with one signal only. Each passage keeps its per-signal scores and ranks.
 */
export function hybridSearch(options: HybridSearchOptions): Passage[] {
  const { chunkById, k, candidatesPerSignal, rrfK } = options;
  const scores = new Map<string, { bm25?: number; bm25Rank?: number; vector?: number; vectorRank?: number; rrf: number }>();
  const entry = (id: string) => {
    let s = scores.get(id);
    if (!s) scores.set(id, (s = { rrf: 0 }));
    return s;
  };
  options.lexical.query(options.query, candidatesPerSignal).forEach((hit, i) => {
    const s = entry(hit.id);
    s.bm25 = hit.score;
    s.bm25Rank = i + 1;
    s.rrf += 1 / (rrfK + i + 1);
  });
  if (options.vectors && options.queryVector) {
    options.vectors.search(options.queryVector, candidatesPerSignal).forEach((hit, i) => {
      const s = entry(hit.id);
      s.vector = hit.score;
      s.vectorRank = i + 1;
      s.rrf += 1 / (rrfK + i + 1);
    });
  }
  // Ranked by ids and scores alone; only the passages kept are read from the index (each read is a lookup in the
  // document store), and a candidate whose chunk is missing is passed over.
  const ranked: Ranked[] = [...scores].map(([id, s]) => ({ id, score: s.rrf, scores: s }));
  ranked.sort((a, b) => b.score - a.score || (a.scores.bm25Rank ?? Infinity) - (b.scores.bm25Rank ?? Infinity) || a.id.localeCompare(b.id));
  const passages: Passage[] = [];
  let candidates = ranked;
  for (;;) {
    const kept = keepEachSignalsBest(candidates, k);
    const missing = new Set<string>();
    passages.length = 0;
    for (const { id, score, scores: passageScores } of kept) {
      const chunk = chunkById.get(id);
      if (chunk) passages.push({ ...chunk, score, scores: passageScores });
      else missing.add(id);
    }
    if (missing.size === 0) return passages;
    candidates = candidates.filter((c) => !missing.has(c.id));
  }
}

/** A fused candidate before its chunk is read. */
interface Ranked {
  readonly id: string;
  readonly score: number;
  readonly scores: PassageScores;
}

/**
 * The top `k` by fused score, except that each signal's own first choice is always kept: near-duplicates found by
 * both signals can out-fuse the one passage a single signal ranks far above the rest (a rare name only BM25 matches),
 * and that passage is usually the answer. It takes the place of the lowest fused passage.
 */
function keepEachSignalsBest(ranked: readonly Ranked[], k: number): Ranked[] {
  const top = ranked.slice(0, k);
  for (const isBest of [(p: Ranked) => p.scores.bm25Rank === 1, (p: Ranked) => p.scores.vectorRank === 1]) {
    if (top.some(isBest)) continue;
    const best = ranked.find(isBest);
    if (!best || top.length === 0) continue;
    const replaceable = top.findLastIndex((p) => p.scores.bm25Rank !== 1 && p.scores.vectorRank !== 1);
    if (replaceable !== -1) top[replaceable] = best;
  }
  return top;
}
