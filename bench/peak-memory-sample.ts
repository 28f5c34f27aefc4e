/**
 * The line `peak-memory-probe.ts` writes at exit, shared with the benchmark that reads it (importing the probe itself
 * would install its exit handler in the benchmark too).
 */

/** Prefix of the line the probe writes to stderr. */
export const PEAK_PROBE_MARKER = '@@verbatim-peak ';

/** What the probe writes after the marker, as JSON. */
export interface PeakSample {
  /** Highest resident set size of the process, bytes (`getrusage` ru_maxrss, as `VmHWM`). */
  readonly maxRss: number;
  /** User + system CPU time, milliseconds. */
  readonly cpuMs: number;
}
