/**
 * Preloaded (`node --expose-gc --import <this file, built> cli/launch.mjs server/main.ts`) into the server that
 * `bench/load.ts` starts, so the load tool can read the server's own figures:
 * - memory after a full collection (RSS alone swings with when V8 last collected, which hides or fakes
 *   a slow leak);
 * - CPU time used;
 * - event-loop delay since the previous reading: how long a ready socket (or a new connection) waited
 *   because the loop was busy with other work, the direct measure of one client blocking the others.
 * On SIGUSR2 it collects garbage (when `--expose-gc` is on) and writes one line to stderr:
 * `@@verbatim-memory {"rss":…,"heapUsed":…,"cpuMs":…,"loopDelayMs":{"p50":…,"p99":…,"max":…},"gc":true}`.
 * Nothing else is added to the server beyond this signal handler and the delay histogram.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';

/** Prefix of the line the probe writes; the load tool scans stderr for it. */
export const MEMORY_PROBE_MARKER = '@@verbatim-memory ';

const RESOLUTION_MS = 10;
const loopDelay = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
loopDelay.enable();
/** The histogram records the time between two samples: the delay is what exceeds the interval. */
const delayMs = (ns: number) => Math.max(0, Math.round((ns / 1e6 - RESOLUTION_MS) * 100) / 100);

process.on('SIGUSR2', () => {
  const delay = loopDelay.count > 0 ? { p50: delayMs(loopDelay.percentile(50)), p99: delayMs(loopDelay.percentile(99)), max: delayMs(loopDelay.max) } : null;
  loopDelay.reset();
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const m = process.memoryUsage();
  const cpu = process.cpuUsage();
  const sample = {
    rss: m.rss,
    heapUsed: m.heapUsed,
    heapTotal: m.heapTotal,
    external: m.external,
    arrayBuffers: m.arrayBuffers,
    cpuMs: (cpu.user + cpu.system) / 1000,
    loopDelayMs: delay,
    gc: gc !== undefined,
  };
  process.stderr.write(`${MEMORY_PROBE_MARKER}${JSON.stringify(sample)}\n`);
});
