/**
 * Seeded synthetic embeddings, L2-normalised, in two kinds:
 * - `latent`: points near a low-dimensional subspace (`latentDimension` Gaussian factors through a fixed random
 *   projection, plus isotropic noise). Sentence embeddings behave like this: their intrinsic dimension is far below
 *   384, which is what lets HNSW find true neighbours with a small candidate list.
 * - `uniform`: independent Gaussian coordinates, i.e. uniform on the sphere. The worst case for any ANN index: every
 *   point is nearly orthogonal to every other, so "nearest" is barely nearer than random, and no real text model
 *   produces it. Reported to show the bound, not the expectation.
 * Queries are fresh samples from the same distribution (held out, as in ANN benchmarks), not perturbed data points.
 */

import { gaussian, seededRandom } from '../retrieval/__fixtures__/seeded-random.js';

/** Which distribution to draw from. */
export type VectorKind = 'latent' | 'uniform';

/** Options of {@link createVectorSource}. */
export interface VectorSourceOptions {
  readonly dimension: number;
  readonly kind: VectorKind;
  /** Factors behind `latent` vectors. @default 32 */
  readonly latentDimension?: number;
  /** Standard deviation of per-coordinate noise added to `latent` vectors (signal has unit variance per coordinate). @default 0.3 */
  readonly noise?: number;
  /** Seeds the projection, so data and queries drawn with different seeds share one distribution. @default 1 */
  readonly seed?: number;
}

/** Draws `count` unit vectors, row after row, from one fixed distribution. */
export interface VectorSource {
  readonly options: Required<VectorSourceOptions>;
  sample(count: number, seed: number): Float32Array;
}

/** A generator of standard normal samples drawn from `random`. */
export function normalSampler(random: () => number): () => number {
  return () => gaussian(random);
}

/** Scales each `dimension`-long row of `rows` to unit length, in place. */
export function normalizeRows(rows: Float32Array, dimension: number): void {
  for (let offset = 0; offset < rows.length; offset += dimension) {
    let sum = 0;
    for (let j = 0; j < dimension; j++) sum += rows[offset + j]! * rows[offset + j]!;
    const scale = sum > 0 ? 1 / Math.sqrt(sum) : 0;
    for (let j = 0; j < dimension; j++) rows[offset + j]! *= scale;
  }
}

/** A seeded distribution of unit vectors. */
export function createVectorSource(options: VectorSourceOptions): VectorSource {
  const resolved: Required<VectorSourceOptions> = { latentDimension: 32, noise: 0.3, seed: 1, ...options };
  const { dimension, latentDimension, noise } = resolved;
  const normal = normalSampler(seededRandom(resolved.seed));
  // Projection rows scaled so each output coordinate has unit variance before noise.
  const projection = new Float32Array(dimension * latentDimension);
  for (let i = 0; i < projection.length; i++) projection[i] = normal() / Math.sqrt(latentDimension);
  return {
    options: resolved,
    sample(count, seed) {
      const draw = normalSampler(seededRandom(seed));
      const rows = new Float32Array(count * dimension);
      const factors = new Float64Array(latentDimension);
      for (let i = 0; i < count; i++) {
        const offset = i * dimension;
        if (resolved.kind === 'uniform') {
          for (let j = 0; j < dimension; j++) rows[offset + j] = draw();
          continue;
        }
        for (let f = 0; f < latentDimension; f++) factors[f] = draw();
        for (let j = 0; j < dimension; j++) {
          let x = 0;
          const p = j * latentDimension;
          for (let f = 0; f < latentDimension; f++) x += projection[p + f]! * factors[f]!;
          rows[offset + j] = x + noise * draw();
        }
      }
      normalizeRows(rows, dimension);
      return rows;
    },
  };
}
