/**
 * Exact nearest neighbours, the reference HNSW is measured against: a plain dot-product scan (ground truth, and the
 * cost of search without an index in JavaScript) and hnswlib's own BruteforceSearch (the same scan in C++, the fair
 * reference for speed-up).
 */
import hnswlib from 'hnswlib-node';

/**
 * Labels of the `k` rows of `data` with the largest dot product with `query` (cosine for unit vectors), best first.
 * Accumulates in double precision so ties between float32 neighbours do not decide the ground truth.
 */
export function exactTopK(data: Float32Array, dimension: number, query: Float32Array, k: number): number[] {
  const labels: number[] = [];
  const scores: number[] = [];
  const rows = data.length / dimension;
  for (let row = 0; row < rows; row++) {
    const offset = row * dimension;
    let dot = 0;
    for (let j = 0; j < dimension; j++) dot += data[offset + j]! * query[j]!;
    if (labels.length === k && dot <= scores[k - 1]!) continue;
    let at = labels.length === k ? k - 1 : labels.length;
    while (at > 0 && scores[at - 1]! < dot) at--;
    labels.splice(at, 0, row);
    scores.splice(at, 0, dot);
    if (labels.length > k) {
      labels.pop();
      scores.pop();
    }
  }
  return labels;
}

/** hnswlib's exhaustive index over the same vectors (inner product: cosine for unit vectors). */
export interface Bruteforce {
  /** Labels of the `k` nearest rows, best first. */
  search(query: readonly number[], k: number): number[];
}

/** Builds a BruteforceSearch over `data`; returns it with its build time. */
export function buildBruteforce(data: Float32Array, dimension: number): { index: Bruteforce; buildMs: number } {
  const started = performance.now();
  const rows = data.length / dimension;
  const index = new hnswlib.BruteforceSearch('ip', dimension);
  index.initIndex(rows);
  const row = new Array<number>(dimension);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < dimension; j++) row[j] = data[i * dimension + j]!;
    index.addPoint(row, i);
  }
  const buildMs = performance.now() - started;
  return { index: { search: (query, k) => index.searchKnn(Array.from(query), k).neighbors }, buildMs };
}

/** Fraction of `truth` labels found in `found` (recall@k with k = truth.length). */
export function recall(found: readonly number[], truth: readonly number[]): number {
  const wanted = new Set(truth);
  return found.filter((label) => wanted.has(label)).length / truth.length;
}
