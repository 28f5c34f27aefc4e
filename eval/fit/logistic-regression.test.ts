import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../retrieval/__fixtures__/seeded-random.js';
import { fitLogistic, type TrainingRow } from './logistic-regression.js';

type F = 'a' | 'b' | 'noise';

/** Rows drawn from a known logistic model: P(1) = σ(−1 + 3a − 2b), with a feature that carries nothing. */
function sample(n: number, seed: number): TrainingRow<F>[] {
  const random = seededRandom(seed);
  return Array.from({ length: n }, () => {
    const features = { a: random(), b: random(), noise: random() };
    const p = 1 / (1 + Math.exp(-(-1 + 3 * features.a - 2 * features.b)));
    return { features, label: random() < p ? 1 : 0 } as const;
  });
}

describe('fitLogistic', () => {
  it('recovers the weights of the model that generated the data', () => {
    const fitted = fitLogistic(sample(20_000, 7), ['a', 'b', 'noise'], { l2: 0 });
    expect(fitted.bias).toBeCloseTo(-1, 0);
    expect(fitted.weights.a).toBeCloseTo(3, 0);
    expect(fitted.weights.b).toBeCloseTo(-2, 0);
    expect(Math.abs(fitted.weights.noise)).toBeLessThan(0.2);
  });

  it('shrinks weights towards 0 as the L2 penalty grows, and leaves the bias free', () => {
    const rows = sample(2_000, 3);
    const loose = fitLogistic(rows, ['a', 'b', 'noise'], { l2: 0 });
    const tight = fitLogistic(rows, ['a', 'b', 'noise'], { l2: 1 });
    expect(Math.abs(tight.weights.a)).toBeLessThan(Math.abs(loose.weights.a) / 2);
    const positives = rows.filter((r) => r.label === 1).length / rows.length;
    expect(1 / (1 + Math.exp(-tight.bias))).toBeCloseTo(positives, 1);
  });

  it('separable data converges to finite weights under a penalty', () => {
    const rows: TrainingRow<'a'>[] = [0, 0.1, 0.2, 0.8, 0.9, 1].map((a) => ({ features: { a }, label: a > 0.5 ? 1 : 0 }));
    const fitted = fitLogistic(rows, ['a'], { l2: 0.01 });
    expect(Number.isFinite(fitted.weights.a)).toBe(true);
    expect(fitted.weights.a).toBeGreaterThan(0);
  });

  it('counts row weights', () => {
    const rows: TrainingRow<'a'>[] = [
      { features: { a: 0 }, label: 0, weight: 3 },
      { features: { a: 0 }, label: 1, weight: 1 },
      { features: { a: 1 }, label: 1 },
      { features: { a: 1 }, label: 0 },
    ];
    const fitted = fitLogistic(rows, ['a'], { l2: 0 });
    expect(1 / (1 + Math.exp(-fitted.bias))).toBeCloseTo(0.25, 3);
  });

  it('refuses data with one class', () => {
    expect(() => fitLogistic([{ features: { a: 1 }, label: 1 }], ['a'])).toThrow(/both labels/);
  });
});
