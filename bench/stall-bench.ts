/**
 * The stall section of `npm run bench` (issue 10): each hostile input the outside probe found, and generated ones
 * of the same families at the documented limits, is asked of a real server process (`server/main.ts`, answers in
 * worker threads) while `/api/health` is polled. Target: every ask answers or fails with a clear error within the
 * ask deadline, and health p99 stays under 100 ms meanwhile.
 */
import http from 'node:http';
import { httpRequest } from './load.js';
import { startServerProcess } from './load-server-process.js';
import { ms, summarize } from './stats.js';
import type { Table } from './table.js';

/** Health p99 while a hostile ask runs must stay under this. */
export const HEALTH_P99_TARGET_MS = 100;

/** One hostile ask. */
export interface StallInput {
  readonly name: string;
  readonly question: string;
  readonly history?: readonly { role: 'user' | 'assistant'; content: string }[];
}

const spaces = (n: number) => ' '.repeat(n);
const capitalised = (n: number, suffix: string) => Array.from({ length: n }, (_, i) => `W${i.toString(36)}${suffix}`).join(' ');

/** The probe's inputs and generated ones at the documented limits (question ≤ 2000 characters, turns ≤ 20,000, ≤ 50 turns). */
export function stallInputs(): StallInput[] {
  const turn = (content: string) => [{ role: 'user' as const, content }];
  return [
    { name: '"and x" + 1990 spaces + "y"', question: `and x${spaces(1990)}y` },
    { name: '"what about x" + 1980 spaces + "y"', question: `what about x${spaces(1980)}y` },
    { name: '"in x" + 1990 spaces + "y"', question: `in x${spaces(1990)}y` },
    { name: 'history turn "and x" + 19,990 spaces + "y"', question: 'Where did she study?', history: turn(`and x${spaces(19_990)}y`) },
    { name: 'history turn "what about x" + 19,980 spaces', question: 'And by 2025?', history: turn(`what about x${spaces(19_980)}y`) },
    // Three full turns fill the 64 KiB body limit.
    { name: '3 turns × 20,000 chars of capitalised words, same suffix', question: 'What about them?', history: Array.from({ length: 3 }, (_, i) => ({ role: i % 2 ? ('assistant' as const) : ('user' as const), content: capitalised(2500, 'ese').slice(0, 20_000) })) },
    { name: '2000 quotes then x', question: `${'"'.repeat(1999)}x` },
    { name: '2000 chars of digits with separators', question: Array.from({ length: 400 }, (_, i) => `${i},${i}.`).join('').slice(0, 2000) },
    { name: '2000 chars of ".!?" runs', question: `x${'.!?'.repeat(666)}y` },
    { name: 'lone surrogates and mixed scripts', question: `${'\ud800a \udc00Ж 字 '.repeat(200)}?`.slice(0, 2000) },
    { name: 'one 2000-character token', question: 'x'.repeat(2000) },
  ];
}

/** What one hostile ask did. */
export interface StallResult {
  readonly input: string;
  /** HTTP status and error code, e.g. `200` or `503 ANSWER_TIMEOUT`. */
  readonly outcome: string;
  readonly askMs: number;
  readonly health: { readonly n: number; readonly p50: number; readonly p99: number; readonly max: number };
  readonly pass: boolean;
}

/** Asks every input of a fresh server, one at a time, polling health every 10 ms while each runs. */
export async function benchStall(options: { readonly deadlineMs?: number; readonly log?: (line: string) => void } = {}): Promise<{ results: StallResult[]; deadlineMs: number }> {
  const deadlineMs = options.deadlineMs ?? 5000;
  const server = await startServerProcess({ env: { ASK_DEADLINE_MS: String(deadlineMs) } });
  const agent = new http.Agent({ keepAlive: true });
  const request = (url: string, body?: string) =>
    httpRequest(agent, url, body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body }, AbortSignal.timeout(deadlineMs * 4));
  const results: StallResult[] = [];
  try {
    for (const input of stallInputs()) {
      const started = performance.now();
      let askMs = Number.NaN;
      const asked = request(`${server.url}/api/ask`, JSON.stringify({ question: input.question, history: input.history })).finally(() => (askMs = performance.now() - started));
      const health: number[] = [];
      let settled = false;
      void asked.finally(() => (settled = true)).catch(() => undefined);
      while (!settled) {
        const t = performance.now();
        await request(`${server.url}/api/health`);
        health.push(performance.now() - t);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      const { status, text } = await asked;
      const code = status === 200 ? '' : ` ${(JSON.parse(text) as { error?: { code?: string } }).error?.code ?? '?'}`;
      const h = summarize(health);
      const pass = askMs <= deadlineMs + 500 && (status === 200 || code === ' ANSWER_TIMEOUT' || status === 400) && (health.length === 0 || h.p99 < HEALTH_P99_TARGET_MS);
      results.push({ input: input.name, outcome: `${status}${code}`, askMs, health: { n: health.length, p50: h.p50, p99: h.p99, max: h.max }, pass });
      options.log?.(`stall: ${input.name}: ${status}${code} in ${ms(askMs)} ms; health p99 ${ms(h.p99)} ms over ${health.length}`);
    }
  } finally {
    agent.destroy();
    await server.stop();
  }
  return { results, deadlineMs };
}

/** The results as a bench table. */
export function stallTable(run: { results: readonly StallResult[]; deadlineMs: number }): Table {
  return {
    title: `Hostile asks against the server (answers in worker threads, deadline ${run.deadlineMs} ms)`,
    headers: ['input', 'outcome', 'ask (ms)', 'health polls', 'health p50 (ms)', 'health p99 (ms)', 'health max (ms)', `≤ deadline, p99 < ${HEALTH_P99_TARGET_MS} ms`],
    rows: run.results.map((r) => [r.input, r.outcome, ms(r.askMs), String(r.health.n), ms(r.health.p50), ms(r.health.p99), ms(r.health.max), r.pass ? 'met' : 'NOT met']),
    notes: [
      'The asks are sent one at a time to one `server/main.ts` process (lexical index of seeds/); `/api/health` is requested every 10 ms until the ask returns.',
      'Outcome 200 = answered; 503 ANSWER_TIMEOUT = stopped at the deadline (its worker replaced); 400 = refused as invalid input.',
    ],
  };
}
