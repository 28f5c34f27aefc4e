/** Runs a fresh Node process from the repository root for a benchmark, collecting its output and timing it whole. */
import { spawn } from 'node:child_process';
import { ROOT } from './corpora.js';
import { stopwatch } from './stats.js';

/** What the process printed, how it ended, and the wall time from spawn to exit. */
export interface NodeProcessRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly processWallMs: number;
}

/** `node <args>` with `env`, stdin closed; resolves when it exits, whatever its code. */
export async function runNodeProcess(args: readonly string[], env: NodeJS.ProcessEnv): Promise<NodeProcessRun> {
  const elapsed = stopwatch();
  const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  return { code, stdout, stderr, processWallMs: elapsed() };
}
