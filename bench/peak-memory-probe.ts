/**
 * Preloaded (`node --import <this file, built> cli/launch.mjs cli/ingest.ts ...`) into a command the benchmark runs as a child
 * process, so the benchmark can read the command's peak memory: a process that has exited has no `/proc` entry left
 * to read `VmHWM` from. When the process exits it writes one line to stderr, `@@verbatim-peak {"maxRss":…,"cpuMs":…}`
 * (peak-memory-sample.ts). Nothing else is added to the command.
 */
import { PEAK_PROBE_MARKER, type PeakSample } from './peak-memory-sample.js';

process.on('exit', () => {
  const usage = process.resourceUsage();
  const sample: PeakSample = { maxRss: usage.maxRSS * 1024, cpuMs: (usage.userCPUTime + usage.systemCPUTime) / 1000 };
  process.stderr.write(`${PEAK_PROBE_MARKER}${JSON.stringify(sample)}\n`);
});
