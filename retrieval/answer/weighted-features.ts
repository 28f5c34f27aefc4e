/**
 * The one combiner every ranked list and gate in the answerer uses: named features (a typed record of numbers)
 * times named weights (data), plus a bias. Adding a rule is one feature and one weight; the record and the
 * weights together explain any score.
 */

/** A linear model over the features `K`: `bias + Σ weights[k] × features[k]`. Missing weights count 0. */
export interface LinearModel<K extends string> {
  readonly bias: number;
  readonly weights: Readonly<Partial<Record<K, number>>>;
}

/** The weighted sum of `features` under `model`. */
export function combine<K extends string>(features: Readonly<Record<K, number>>, model: LinearModel<K>): number {
  let z = model.bias;
  for (const key of Object.keys(model.weights) as K[]) {
    const value = features[key];
    if (value !== undefined) z += (model.weights[key] ?? 0) * value;
  }
  return z;
}

/** The logistic function: a logit to a probability. */
export function logistic(z: number): number {
  return 1 / (1 + Math.exp(-z));
}

/**
 * How much each feature pulled the score below what it is for a typical right answer (`reference`, the mean feature
 * values of right answers in the fitting data): `weight × (reference − value)`, positive when it cost. What to blame
 * when a gate says no.
 */
export function penalties<K extends string>(features: Readonly<Record<K, number>>, model: LinearModel<K>, reference: Readonly<Partial<Record<K, number>>>): Map<K, number> {
  const out = new Map<K, number>();
  for (const key of Object.keys(model.weights) as K[]) out.set(key, (model.weights[key] ?? 0) * ((reference[key] ?? 0) - (features[key] ?? 0)));
  return out;
}
