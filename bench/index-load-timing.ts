/**
 * Runs `index-load-probe.ts` in a fresh Node process and returns what it measured, so load times and memory are those
 * of a process starting cold (the page cache is warm: the files were just written).
 */
import path from 'node:path';
import type { ProbeResult } from './index-load-probe.js';
import { runNodeProcess } from './node-process.js';

/** A probe's result plus the wall time from spawning the process to its exit. */
export interface ProbeTiming extends ProbeResult {
  readonly processWallMs: number;
}

/** Spawns the probe (`node --expose-gc --import tsx bench/index-load-probe.ts ...`) and parses its one line. */
export async function probeIndexLoad(options: { mode: ProbeResult['mode']; dir: string; ef: number; dimension: number }): Promise<ProbeTiming> {
  const args = ['--expose-gc', '--import', 'tsx', path.join('bench', 'index-load-probe.ts'), '--mode', options.mode, '--dir', options.dir, '--ef', String(options.ef), '--dimension', String(options.dimension)];
  const { code, stdout, stderr, processWallMs } = await runNodeProcess(args, { ...process.env, LOG_LEVEL: 'warn' });
  if (code !== 0) throw new Error(`index load probe (${options.mode}) exited with ${code}: ${stderr.trim().slice(-2000)}`);
  const line = stdout.trim().split('\n').at(-1) ?? '';
  return { ...(JSON.parse(line) as ProbeResult), processWallMs };
}
