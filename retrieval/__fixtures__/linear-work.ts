/**
 * How the work of a text function grows with its input, measured without wall-clock assertions.
 *
 * The same function runs on an input and on the same kind of input a quarter as long; the test asserts only the
 * RATIO of the two costs. Linear work gives about 4, quadratic about 16, cubic about 64, so a bound of 8 separates
 * them with room to spare. Cost is the process's CPU time (`process.cpuUsage()`, microseconds), not elapsed time:
 * another process taking the core delays a run but does not add to its CPU time, which keeps the ratio steady on
 * a loaded 2-core machine. Each side is the minimum of several samples (noise only ever adds time), samples of
 * the two lengths alternate (so a slow spell hits both), and each sample repeats the call until the short input
 * has taken at least `minSampleMs`, so timer resolution and call overhead do not decide the ratio.
 * There is no hook to count a regular expression engine's steps, so CPU time stands in for them.
 */

/** Options of {@link workGrowth}. */
export interface WorkGrowthOptions {
  /**
   * Samples taken of each length; the cheapest counts.
   * @default 5
   */
  readonly samples?: number;
  /**
   * CPU time one sample of the short input must reach; calls are repeated within a sample until it does.
   * @default 20
   */
  readonly minSampleMs?: number;
  /**
   * CPU time after which no more samples are started. A super-linear function on a long input can take seconds
   * per call: one sample is then evidence enough, and the test fails in seconds instead of minutes.
   * @default 4000
   */
  readonly budgetMs?: number;
}

/** What {@link workGrowth} measured. */
export interface WorkGrowth {
  /** CPU time of the long input over CPU time of the short one. */
  readonly ratio: number;
  /** Cheapest sample of the long input, per call, in milliseconds. */
  readonly fullMs: number;
  /** Cheapest sample of the short input, per call, in milliseconds. */
  readonly quarterMs: number;
  /** Calls per sample. */
  readonly repeats: number;
}

function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

function sample(run: () => unknown, repeats: number): number {
  const start = cpuMs();
  for (let i = 0; i < repeats; i++) run();
  return (cpuMs() - start) / repeats;
}

/**
 * Measures how the cost of `run` grows from `quarter` to `full` (an input four times as long, of the same kind).
 * Both inputs are built before timing starts.
 */
export function workGrowth<T>(run: (input: T) => unknown, full: T, quarter: T, options: WorkGrowthOptions = {}): WorkGrowth {
  const samples = options.samples ?? 5;
  const minSampleMs = options.minSampleMs ?? 20;
  const budgetMs = options.budgetMs ?? 4000;
  const began = cpuMs();
  // Warm-up: lets the JIT compile both paths, and tells how many calls make a sample long enough to measure.
  const once = sample(() => run(quarter), 1);
  run(full);
  const repeats = Math.max(1, Math.min(10_000, Math.ceil(minSampleMs / Math.max(once, 0.001))));
  let fullMs = Infinity;
  let quarterMs = Infinity;
  for (let i = 0; i < samples && (i === 0 || cpuMs() - began < budgetMs); i++) {
    quarterMs = Math.min(quarterMs, sample(() => run(quarter), repeats));
    fullMs = Math.min(fullMs, sample(() => run(full), repeats));
  }
  return { ratio: fullMs / Math.max(quarterMs, 1e-6), fullMs, quarterMs, repeats };
}

async function sampleAsync(run: () => Promise<unknown>, repeats: number): Promise<number> {
  const start = cpuMs();
  for (let i = 0; i < repeats; i++) await run();
  return (cpuMs() - start) / repeats;
}

/**
 * {@link workGrowth} for work that awaits (reading files, for instance). The process's CPU time includes libuv's
 * worker threads, so file reads count; nothing else should run in the test process meanwhile.
 */
export async function workGrowthAsync<T>(run: (input: T) => Promise<unknown>, full: T, quarter: T, options: WorkGrowthOptions = {}): Promise<WorkGrowth> {
  const samples = options.samples ?? 5;
  const minSampleMs = options.minSampleMs ?? 20;
  const budgetMs = options.budgetMs ?? 4000;
  const began = cpuMs();
  const once = await sampleAsync(() => run(quarter), 1);
  await run(full);
  const repeats = Math.max(1, Math.min(10_000, Math.ceil(minSampleMs / Math.max(once, 0.001))));
  let fullMs = Infinity;
  let quarterMs = Infinity;
  for (let i = 0; i < samples && (i === 0 || cpuMs() - began < budgetMs); i++) {
    quarterMs = Math.min(quarterMs, await sampleAsync(() => run(quarter), repeats));
    fullMs = Math.min(fullMs, await sampleAsync(() => run(full), repeats));
  }
  return { ratio: fullMs / Math.max(quarterMs, 1e-6), fullMs, quarterMs, repeats };
}

/** Most a linear function's cost may grow from a quarter-length input to the full one (linear ≈ 4, quadratic ≈ 16). */
export const LINEAR_RATIO_BOUND = 8;
