/** Runs a fresh Node process from the repository root for a benchmark, collecting its output and timing it whole. */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { runnableModule } from '../retrieval/workers/worker-module.js';
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

/**
 * Node's arguments that run `script` (e.g. `cli/ingest.ts`) the way its npm script does, with `probe` preloaded: from
 * a build (the benchmark run by `npm run bench`) the launcher and the probe's bundled counterpart, so the process pays
 * what a user's does; from the sources (the benchmark's code under test), through tsx.
 */
export function scriptWithProbe(script: string, probe: URL): string[] {
  const preload = runnableModule(probe);
  return preload.pathname.endsWith('.ts') ? ['--import', 'tsx', '--import', preload.href, script] : ['--import', preload.href, path.join('cli', 'launch.mjs'), script];
}
