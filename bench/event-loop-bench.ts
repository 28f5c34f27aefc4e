/**
 * Does a synchronous `searchKnn` block other clients? hnswlib-node's search runs on the JavaScript thread, so while it
 * runs no other request, WebSocket frame or timer is served. This runs searches the way a server would (one per
 * macrotask, through `setImmediate`) while `perf_hooks.monitorEventLoopDelay` and a 1 ms interval timer (another
 * client's work) measure how late the loop gets, against the same measurement on an idle loop.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { VectorIndex } from '../retrieval/index/vector-index.js';
import { summarize, type Summary } from './stats.js';

/** One search shape: `k` results at candidate list size `ef`. */
export interface SearchShape {
  readonly label: string;
  readonly k: number;
  readonly ef: number;
  /** Searches run, one per macrotask. */
  readonly searches: number;
}

/** Event-loop delay figures, milliseconds. */
export interface LoopDelay {
  /** `monitorEventLoopDelay` (1 ms resolution) percentiles. */
  readonly delayP50: number;
  readonly delayP99: number;
  readonly delayMax: number;
  /** How late a 1 ms interval timer fired. */
  readonly timerLateP99: number;
  readonly timerLateMax: number;
}

/** The blocking measured for one search shape. */
export interface BlockingResult extends LoopDelay {
  readonly shape: SearchShape;
  /** Synchronous duration of each search: how long it holds the thread. */
  readonly block: Summary;
}

/** All event-loop measurements on one index. */
export interface EventLoopBenchResult {
  readonly size: number;
  readonly idle: LoopDelay;
  readonly shapes: readonly BlockingResult[];
  /** `burstSize` default-shape searches in one synchronous loop (a batch handled without yielding). */
  readonly burst: { readonly searches: number; readonly totalMs: number; readonly timerLateMs: number };
}

const TICK_MS = 1;

/** Runs `work` (which resolves when done) while measuring loop delay and timer lateness. */
async function measureLoop(work: () => Promise<void>): Promise<LoopDelay> {
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  const late: number[] = [];
  let due = performance.now() + TICK_MS;
  const timer = setInterval(() => {
    const now = performance.now();
    late.push(Math.max(0, now - due));
    due = now + TICK_MS;
  }, TICK_MS);
  histogram.enable();
  try {
    await work();
  } finally {
    histogram.disable();
    clearInterval(timer);
  }
  const lateness = summarize(late);
  return {
    delayP50: histogram.percentile(50) / 1e6,
    delayP99: histogram.percentile(99) / 1e6,
    delayMax: histogram.max / 1e6,
    timerLateP99: lateness.p99,
    timerLateMax: lateness.max,
  };
}

/** Measures an idle loop for `durationMs`, then each search shape, then one burst. */
export async function benchEventLoop(options: {
  readonly index: VectorIndex;
  readonly queries: readonly number[][];
  readonly shapes: readonly SearchShape[];
  readonly burstSize: number;
  readonly idleMs?: number;
}): Promise<EventLoopBenchResult> {
  const { index, queries } = options;
  const restoreEf = index.ef;
  const idle = await measureLoop(() => new Promise((resolve) => setTimeout(resolve, options.idleMs ?? 1000)));
  const shapes: BlockingResult[] = [];
  try {
    for (const shape of options.shapes) {
      index.store.index.setEf(shape.ef);
      for (const query of queries.slice(0, 20)) index.search(query, shape.k);
      const block: number[] = [];
      const delay = await measureLoop(
        () =>
          new Promise<void>((resolve) => {
            let i = 0;
            const step = () => {
              if (i >= shape.searches) return resolve();
              const started = performance.now();
              index.search(queries[i % queries.length]!, shape.k);
              block.push(performance.now() - started);
              i++;
              setImmediate(step);
            };
            setImmediate(step);
          }),
      );
      shapes.push({ shape, block: summarize(block), ...delay });
    }
    const first = options.shapes[0]!;
    index.store.index.setEf(first.ef);
    let totalMs = 0;
    const burst = await measureLoop(
      () =>
        new Promise<void>((resolve) => {
          // Let the timer arm, then hold the thread for the whole batch.
          setTimeout(() => {
            const started = performance.now();
            for (let i = 0; i < options.burstSize; i++) index.search(queries[i % queries.length]!, first.k);
            totalMs = performance.now() - started;
            setTimeout(resolve, 5);
          }, 5);
        }),
    );
    return { size: index.size, idle, shapes, burst: { searches: options.burstSize, totalMs, timerLateMs: burst.timerLateMax } };
  } finally {
    index.store.index.setEf(restoreEf);
  }
}
