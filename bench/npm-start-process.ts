/**
 * `npm start` as a user runs it: npm, the `node cli/launch.mjs server/main.ts` it starts and the server process under it, timed from
 * spawn until `GET /api/health` first answers 200, with the memory of the process tree once it is ready. Loopback,
 * an ephemeral port, the configuration's defaults but for the flags given.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import { ENV_NAMES } from '../retrieval/config.js';
import { ROOT } from './corpora.js';
import { readProcMemory } from './load-server-process.js';
import { stopwatch } from './stats.js';

/** Options of {@link startWithNpm}. */
export interface NpmStartOptions {
  readonly corpusDir: string;
  readonly indexDir: string;
  /** Extra flags after `npm start --`, e.g. `['--no-embeddings']`. */
  readonly flags?: readonly string[];
  /** Extra environment (Verbatim's own variables are not passed on otherwise). */
  readonly env?: Readonly<Record<string, string>>;
  /** @default 300000 */
  readonly timeoutMs?: number;
}

/** A server started by `npm start`, ready. */
export interface NpmStarted {
  readonly url: string;
  /** Spawn of `npm start` to the first 200 from `/api/health`. */
  readonly readyMs: number;
  /** Resident memory of the largest process in the tree (the server), bytes, when ready. */
  readonly serverRss: number;
  /** Resident memory of every process `npm start` runs (npm and the server), bytes, when ready. */
  readonly treeRss: number;
  /** SIGTERM to the whole process group; resolves when npm has exited (SIGKILL after 10 s). */
  stop(): Promise<void>;
}

/** Every process under `pid`, from /proc (Linux). */
async function descendants(pid: number): Promise<number[]> {
  const found: number[] = [];
  const stack = [pid];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    const tasks = await fs.readdir(`/proc/${next}/task`).catch(() => [] as string[]);
    for (const task of tasks) {
      const children = await fs.readFile(`/proc/${next}/task/${task}/children`, 'utf8').catch(() => '');
      for (const child of children.split(' ').filter(Boolean).map(Number)) {
        found.push(child);
        stack.push(child);
      }
    }
  }
  return found;
}

/**
 * Runs `npm start -- --host 127.0.0.1 --port 0 --corpus … --index … …flags` in its own process group and waits for
 * the served URL and a 200 from `/api/health`.
 * @throws Error with the output when npm exits or the timeout passes first.
 */
export async function startWithNpm(options: NpmStartOptions): Promise<NpmStarted> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of Object.values(ENV_NAMES)) delete env[name];
  Object.assign(env, { LOG_LEVEL: 'warn', RATE_LIMIT_PER_MINUTE: '1000000', ...options.env });
  const elapsed = stopwatch();
  const child = spawn('npm', ['start', '--silent', '--', '--host', '127.0.0.1', '--port', '0', '--corpus', options.corpusDir, '--index', options.indexDir, ...(options.flags ?? [])], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    try {
      process.kill(-child.pid!, 'SIGTERM');
    } catch {
      return;
    }
    const force = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    }, 10_000);
    await exited;
    clearTimeout(force);
  };

  const deadline = Date.now() + (options.timeoutMs ?? 300_000);
  try {
    let url: string | undefined;
    for (;;) {
      url ??= /serving the chat page at (http:\/\/127\.0\.0\.1:\d+)\//.exec(output)?.[1];
      if (url) {
        const status = await fetch(`${url}/api/health`).then(
          (res) => res.status,
          () => 0,
        );
        if (status === 200) break;
      }
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`npm start did not become ready (exit ${child.exitCode ?? 'none, timed out'}):\n${output.slice(-3000)}`);
      await new Promise((resolve) => setTimeout(resolve, url ? 5 : 20));
    }
    const readyMs = elapsed();
    const memories = await Promise.all([child.pid!, ...(await descendants(child.pid!))].map((pid) => readProcMemory(pid)));
    const rss = memories.map((m) => m?.rss ?? 0);
    return { url, readyMs, serverRss: Math.max(...rss), treeRss: rss.reduce((a, b) => a + b, 0), stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
