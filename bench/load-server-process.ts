/**
 * The server under load, as a child process (`node cli/launch.mjs server/main.ts`, exactly what `npm start` runs) so
 * that the memory figures are the server's own and not the load generator's. Loopback only.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MEMORY_PROBE_MARKER } from './load-memory-probe.js';
import { scriptWithProbe } from './node-process.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PROBE = new URL('./load-memory-probe.ts', import.meta.url);

/** The server's memory at one moment, in bytes. */
export interface ServerMemory {
  readonly rss: number;
  /** V8 heap in use; null when read from /proc (no probe). */
  readonly heapUsed: number | null;
  /** Buffers and other memory outside the V8 heap; null when read from /proc. */
  readonly external: number | null;
  /** True when a full garbage collection ran just before the reading. */
  readonly afterGc: boolean;
  /** Highest RSS of the process so far (`VmHWM`), when /proc is readable. */
  readonly peakRss: number | null;
  /** CPU time (user + system) the process has used since it started, in ms; null when unknown. */
  readonly cpuMs: number | null;
  /**
   * Event-loop delay since the previous probe reading, beyond the probe's 10 ms sampling interval: how
   * long ready work waited for the loop. Null without the probe.
   */
  readonly loopDelayMs: { readonly p50: number; readonly p99: number; readonly max: number } | null;
}

/** Options of `startServerProcess`. */
export interface ServerProcessOptions {
  /** Corpus to index. @default the repository's `seeds/` */
  readonly corpusDir?: string;
  /**
   * API requests per minute per client address (`RATE_LIMIT_PER_MINUTE`): every load client shares
   * 127.0.0.1, so the tool raises the limit rather than measure its own 429s. @default 1000000
   */
  readonly rateLimitPerMinute?: number;
  /** How long ingest and start-up may take. @default 120000 */
  readonly startTimeoutMs?: number;
  /** Extra environment for the server. */
  readonly env?: Readonly<Record<string, string>>;
  /** Extra Node flags for the server, e.g. `['--cpu-prof']` to see where its time goes. @default [] */
  readonly execArgv?: readonly string[];
  /**
   * The server entry, relative to the repository: `bench/in-process-server.ts` is the server answering on its
   * event loop, the reference the worker pool is compared with. @default "server/main.ts"
   */
  readonly script?: string;
}

/** A running server child process. */
export interface ServerProcess {
  /** e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  readonly pid: number;
  /** Temporary folder holding the index; removed by `stop`. */
  readonly tmp: string;
  /** Reads the server's memory; `gc` asks the preloaded probe to collect first (slower, steadier). */
  memory(options?: { gc?: boolean }): Promise<ServerMemory | null>;
  /** Everything the server wrote to stdout and stderr (probe lines excluded). */
  output(): { stdout: string; stderr: string };
  /** SIGTERM, wait for the exit (SIGKILL after 10 s), remove the index. Resolves with the exit code. */
  stop(): Promise<number | null>;
}

/**
 * `VmRSS` and `VmHWM` (bytes) and CPU time (ms, assuming the usual 100 clock ticks per second) of a
 * process from /proc (Linux); null elsewhere or when it has gone.
 */
export async function readProcMemory(pid: number): Promise<{ rss: number; peakRss: number; cpuMs: number | null } | null> {
  let status: string;
  let stat = '';
  try {
    status = await fs.readFile(`/proc/${pid}/status`, 'utf8');
    stat = await fs.readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  } catch {
    return null;
  }
  const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
  const rss = kb('VmRSS');
  // Fields after the command name, which sits in parentheses and may itself contain spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return Number.isFinite(rss) ? { rss, peakRss: kb('VmHWM'), cpuMs: Number.isFinite(ticks) ? ticks * 10 : null } : null;
}

/**
 * Reads a server's memory by pid, for a server the tool did not start (`--server-pid`): /proc only,
 * no collection first.
 */
export async function memoryOfPid(pid: number): Promise<ServerMemory | null> {
  const proc = await readProcMemory(pid);
  return proc && { rss: proc.rss, heapUsed: null, external: null, afterGc: false, peakRss: Number.isFinite(proc.peakRss) ? proc.peakRss : null, cpuMs: proc.cpuMs, loopDelayMs: null };
}

