/**
 * L2-regularised logistic regression fitted by Newton's method (iteratively reweighted least squares): exact and
 * fast for the few dozen features the answerer's models have. Plain TypeScript, deterministic.
 */

/** One training example: named feature values and a 0/1 label, optionally weighted. */
export interface TrainingRow<K extends string> {
  readonly features: Readonly<Record<K, number>>;
  readonly label: 0 | 1;
  /** Importance of the row (e.g. to balance classes). @default 1 */
  readonly weight?: number;
}

/** Options of {@link fitLogistic}. */
export interface FitOptions {
  /** L2 penalty on the weights (not the bias), per unit of total row weight. @default 0.01 */
  readonly l2?: number;
  /** Newton steps at most. @default 50 */
  readonly maxIterations?: number;
  /** Stop when no weight moves more than this. @default 1e-7 */
  readonly tolerance?: number;
}

/** A fitted model: bias and one weight per feature name. */
export interface FittedLogistic<K extends string> {
  readonly bias: number;
  readonly weights: Readonly<Record<K, number>>;
  /** Newton steps taken. */
  readonly iterations: number;
}

/** Solves `A x = b` for a symmetric positive-definite `A` (Cholesky); `A` is n×n row-major. */
function solveSpd(a: number[][], b: number[]): number[] {
  const n = b.length;
  const l = a.map(() => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = a[i]![j]!;
      for (let k = 0; k < j; k++) sum -= l[i]![k]! * l[j]![k]!;
      if (i === j) l[i]![i] = Math.sqrt(Math.max(sum, 1e-12));
      else l[i]![j] = sum / l[j]![j]!;
    }
  }
  const y = new Array<number>(n).fill(0);
  for (let i = 0; i < n; i++) {
    let sum = b[i]!;
    for (let k = 0; k < i; k++) sum -= l[i]![k]! * y[k]!;
    y[i] = sum / l[i]![i]!;
  }
  const x = new Array<number>(n).fill(0);
  for (let i = n - 1; i >= 0; i--) {
    let sum = y[i]!;
    for (let k = i + 1; k < n; k++) sum -= l[k]![i]! * x[k]!;
    x[i] = sum / l[i]![i]!;
  }
  return x;
}

/**
 * Fits `P(label = 1) = σ(bias + Σ w·x)` over the features `names` by maximising the weighted log-likelihood minus
 * `l2 × Σ w²` (scaled by the total row weight, so the penalty means the same for any data size).
 * @throws RangeError when there are no rows or only one class.
 */
export function fitLogistic<K extends string>(rows: readonly TrainingRow<K>[], names: readonly K[], options: FitOptions = {}): FittedLogistic<K> {
  const l2 = options.l2 ?? 0.01;
  const maxIterations = options.maxIterations ?? 50;
  const tolerance = options.tolerance ?? 1e-7;
  if (rows.length === 0) throw new RangeError('no training rows');
  if (!rows.some((r) => r.label === 1) || !rows.some((r) => r.label === 0)) throw new RangeError('training rows need both labels');
  const d = names.length + 1;
  const x = rows.map((r) => [1, ...names.map((n) => r.features[n] ?? 0)]);
  const weightOf = rows.map((r) => r.weight ?? 1);
  const total = weightOf.reduce((a, b) => a + b, 0);
  const beta = new Array<number>(d).fill(0);
  let iterations = 0;
  for (; iterations < maxIterations; iterations++) {
    const gradient = new Array<number>(d).fill(0);
    const hessian = Array.from({ length: d }, () => new Array<number>(d).fill(0));
    x.forEach((xi, i) => {
      let z = 0;
      for (let j = 0; j < d; j++) z += beta[j]! * xi[j]!;
      const p = 1 / (1 + Math.exp(-z));
      const w = weightOf[i]!;
      const residual = w * (rows[i]!.label - p);
      const curvature = w * p * (1 - p);
      for (let j = 0; j < d; j++) {
        gradient[j]! += residual * xi[j]!;
        if (xi[j] === 0) continue;
        for (let k = 0; k <= j; k++) hessian[j]![k]! += curvature * xi[j]! * xi[k]!;
      }
    });
    for (let j = 0; j < d; j++) for (let k = 0; k < j; k++) hessian[k]![j] = hessian[j]![k]!;
    for (let j = 1; j < d; j++) {
      gradient[j]! -= 2 * l2 * total * beta[j]!;
      hessian[j]![j]! += 2 * l2 * total;
    }
    hessian[0]![0]! += 1e-9 * total;
    const step = solveSpd(hessian, gradient);
    let moved = 0;
    for (let j = 0; j < d; j++) {
      beta[j]! += step[j]!;
      moved = Math.max(moved, Math.abs(step[j]!));
    }
    if (moved < tolerance) {
      iterations++;
      break;
    }
  }
  return { bias: beta[0]!, weights: Object.fromEntries(names.map((n, j) => [n, beta[j + 1]!])) as Record<K, number>, iterations };
}
