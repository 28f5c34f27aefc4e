/**
 * `npm run load -- --compare-in-process [--repeats N]`: the default load mix against the server as it answered
 * before (on its event loop, `bench/in-process-server.ts`) and as `npm start` answers now (a pool of worker
 * threads), alternating, in one run on one machine, so the throughput ratio is not skewed by other work coming
 * and going. Target (issue 10): zero errors and at least 1.5× the in-process asks per second.
 */
import { median } from './stats.js';
import { runLoad, type LoadOptions, type LoadReport } from './load.js';

/** The throughput target: pooled asks/s over in-process asks/s. */
export const POOL_THROUGHPUT_TARGET = 1.5;

/** One configuration's runs. */
export interface ThreadingRuns {
  readonly asksPerSecond: readonly number[];
  readonly errors: readonly number[];
  /** The server's event-loop delay p99 in each run (ms): how long a new request waited for the loop. */
  readonly loopDelayP99Ms: readonly (number | null)[];
  /** End-to-end WebSocket ask p95 in each run (ms). */
  readonly wsDoneP95Ms: readonly (number | null)[];
}

/** What the comparison measured. */
export interface ThreadComparison {
  readonly repeats: number;
  readonly inProcess: ThreadingRuns;
  readonly pooled: ThreadingRuns;
  /** Median pooled asks/s over median in-process asks/s. */
  readonly ratio: number;
  /** The ratio of each alternating pair, for the spread. */
  readonly pairRatios: readonly number[];
  readonly pass: boolean;
}

function collect(reports: readonly LoadReport[]): ThreadingRuns {
  return {
    asksPerSecond: reports.map((r) => r.asks.perSecond),
    errors: reports.map((r) => r.errors.total + (r.timedOut ? 1 : 0)),
    loopDelayP99Ms: reports.map((r) => r.serverLoopDelayMs?.p99 ?? null),
    wsDoneP95Ms: reports.map((r) => r.latencyMs.wsDone.p95),
  };
}

/** Runs the load `repeats` times against each server, alternating, and compares their throughput. */
export async function compareInProcess(options: Omit<LoadOptions, 'url' | 'serverScript'> & { readonly repeats?: number; readonly log?: (line: string) => void }): Promise<ThreadComparison> {
  const repeats = options.repeats ?? 3;
  const inProcess: LoadReport[] = [];
  const pooled: LoadReport[] = [];
  for (let i = 0; i < repeats; i++) {
    inProcess.push(await runLoad({ ...options, serverScript: 'bench/in-process-server.ts' }));
    options.log?.(`run ${i + 1}/${repeats} in-process: ${inProcess[i]!.asks.perSecond} asks/s, ${inProcess[i]!.errors.total} errors`);
    pooled.push(await runLoad({ ...options, serverScript: 'server/main.ts' }));
    options.log?.(`run ${i + 1}/${repeats} pooled:     ${pooled[i]!.asks.perSecond} asks/s, ${pooled[i]!.errors.total} errors`);
  }
  const a = collect(inProcess);
  const b = collect(pooled);
  const ratio = median(b.asksPerSecond) / median(a.asksPerSecond);
  return {
    repeats,
    inProcess: a,
    pooled: b,
    ratio,
    pairRatios: b.asksPerSecond.map((x, i) => x / a.asksPerSecond[i]!),
    pass: ratio >= POOL_THROUGHPUT_TARGET && b.errors.every((e) => e === 0),
  };
}

const spread = (values: readonly (number | null)[]): string => {
  const known = values.filter((v): v is number => v !== null);
  return known.length === 0 ? '–' : `${median(known).toFixed(1)} (${Math.min(...known).toFixed(1)}–${Math.max(...known).toFixed(1)})`;
};

/** The comparison as a Markdown table, median (min–max) over the runs. */
export function formatThreadComparison(c: ThreadComparison): string {
  const row = (name: string, r: ThreadingRuns) => `| ${name} | ${spread(r.asksPerSecond)} | ${r.errors.reduce((x, y) => x + y, 0)} | ${spread(r.loopDelayP99Ms)} | ${spread(r.wsDoneP95Ms)} |`;
  return [
    `| server | asks/s | errors | event-loop delay p99 (ms) | WebSocket ask p95 (ms) |`,
    `|---|---|---|---|---|`,
    row('answers on the event loop (before)', c.inProcess),
    row('worker pool (npm start)', c.pooled),
    '',
    `pooled ÷ in-process asks/s: ×${c.ratio.toFixed(2)} (pairs: ${c.pairRatios.map((r) => `×${r.toFixed(2)}`).join(', ')}); target ≥ ×${POOL_THROUGHPUT_TARGET} with 0 errors: ${c.pass ? 'met' : 'NOT met'}`,
    '',
  ].join('\n');
}