/**
 * Ingests the corpus into a fresh temporary index (lexical mode) and starts `server/main.ts` on
 * 127.0.0.1 with an ephemeral port, with the memory probe preloaded and `--expose-gc`.
 * @throws Error with the server's output when it exits or does not print its URL in time.
 */
export async function startServerProcess(options: ServerProcessOptions = {}): Promise<ServerProcess> {
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'verbatim-load-'));
  const corpusDir = options.corpusDir ?? path.join(ROOT, 'seeds');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    LOG_LEVEL: 'warn',
    RATE_LIMIT_PER_MINUTE: String(options.rateLimitPerMinute ?? 1_000_000),
    ...options.env,
  };
  delete env.PORT;
  delete env.HOST;
  const child: ChildProcess = spawn(
    process.execPath,
    ['--expose-gc', ...(options.execArgv ?? []), ...scriptWithProbe(options.script ?? 'server/main.ts', PROBE), '--host', '127.0.0.1', '--port', '0', '--corpus', corpusDir, '--index', path.join(tmp, 'index'), '--no-embeddings'],
    { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  let stderrLine = '';
  const probeWaiters: ((sample: ServerMemory) => void)[] = [];
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => {
    const lines = (stderrLine + d.toString()).split('\n');
    stderrLine = lines.pop() ?? '';
    for (const line of lines) {
      if (!line.startsWith(MEMORY_PROBE_MARKER)) {
        stderr += `${line}\n`;
        continue;
      }
      const m = JSON.parse(line.slice(MEMORY_PROBE_MARKER.length)) as Omit<ServerMemory, 'afterGc' | 'peakRss'> & { gc: boolean };
      const sample: ServerMemory = { rss: m.rss, heapUsed: m.heapUsed, external: m.external, afterGc: m.gc, peakRss: null, cpuMs: m.cpuMs, loopDelayMs: m.loopDelayMs };
      probeWaiters.shift()?.(sample);
    }
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : null))));
  const cleanup = () => fs.rm(tmp, { recursive: true, force: true });

  const deadline = Date.now() + (options.startTimeoutMs ?? 120_000);
  let url: string | undefined;
  while (!url) {
    url = /Verbatim is serving the chat page at (http:\/\/127\.0\.0\.1:\d+)\//.exec(stdout)?.[1];
    if (url) break;
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      await cleanup();
      throw new Error(`the server did not start (exit ${child.exitCode ?? 'none, timed out'}):\n${stdout}\n${stderr}${stderrLine}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const pid = child.pid!;

  // One probe request at a time: answers arrive in order, so a queue of waiters pairs them up.
  let probeChain: Promise<unknown> = Promise.resolve();
  const probe = (): Promise<ServerMemory | null> => {
    const next = probeChain.then(
      () =>
        new Promise<ServerMemory | null>((resolve) => {
          if (child.exitCode !== null) return resolve(null);
          const timer = setTimeout(() => {
            probeWaiters.splice(probeWaiters.indexOf(done), 1);
            resolve(null);
          }, 5000);
          const done = (sample: ServerMemory) => {
            clearTimeout(timer);
            resolve(sample);
          };
          probeWaiters.push(done);
          child.kill('SIGUSR2');
        }),
    );
    probeChain = next;
    return next;
  };

  return {
    url,
    pid,
    tmp,
    async memory({ gc = true } = {}) {
      const sample = gc ? await probe() : null;
      const proc = await readProcMemory(pid);
      const peakRss = proc && Number.isFinite(proc.peakRss) ? proc.peakRss : null;
      if (sample) return { ...sample, peakRss };
      return proc && { rss: proc.rss, heapUsed: null, external: null, afterGc: false, peakRss, cpuMs: proc.cpuMs, loopDelayMs: null };
    },
    output: () => ({ stdout, stderr: stderr + stderrLine }),
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        const force = setTimeout(() => child.kill('SIGKILL'), 10_000);
        const code = await exited;
        clearTimeout(force);
        await cleanup();
        return code;
      }
      await cleanup();
      return child.exitCode;
    },
  };
}
