/**
 * Describes the machine a benchmark ran on, because absolute times only mean something next to it.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';

/** What RESULTS.md says about the machine. */
export interface MachineInfo {
  /** `model name` from /proc/cpuinfo (or os.cpus()). */
  readonly cpuModel: string;
  /** `nproc`: the cores this process may use. */
  readonly cores: number;
  /** The `Mem:` line of `free -h` (total, used, free, shared, buff/cache, available). */
  readonly memory: string;
  readonly totalMemoryBytes: number;
  /** `process.version`. */
  readonly node: string;
  /** `os.platform() os.release() os.arch()`. */
  readonly os: string;
}

function command(file: string, args: readonly string[]): string | null {
  try {
    return execFileSync(file, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

function cpuModel(): string {
  try {
    // "model name\t: AMD EPYC …": split, not one multiline pattern (`\s*` next to `.+` backtracks super-linearly).
    for (const line of readFileSync('/proc/cpuinfo', 'utf8').split('\n')) {
      const colon = line.indexOf(':');
      if (colon < 0 || line.slice(0, colon).trim() !== 'model name') continue;
      const model = line.slice(colon + 1).trim();
      if (model) return model;
    }
  } catch {
    // Not Linux: fall through to what Node reports.
  }
  return os.cpus()[0]?.model ?? 'unknown';
}

/** Reads the machine description once; every field falls back to what Node knows when a command is missing. */
export function describeMachine(): MachineInfo {
  const nproc = Number(command('nproc', []));
  const free = command('free', ['-h']);
  const memLine = free?.split('\n').find((line) => line.startsWith('Mem:'));
  const headers = free?.split('\n')[0]?.trim().split(/\s+/) ?? [];
  const values = memLine?.replace(/^Mem:\s*/, '').split(/\s+/) ?? [];
  return {
    cpuModel: cpuModel(),
    cores: Number.isInteger(nproc) && nproc > 0 ? nproc : os.availableParallelism(),
    memory: values.length ? headers.map((h, i) => `${h} ${values[i] ?? '?'}`).join(', ') : `total ${(os.totalmem() / 2 ** 30).toFixed(1)}Gi`,
    totalMemoryBytes: os.totalmem(),
    node: process.version,
    os: `${os.platform()} ${os.release()} ${os.arch()}`,
  };
}
