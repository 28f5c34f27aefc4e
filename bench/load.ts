/**
 * `npm run load`: drives the real server with concurrent WebSocket and HTTP clients asking the seed
 * evaluation questions, checks every answer's citations against the document text, and reports
 * throughput, latency percentiles, errors by kind and the server's memory. `--duration S` turns it into
 * a soak: moderate load for S seconds while the server's memory is sampled.
 *
 * Loopback only, bounded in count and time: it starts its own server (a child process on 127.0.0.1,
 * ephemeral port, temporary lexical index of `seeds/`) or targets `--url` on this machine, and a hard
 * timeout stops everything.
 */
import { setMaxListeners } from 'node:events';
import fs from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { WebSocket } from 'ws';
import { readEvalItems } from '../eval/dataset.js';
import { percentile } from '../eval/metrics/latency.js';
import type { AskResult, ChatTurn } from '../retrieval/types.js';
import { isLoopbackHost } from '../server/access-guards.js';
import { WS_PATH, WS_PROTOCOL, WS_TOKEN_PROTOCOL_PREFIX, type DocumentResponse, type ServerFrame } from '../server/protocol.js';
import { memoryOfPid, startServerProcess, type ServerMemory, type ServerProcess } from './load-server-process.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** The questions asked by default. */
export const SEED_QUESTIONS_FILE = path.join(ROOT, 'eval/datasets/seed-qa.jsonl');

/** One question to ask, with the conversation before it for follow-ups. */
export interface LoadQuestion {
  readonly question: string;
  readonly history?: readonly ChatTurn[];
}

/** Options of `runLoad`; every count and time is bounded. */
export interface LoadOptions {
  /** Server to load, on this machine only; without it a server child process is started and stopped. */
  readonly url?: string;
  /** Pid of the `url` server, to read its RSS from /proc. */
  readonly serverPid?: number;
  /** Concurrent WebSocket clients. @default 50 (10 in soak mode) */
  readonly wsClients?: number;
  /** Questions each WebSocket client asks, one after another (ignored in soak mode). @default 10 */
  readonly asksPerClient?: number;
  /** Concurrent HTTP clients, each doing `POST /api/ask` then `GET /api/search` per round. @default 5 (2 in soak mode) */
  readonly httpClients?: number;
  /** Rounds per HTTP client (ignored in soak mode). @default asksPerClient */
  readonly httpRounds?: number;
  /** Soak mode: keep every client asking for this many seconds, sampling server memory. */
  readonly durationS?: number;
  /** Soak: seconds of load before the baseline memory sample. @default min(60, 10% of durationS) */
  readonly warmupS?: number;
  /** Soak: seconds between memory samples. @default 5 */
  readonly sampleEveryS?: number;
  /** Hard limit on the whole run: everything still open is cut off and counted as `timeout`. @default 120 (durationS + 120 in soak mode) */
  readonly timeoutS?: number;
  /** One ask or HTTP request that takes longer is an error of kind `*-timeout`. @default 30000 */
  readonly askTimeoutMs?: number;
  /**
   * Asks (over one WebSocket, and over HTTP when there are HTTP clients) sent before anything is
   * measured, so a cold JIT does not land in the percentiles; the "before" memory reading follows
   * them. Their errors still count, as `warmup:<kind>`. @default 20
   */
  readonly warmupAsks?: number;
  /** Pause of each client between two asks. @default 0 */
  readonly thinkMs?: number;
  /**
   * Cap on HTTP requests per minute over all HTTP clients, to stay under the server's rate limit; 0
   * turns pacing off. @default none when the tool starts the server (it raises the limit), 240 with `url`
   * (the server's default limit is 300; a server started with `RATE_LIMIT_PER_MINUTE` can take more)
   */
  readonly httpRequestsPerMinute?: number;
  /** Questions to ask, cycled through. @default the questions (and histories) of `eval/datasets/seed-qa.jsonl` */
  readonly questions?: readonly LoadQuestion[];
  /** Called with every completed answer, e.g. for a test to check it independently. */
  readonly onAnswer?: (answer: { readonly via: 'ws' | 'http'; readonly result: AskResult }) => void;
  /** The server entry the tool starts when there is no `url` (see `ServerProcessOptions.script`). @default "server/main.ts" */
  readonly serverScript?: string;
  /** Progress lines (soak samples); silent when absent. */
  readonly log?: (line: string) => void;
  /** Sent as `Authorization: Bearer` and as the WebSocket token subprotocol. @default process.env.API_TOKEN */
  readonly apiToken?: string;
}

/** Latency percentiles of one kind of request, in milliseconds. */
export interface LatencySummary {
  readonly n: number;
  readonly p50: number | null;
  readonly p95: number | null;
  readonly p99: number | null;
  readonly max: number | null;
  readonly mean: number | null;
}

/** One server memory reading taken during a soak. */
export interface MemorySample extends ServerMemory {
  /** Seconds since the load started. */
  readonly atS: number;
}

/** What a load or soak run measured. */
export interface LoadReport {
  readonly machine: {
    readonly cpus: number;
    readonly cpuModel: string;
    readonly memoryGiB: number;
    readonly node: string;
    readonly platform: string;
    /** 1-minute load average when the run started: other work on the machine skews every figure. */
    readonly loadAverageAtStart: number;
    /** `some avg60` of /proc/pressure/cpu at the end (Linux): % of time something waited for a CPU. */
    readonly cpuPressureAtEnd: number | null;
  };
  readonly setup: {
    readonly url: string;
    readonly serverStartedByTool: boolean;
    readonly mode: string | null;
    readonly chunks: number | null;
    readonly wsClients: number;
    readonly asksPerClient: number | null;
    readonly httpClients: number;
    readonly httpRounds: number | null;
    readonly durationS: number | null;
    readonly thinkMs: number;
    readonly warmupAsks: number;
    readonly httpRequestsPerMinute: number | null;
    readonly questions: number;
  };
  /** Wall time of the load phase. */
  readonly elapsedS: number;
  readonly asks: { readonly completed: number; readonly perSecond: number; readonly ws: number; readonly http: number; readonly searches: number };
  readonly latencyMs: {
    /** `new WebSocket` → open: includes waiting for the busy server to accept the connection. */
    readonly wsConnect: LatencySummary;
    /** Ask frame sent → first frame about it (`passages`). */
    readonly wsFirstFrame: LatencySummary;
    /** Ask frame sent → `done` frame received: the WebSocket end-to-end figure. */
    readonly wsDone: LatencySummary;
    readonly httpAsk: LatencySummary;
    readonly httpSearch: LatencySummary;
    /** The server's own `timingsMs.total` of each answer: the reference end-to-end figures are compared with. */
    readonly serverAsk: LatencySummary;
  };
  /** End-to-end p50 over the server's own p50: queueing, framing and transport overhead. */
  readonly overheadRatio: { readonly wsDoneP50: number | null; readonly httpAskP50: number | null };
  readonly answers: { readonly total: number; readonly abstained: number; readonly uncited: number; readonly citationsChecked: number; readonly citationsInvalid: number };
  readonly errors: { readonly total: number; readonly byKind: Readonly<Record<string, number>>; readonly samples: readonly string[] };
  readonly server: {
    readonly pid: number | null;
    readonly before: ServerMemory | null;
    readonly after: ServerMemory | null;
    readonly note: string | null;
  };
  /**
   * CPU seconds used during the load phase by the server and by this tool. Both share the machine, so
   * on few cores the tool's own share caps the server's throughput: read latencies with this in mind.
   */
  readonly cpu: { readonly serverS: number | null; readonly loadToolS: number; readonly cores: number };
  /**
   * The server's event-loop delay during the load phase (ms, 10 ms resolution): how long ready sockets
   * and new connections waited while the loop ran other clients' work. In a soak: the median of the
   * samples' p50, the highest p99 and max. Null when the tool did not start the server.
   */
  readonly serverLoopDelayMs: { readonly p50: number; readonly p99: number; readonly max: number } | null;
  readonly soak: {
    readonly warmupS: number;
    readonly samples: readonly MemorySample[];
    /** Median RSS of the first fifth of the samples after warm-up, and of the last fifth (see `summarizeSoak`). */
    readonly rssAfterWarmup: number | null;
    readonly rssEnd: number | null;
    readonly rssGrowthPct: number | null;
    readonly heapAfterWarmup: number | null;
    readonly heapEnd: number | null;
    readonly heapGrowthPct: number | null;
    /** Growth under 10 % and no errors. */
    readonly pass: boolean;
  } | null;
  /** True when the hard timeout cut the run short. */
  readonly timedOut: boolean;
}

/**
 * Parses `url` and refuses anything but loopback, so the tool cannot be pointed at someone else's
 * server. Accepts http(s) and ws(s) URLs; returns the http(s) base URL without a trailing slash.
 * @throws Error naming the host.
 */
export function loopbackBaseUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`--url ${JSON.stringify(url)} is not a URL: pass e.g. http://127.0.0.1:3000`);
  }
  if (!['http:', 'https:', 'ws:', 'wss:'].includes(parsed.protocol)) throw new Error(`--url ${url}: use http://127.0.0.1:PORT`);
  if (!isLoopbackHost(parsed.hostname)) throw new Error(`--url ${url}: the load tool only targets this machine (127.0.0.1, localhost, ::1), not ${parsed.hostname}`);
  const protocol = parsed.protocol === 'wss:' ? 'https:' : parsed.protocol === 'ws:' ? 'http:' : parsed.protocol;
  return `${protocol}//${parsed.host}`;
}

/** Nearest-rank percentiles; nulls when there are no values. */
export function summarize(values: readonly number[]): LatencySummary {
  if (values.length === 0) return { n: 0, p50: null, p95: null, p99: null, max: null, mean: null };
  const at = (p: number) => round(percentile(values, p)!);
  return { n: values.length, p50: at(50), p95: at(95), p99: at(99), max: at(100), mean: round(values.reduce((a, b) => a + b, 0) / values.length) };
}

function round(x: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** The lower median (nearest-rank p50); null for no values. */
const median = (values: readonly number[]): number | null => percentile(values, 50);

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (ms <= 0 || signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });

/** Counts, latencies and errors shared by every client of one run. */
class Recorder {
  readonly wsConnect: number[] = [];
  readonly wsFirstFrame: number[] = [];
  readonly wsDone: number[] = [];
  readonly httpAsk: number[] = [];
  readonly httpSearch: number[] = [];
  readonly serverAsk: number[] = [];
  readonly byKind = new Map<string, number>();
  readonly samples: string[] = [];
  wsAnswers = 0;
  httpAnswers = 0;
  searches = 0;
  abstained = 0;
  uncited = 0;
  citationsChecked = 0;
  citationsInvalid = 0;

  error(kind: string, detail: string): void {
    this.byKind.set(kind, (this.byKind.get(kind) ?? 0) + 1);
    if (this.samples.length < 10) this.samples.push(`${kind}: ${detail}`.slice(0, 300));
  }

  get errorTotal(): number {
    let n = 0;
    for (const v of this.byKind.values()) n += v;
    return n;
  }
}

/** A finished HTTP exchange. */
export interface HttpResponse {
  readonly status: number;
  readonly text: string;
}

/**
 * One HTTP request over a keep-alive agent. node:http rather than fetch: it sends a small body in the
 * same write as the headers, as browsers and curl do, whereas undici's separate writes showed up as
 * multi-second tails that belonged to the client, not the server.
 */
export function httpRequest(agent: http.Agent, url: string, init: { method?: string; headers?: Readonly<Record<string, string>>; body?: string }, signal: AbortSignal): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    const body = init.body === undefined ? undefined : Buffer.from(init.body);
    const request = (url.startsWith('https:') ? https.request : http.request)(
      url,
      { method: init.method ?? 'GET', agent, signal, headers: { ...init.headers, ...(body ? { 'Content-Length': String(body.length) } : {}) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

/** Everything a client needs to reach the server and check answers. */
interface Target {
  readonly base: string;
  /** Keep-alive connections shared by the HTTP clients. */
  readonly agent: http.Agent;
  readonly wsUrl: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly protocols: readonly string[];
  readonly recorder: Recorder;
  readonly questions: readonly LoadQuestion[];
  readonly askTimeoutMs: number;
  readonly thinkMs: number;
  /** Aborts everything at once (hard timeout). */
  readonly hardStop: AbortSignal;
  /** Soak: no new asks once this fires. */
  readonly softStop: AbortSignal | null;
  readonly pace: () => Promise<void>;
  readonly documentText: (docId: string) => Promise<string | null>;
  readonly onAnswer?: LoadOptions['onAnswer'];
}

/** Checks an answer's citations against the documents: each quote must be the exact slice it names. */
async function checkAnswer(target: Target, via: 'ws' | 'http', result: AskResult): Promise<void> {
  const r = target.recorder;
  if (result.abstained) r.abstained++;
  else if (result.citations.length === 0) r.uncited++;
  for (const c of result.citations) {
    r.citationsChecked++;
    const text = await target.documentText(c.docId);
    if (text === null) {
      r.citationsInvalid++;
      r.error('citation-unknown-document', `[${c.n}] cites ${c.docId}, which GET /api/documents/:id does not know`);
    } else if (text.slice(c.start, c.end) !== c.quote) {
      r.citationsInvalid++;
      r.error('citation-mismatch', `[${c.n}] ${c.docId} ${c.start}-${c.end}: quote differs from the document text`);
    }
  }
  target.onAnswer?.({ via, result });
}

function shouldContinue(target: Target, i: number, count: number | null): boolean {
  if (target.hardStop.aborted) return false;
  if (count !== null) return i < count;
  return !target.softStop?.aborted;
}

/** One WebSocket client: connects, asks its questions one after another, checks each answer. */
async function runWsClient(target: Target, clientIndex: number, count: number | null): Promise<void> {
  const r = target.recorder;
  const connectStart = performance.now();
  const ws = new WebSocket(target.wsUrl, [...target.protocols], { perMessageDeflate: false, headers: target.headers });
  type Pending = { id: string; t0: number; first: number | null; tokens: string[]; finish: (outcome: { frame?: ServerFrame; closed?: string }) => void };
  let pending: Pending | null = null;
  let closedReason: string | null = null;
  ws.on('message', (data) => {
    let frame: ServerFrame;
    try {
      frame = JSON.parse(String(data)) as ServerFrame;
    } catch {
      r.error('ws-bad-frame', 'the server sent a frame that is not JSON');
      return;
    }
    const p = pending;
    if (!p || frame.id !== p.id) {
      // Frames of an ask given up on (timed out, then cancelled) are not news; socket-level errors are.
      if (frame.type === 'error' && frame.id === null) r.error(`ws-error-frame:${frame.code}`, frame.message);
      return;
    }
    if (p.first === null) p.first = performance.now();
    if (frame.type === 'token') p.tokens.push(frame.text);
    if (frame.type === 'done' || frame.type === 'error') p.finish({ frame });
  });
  ws.on('error', () => {}); // the close that follows is what counts
  ws.on('close', (code) => {
    closedReason = `socket closed (${code})`;
    pending?.finish({ closed: closedReason });
  });
  const stopOnHardStop = () => ws.terminate();
  target.hardStop.addEventListener('abort', stopOnHardStop, { once: true });
  try {
    const opened = await new Promise<'open' | 'refused' | 'failed'>((resolve) => {
      ws.once('open', () => resolve('open'));
      ws.once('close', () => resolve('failed'));
      ws.once('unexpected-response', (_req, res) => {
        r.error(`ws-upgrade-${res.statusCode}`, `upgrade refused with ${res.statusCode}`);
        res.resume();
        ws.terminate();
        resolve('refused');
      });
    });
    if (opened !== 'open') {
      if (opened === 'failed') r.error(target.hardStop.aborted ? 'timeout' : 'ws-connect', closedReason ?? 'could not connect');
      return;
    }
    r.wsConnect.push(performance.now() - connectStart);
    for (let i = 0; shouldContinue(target, i, count); i++) {
      if (i > 0) await sleep(target.thinkMs, target.hardStop);
      const { question, history } = target.questions[(clientIndex * 7 + i) % target.questions.length]!;
      const id = `c${clientIndex}-q${i}`;
      const outcome = await new Promise<{ frame?: ServerFrame; closed?: string; timeout?: boolean }>((resolve) => {
        const timer = setTimeout(() => resolve({ timeout: true }), target.askTimeoutMs);
        pending = {
          id,
          t0: performance.now(),
          first: null,
          tokens: [],
          finish: (o) => {
            clearTimeout(timer);
            resolve(o);
          },
        };
        if (closedReason) return pending.finish({ closed: closedReason });
        ws.send(JSON.stringify({ type: 'ask', id, question, ...(history ? { history } : {}) }));
      });
      const p = pending!;
      pending = null;
      const t1 = performance.now();
      if (outcome.timeout) {
        r.error('ws-ask-timeout', `${id} took over ${target.askTimeoutMs} ms`);
        if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ type: 'cancel', id }));
        continue;
      }
      if (outcome.closed) {
        r.error(target.hardStop.aborted ? 'timeout' : 'ws-closed', `${id}: ${outcome.closed} before the answer finished`);
        return;
      }
      const frame = outcome.frame!;
      if (frame.type === 'error') {
        r.error(`ws-error-frame:${frame.code}`, `${id}: ${frame.message}`);
        continue;
      }
      if (frame.type !== 'done') continue;
      r.wsDone.push(t1 - p.t0);
      if (p.first !== null) r.wsFirstFrame.push(p.first - p.t0);
      r.serverAsk.push(frame.result.timingsMs.total);
      r.wsAnswers++;
      if (p.tokens.join('') !== frame.result.answer) r.error('ws-stream-mismatch', `${id}: the token frames do not add up to the answer`);
      await checkAnswer(target, 'ws', frame.result);
    }
  } finally {
    target.hardStop.removeEventListener('abort', stopOnHardStop);
    if (ws.readyState === WebSocket.OPEN || ws.readyState === WebSocket.CONNECTING) {
      const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
      ws.close(1000, 'done');
      const force = setTimeout(() => ws.terminate(), 2000);
      await closed;
      clearTimeout(force);
    }
  }
}

/** One HTTP request with a per-request timeout; returns the parsed JSON body or records an error. */
async function httpJson<T>(target: Target, kind: 'ask' | 'search', url: string, init: { method?: string; headers?: Record<string, string>; body?: string }, latencies: number[]): Promise<T | null> {
  const r = target.recorder;
  await target.pace();
  if (target.hardStop.aborted) return null;
  const timeout = AbortSignal.timeout(target.askTimeoutMs);
  const signal = AbortSignal.any([target.hardStop, timeout]);
  const t0 = performance.now();
  try {
    const res = await httpRequest(target.agent, url, { ...init, headers: { ...target.headers, ...init.headers } }, signal);
    const text = res.text;
    const t1 = performance.now();
    if (res.status !== 200) {
      let code = 'UNKNOWN';
      try {
        code = (JSON.parse(text) as { error?: { code?: string } }).error?.code ?? code;
      } catch {
        /* not JSON: keep UNKNOWN */
      }
      r.error(`http-${kind}-${res.status}:${code}`, text.slice(0, 200));
      return null;
    }
    latencies.push(t1 - t0);
    return JSON.parse(text) as T;
  } catch (error) {
    if (target.hardStop.aborted) r.error('timeout', `${kind} cut off by the hard timeout`);
    else if (timeout.aborted) r.error(`http-${kind}-timeout`, `took over ${target.askTimeoutMs} ms`);
    else r.error(`http-${kind}-network`, (error as Error).message);
    return null;
  }
}

/** One HTTP client: per round, asks a question with `POST /api/ask` and searches it with `GET /api/search`. */
async function runHttpClient(target: Target, clientIndex: number, rounds: number | null): Promise<void> {
  const r = target.recorder;
  for (let i = 0; shouldContinue(target, i, rounds); i++) {
    if (i > 0) await sleep(target.thinkMs, target.hardStop);
    const { question, history } = target.questions[(clientIndex * 11 + i * 3 + 5) % target.questions.length]!;
    const result = await httpJson<AskResult>(
      target,
      'ask',
      `${target.base}/api/ask`,
      { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ question, ...(history ? { history } : {}) }) },
      r.httpAsk,
    );
    if (result) {
      r.httpAnswers++;
      r.serverAsk.push(result.timingsMs.total);
      await checkAnswer(target, 'http', result);
    }
    if (!shouldContinue(target, i, rounds)) break;
    // A follow-up alone ("Why did it do that?") may legitimately find nothing: only the shape is checked.
    const search = await httpJson<{ passages: unknown }>(target, 'search', `${target.base}/api/search?q=${encodeURIComponent(question)}&k=8`, {}, r.httpSearch);
    if (search) {
      r.searches++;
      if (!Array.isArray(search.passages)) r.error('http-search-shape', `no passages array for ${JSON.stringify(question)}`);
    }
  }
}

/** A shared pacer: requests are spread evenly so that all clients together stay under `perMinute`. */
function createPacer(perMinute: number | undefined, signal: AbortSignal): () => Promise<void> {
  if (!perMinute) return async () => {};
  const interval = 60_000 / perMinute;
  let next = 0;
  return async () => {
    const now = performance.now();
    const at = Math.max(now, next);
    next = at + interval;
    await sleep(at - now, signal);
  };
}

async function cpuPressure(): Promise<number | null> {
  try {
    const text = await fs.readFile('/proc/pressure/cpu', 'utf8');
    const value = /^some .*avg60=([\d.]+)/m.exec(text)?.[1];
    return value === undefined ? null : Number(value);
  } catch {
    return null;
  }
}

function machine(loadAverageAtStart: number, cpuPressureAtEnd: number | null): LoadReport['machine'] {
  const cpus = os.cpus();
  return {
    cpus: os.availableParallelism(),
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    memoryGiB: round(os.totalmem() / 1024 ** 3),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    loadAverageAtStart: round(loadAverageAtStart, 2),
    cpuPressureAtEnd,
  };
}

/**
 * Runs one load (or, with `durationS`, soak) against the server and reports what it measured. Never
 * throws for what the server does (that is counted under `errors`); throws for a non-loopback `url`
 * or a server that will not start.
 */
export async function runLoad(options: LoadOptions = {}): Promise<LoadReport> {
  const soak = options.durationS !== undefined;
  const wsClients = options.wsClients ?? (soak ? 10 : 50);
  const httpClients = options.httpClients ?? (soak ? 2 : 5);
  const asksPerClient = soak ? null : (options.asksPerClient ?? 10);
  const httpRounds = soak ? null : (options.httpRounds ?? options.asksPerClient ?? 10);
  const durationS = options.durationS ?? null;
  const timeoutS = options.timeoutS ?? (soak ? durationS! + 120 : 120);
  const thinkMs = options.thinkMs ?? 0;
  const apiToken = options.apiToken ?? process.env.API_TOKEN;
  for (const [name, value] of Object.entries({ wsClients, httpClients, asksPerClient: asksPerClient ?? 1, httpRounds: httpRounds ?? 1 })) {
    if (!Number.isInteger(value) || value < 0 || value > 10_000) throw new Error(`${name} must be a whole number from 0 to 10000, got ${value}`);
  }
  if (durationS !== null && !(durationS > 0 && durationS <= 24 * 3600)) throw new Error(`durationS must be between 0 and 86400 seconds, got ${durationS}`);
  if (!(timeoutS > 0)) throw new Error(`timeoutS must be positive, got ${timeoutS}`);

  const base = options.url !== undefined ? loopbackBaseUrl(options.url) : null;
  const questions = options.questions ?? (await readEvalItems(SEED_QUESTIONS_FILE)).map((item) => ({ question: item.question, history: item.history }));
  if (questions.length === 0) throw new Error('no questions to ask');

  const loadAverageAtStart = os.loadavg()[0]!;
  let child: ServerProcess | null = null;
  if (!base) child = await startServerProcess({ script: options.serverScript });
  try {
    const url = base ?? child!.url;
    const serverPid = child?.pid ?? options.serverPid ?? null;
    const memory = async (gc: boolean): Promise<ServerMemory | null> => (child ? child.memory({ gc }) : serverPid ? memoryOfPid(serverPid) : null);
    const headers: Record<string, string> = apiToken ? { Authorization: `Bearer ${apiToken}` } : {};
    const protocols = apiToken ? [WS_PROTOCOL, `${WS_TOKEN_PROTOCOL_PREFIX}${apiToken}`] : [WS_PROTOCOL];

    const agent = new http.Agent({ keepAlive: true });
    const getJson = <T>(path: string): Promise<T | null> =>
      httpRequest(agent, `${url}${path}`, { headers }, AbortSignal.timeout(10_000))
        .then((res) => (res.status === 200 ? (JSON.parse(res.text) as T) : null))
        .catch(() => null);
    const health = await getJson<{ mode?: string; chunks?: number }>('/api/health');
    const hard = new AbortController();
    // Every client and pause listens for the hard stop: that is by design, not a leak.
    setMaxListeners(0, hard.signal);
    const hardTimer = setTimeout(() => hard.abort(), timeoutS * 1000);
    const soft = soak ? new AbortController() : null;
    if (soft) setMaxListeners(0, soft.signal);
    const httpRequestsPerMinute = options.httpRequestsPerMinute ?? (base ? 240 : undefined);
    const recorder = new Recorder();
    const documents = new Map<string, Promise<string | null>>();
    const target: Target = {
      base: url,
      agent,
      wsUrl: `${url.replace(/^http/, 'ws')}${WS_PATH}`,
      headers,
      protocols,
      recorder,
      questions,
      askTimeoutMs: options.askTimeoutMs ?? 30_000,
      thinkMs,
      hardStop: hard.signal,
      softStop: soft?.signal ?? null,
      pace: createPacer(httpRequestsPerMinute, hard.signal),
      onAnswer: options.onAnswer,
      documentText: (docId) => {
        let text = documents.get(docId);
        if (!text) {
          text = getJson<DocumentResponse>(`/api/documents/${encodeURIComponent(docId)}`).then((d) => d?.text ?? null);
          documents.set(docId, text);
          // A failed fetch (e.g. a 429) is retried by the next citation rather than remembered.
          void text.then((t) => t === null && documents.delete(docId));
        }
        return text;
      },
    };

    const warmupAsks = options.warmupAsks ?? 20;
    if (warmupAsks > 0) {
      const warm: Target = { ...target, recorder: new Recorder(), onAnswer: undefined, pace: target.pace };
      await Promise.all([runWsClient(warm, 0, warmupAsks), httpClients > 0 ? runHttpClient(warm, 0, Math.ceil(warmupAsks / 4)) : undefined]);
      for (const [kind, n] of warm.recorder.byKind) for (let i = 0; i < n; i++) recorder.error(`warmup:${kind}`, warm.recorder.samples[0] ?? kind);
    }
    const before = await memory(true);

    const samples: MemorySample[] = [];
    const cpuBefore = process.cpuUsage();
    const serverCpuBefore = before?.cpuMs ?? null;
    const t0 = performance.now();
    const softTimer = soft ? setTimeout(() => soft.abort(), durationS! * 1000) : null;
    let sampler: Promise<void> = Promise.resolve();
    const warmupS = soak ? (options.warmupS ?? Math.min(60, durationS! * 0.1)) : 0;
    if (soak) {
      const every = (options.sampleEveryS ?? 5) * 1000;
      sampler = (async () => {
        while (!soft!.signal.aborted && !hard.signal.aborted) {
          await sleep(every, soft!.signal);
          if (soft!.signal.aborted) break;
          const m = await memory(true);
          const atS = round((performance.now() - t0) / 1000);
          if (m) samples.push({ ...m, atS });
          options.log?.(
            `${atS.toFixed(0).padStart(5)} s  rss ${m ? mb(m.rss) : '?'}  heap ${m?.heapUsed != null ? mb(m.heapUsed) : '?'}  asks ${recorder.wsAnswers + recorder.httpAnswers}  errors ${recorder.errorTotal}`,
          );
        }
      })();
    }

    await Promise.all([
      ...Array.from({ length: wsClients }, (_, i) => runWsClient(target, i, asksPerClient)),
      ...Array.from({ length: httpClients }, (_, i) => runHttpClient(target, i, httpRounds)),
    ]);
    const elapsedS = (performance.now() - t0) / 1000;
    const toolCpu = process.cpuUsage(cpuBefore);
    soft?.abort();
    await sampler;
    const timedOut = hard.signal.aborted;
    clearTimeout(hardTimer);
    agent.destroy();
    if (softTimer) clearTimeout(softTimer);
    const after = await memory(true);
    const serverCpuEnd = after?.cpuMs ?? null;
    // Each probe reading restarts the delay histogram: a soak's figures come from its samples.
    const delays = [...samples.map((x) => x.loopDelayMs), after?.loopDelayMs ?? null].filter((x) => x !== null);
    const serverLoopDelayMs = delays.length === 0 ? null : { p50: median(delays.map((x) => x.p50))!, p99: Math.max(...delays.map((x) => x.p99)), max: Math.max(...delays.map((x) => x.max)) };

    const r = recorder;
    const latencyMs = {
      wsConnect: summarize(r.wsConnect),
      wsFirstFrame: summarize(r.wsFirstFrame),
      wsDone: summarize(r.wsDone),
      httpAsk: summarize(r.httpAsk),
      httpSearch: summarize(r.httpSearch),
      serverAsk: summarize(r.serverAsk),
    };
    const ratio = (x: number | null) => (x !== null && latencyMs.serverAsk.p50 ? round(x / latencyMs.serverAsk.p50, 2) : null);
    const completed = r.wsAnswers + r.httpAnswers;
    return {
      machine: machine(loadAverageAtStart, await cpuPressure()),
      setup: {
        url,
        serverStartedByTool: child !== null,
        mode: health?.mode ?? null,
        chunks: health?.chunks ?? null,
        wsClients,
        asksPerClient,
        httpClients,
        httpRounds,
        durationS,
        thinkMs,
        warmupAsks,
        httpRequestsPerMinute: httpRequestsPerMinute ?? null,
        questions: questions.length,
      },
      elapsedS: round(elapsedS, 2),
      asks: { completed, perSecond: round(completed / Math.max(elapsedS, 1e-3)), ws: r.wsAnswers, http: r.httpAnswers, searches: r.searches },
      latencyMs,
      overheadRatio: { wsDoneP50: ratio(latencyMs.wsDone.p50), httpAskP50: ratio(latencyMs.httpAsk.p50) },
      answers: { total: completed, abstained: r.abstained, uncited: r.uncited, citationsChecked: r.citationsChecked, citationsInvalid: r.citationsInvalid },
      errors: { total: r.errorTotal, byKind: Object.fromEntries([...r.byKind].sort()), samples: r.samples },
      server: {
        pid: serverPid,
        before,
        after,
        note: serverPid === null ? 'unknown: the server was not started by the load tool (pass --server-pid PID to read its RSS from /proc)' : before && !before.afterGc ? 'RSS read from /proc, without a collection first' : null,
      },
      cpu: {
        serverS: serverCpuBefore !== null && serverCpuEnd !== null ? round((serverCpuEnd - serverCpuBefore) / 1000, 2) : null,
        loadToolS: round((toolCpu.user + toolCpu.system) / 1e6, 2),
        cores: os.availableParallelism(),
      },
      serverLoopDelayMs,
      soak: soak ? summarizeSoak(samples, warmupS, r.errorTotal) : null,
      timedOut,
    };
  } finally {
    await child?.stop();
  }
}

/**
 * The soak verdict from its memory samples: the median of the first fifth of the samples after warm-up
 * (at least three) against the median of the last fifth. Medians over windows, because RSS even after a
 * full collection swings by tens of MB with whatever is in flight at that instant.
 */
export function summarizeSoak(samples: readonly MemorySample[], warmupS: number, errors: number): NonNullable<LoadReport['soak']> {
  const settled = samples.filter((s) => s.atS >= warmupS);
  const window = Math.max(3, Math.floor(settled.length / 5));
  const first = settled.slice(0, window);
  const last = settled.length >= 2 * window ? settled.slice(-window) : settled.slice(-1);
  const pick = (list: readonly MemorySample[], key: 'rss' | 'heapUsed') => median(list.map((s) => s[key]).filter((v): v is number => v !== null));
  const growth = (a: number | null, b: number | null) => (a && b !== null ? round(((b - a) / a) * 100, 2) : null);
  const rssAfterWarmup = pick(first, 'rss');
  const rssEnd = pick(last, 'rss');
  const heapAfterWarmup = pick(first, 'heapUsed');
  const heapEnd = pick(last, 'heapUsed');
  const rssGrowthPct = growth(rssAfterWarmup, rssEnd);
  return {
    warmupS,
    samples,
    rssAfterWarmup,
    rssEnd,
    rssGrowthPct,
    heapAfterWarmup,
    heapEnd,
    heapGrowthPct: growth(heapAfterWarmup, heapEnd),
    pass: errors === 0 && rssGrowthPct !== null && rssGrowthPct < 10,
  };
}

function mb(bytes: number): string {
  return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
}

function fmt(x: number | null): string {
  return x === null ? '–' : x.toFixed(1);
}

/** The report as a plain-text table for a terminal. */
export function formatReport(report: LoadReport): string {
  const s = report.setup;
  const lines: string[] = [];
  const shape = s.durationS !== null ? `soak ${s.durationS} s: ${s.wsClients} WebSocket clients and ${s.httpClients} HTTP clients asking continuously` : `${s.wsClients} WebSocket clients × ${s.asksPerClient} asks, ${s.httpClients} HTTP clients × ${s.httpRounds} rounds (ask + search)`;
  lines.push(`Verbatim load — ${shape}`);
  lines.push(`server ${s.url} (${s.serverStartedByTool ? 'child process started by the tool' : 'external'}), mode ${s.mode ?? '?'}, ${s.chunks ?? '?'} chunks, ${s.questions} questions${s.thinkMs ? `, think ${s.thinkMs} ms` : ''}${s.httpRequestsPerMinute ? `, HTTP paced to ${s.httpRequestsPerMinute}/min` : ''}`);
  const m = report.machine;
  lines.push(
    `machine ${m.cpus} CPUs (${m.cpuModel}), ${m.memoryGiB} GiB, node ${m.node}; load average ${m.loadAverageAtStart} at start${m.cpuPressureAtEnd !== null ? `, CPU pressure ${m.cpuPressureAtEnd} % (avg60) at end` : ''}`,
  );
  lines.push('');
  lines.push(`elapsed ${report.elapsedS} s · ${report.asks.completed} asks (${report.asks.ws} WS, ${report.asks.http} HTTP) + ${report.asks.searches} searches · ${report.asks.perSecond} asks/s · errors ${report.errors.total}${report.timedOut ? ' · HARD TIMEOUT' : ''}`);
  lines.push('');
  const rows: [string, LatencySummary][] = [
    ['WS connect → open', report.latencyMs.wsConnect],
    ['WS ask → first frame', report.latencyMs.wsFirstFrame],
    ['WS ask → done', report.latencyMs.wsDone],
    ['HTTP POST /api/ask', report.latencyMs.httpAsk],
    ['HTTP GET /api/search', report.latencyMs.httpSearch],
    ['server ask (timingsMs)', report.latencyMs.serverAsk],
  ];
  lines.push(`${'latency (ms)'.padEnd(24)}${['n', 'p50', 'p95', 'p99', 'max'].map((h) => h.padStart(8)).join('')}`);
  for (const [name, l] of rows) lines.push(`${name.padEnd(24)}${String(l.n).padStart(8)}${[l.p50, l.p95, l.p99, l.max].map((v) => fmt(v).padStart(8)).join('')}`);
  const o = report.overheadRatio;
  lines.push(`end-to-end p50 / server p50: WS ${o.wsDoneP50 ?? '–'}×, HTTP ${o.httpAskP50 ?? '–'}×`);
  lines.push('');
  const a = report.answers;
  lines.push(`citations: ${a.citationsChecked} checked against GET /api/documents/:id, ${a.citationsInvalid} invalid; ${a.total} answers, ${a.abstained} abstained, ${a.uncited} answered without a citation`);
  if (report.errors.total === 0) lines.push('errors: none');
  else {
    lines.push(`errors: ${report.errors.total}`);
    for (const [kind, n] of Object.entries(report.errors.byKind)) lines.push(`  ${String(n).padStart(6)}  ${kind}`);
    for (const sample of report.errors.samples) lines.push(`  e.g. ${sample}`);
  }
  const sv = report.server;
  if (sv.before && sv.after) {
    const heap = sv.before.heapUsed !== null && sv.after.heapUsed !== null ? `, heap ${mb(sv.before.heapUsed)} → ${mb(sv.after.heapUsed)}` : '';
    lines.push(
      `server memory (pid ${sv.pid}${sv.after.afterGc ? ', after a full GC' : ''}): RSS ${mb(sv.before.rss)} → ${mb(sv.after.rss)} (${growthText(sv.before.rss, sv.after.rss)})${heap}${sv.after.peakRss ? `, peak RSS ${mb(sv.after.peakRss)}` : ''}`,
    );
  }
  if (sv.note) lines.push(`server memory: ${sv.note}`);
  const c = report.cpu;
  lines.push(`CPU during the load (${c.cores} cores, ${report.elapsedS} s): server ${c.serverS ?? '?'} s, load tool ${c.loadToolS} s`);
  const d = report.serverLoopDelayMs;
  if (d) lines.push(`server event-loop delay during the load: p50 ${d.p50} ms, p99 ${d.p99} ms, max ${d.max} ms`);
  const k = report.soak;
  if (k) {
    lines.push(
      `soak: warm-up ${k.warmupS} s, ${k.samples.length} samples; RSS after warm-up ${k.rssAfterWarmup !== null ? mb(k.rssAfterWarmup) : '?'} → end ${k.rssEnd !== null ? mb(k.rssEnd) : '?'} (${k.rssGrowthPct ?? '?'} %, target < 10 %)` +
        `${k.heapAfterWarmup !== null && k.heapEnd !== null ? `; heap ${mb(k.heapAfterWarmup)} → ${mb(k.heapEnd)} (${k.heapGrowthPct} %)` : ''}: ${k.pass ? 'PASS' : 'FAIL'}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

function growthText(a: number, b: number): string {
  const pct = ((b - a) / a) * 100;
  return `${pct >= 0 ? '+' : ''}${pct.toFixed(1)} %`;
}

const USAGE = `npm run load -- [--clients N] [--asks M] [--http-clients K] [--http-rounds R] [--duration S] [--warmup S]
                [--sample-every S] [--timeout S] [--ask-timeout MS] [--think-ms MS] [--warmup-asks N] [--http-rpm N]
                [--url http://127.0.0.1:PORT [--server-pid PID]] [--json]
       npm run load -- --compare-in-process [--repeats N] [same load flags]`;

function intFlag(values: Record<string, unknown>, name: string): number | undefined {
  const v = values[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || !/^\d+(?:\.\d+)?$/.test(v)) throw new Error(`--${name} takes a number, got ${JSON.stringify(v)}\nusage: ${USAGE}`);
  return Number(v);
}

async function main(argv: string[]): Promise<number> {
  const flags = {
    clients: { type: 'string' },
    asks: { type: 'string' },
    'http-clients': { type: 'string' },
    'http-rounds': { type: 'string' },
    duration: { type: 'string' },
    warmup: { type: 'string' },
    'sample-every': { type: 'string' },
    timeout: { type: 'string' },
    'ask-timeout': { type: 'string' },
    'think-ms': { type: 'string' },
    'warmup-asks': { type: 'string' },
    'http-rpm': { type: 'string' },
    url: { type: 'string' },
    'server-pid': { type: 'string' },
    'compare-in-process': { type: 'boolean' },
    repeats: { type: 'string' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  } as const;
  const { values } = parseArgs({ args: argv, options: flags, strict: true });
  if (values.help) {
    process.stdout.write(`usage: ${USAGE}\n`);
    return 0;
  }
  const v = values as Record<string, unknown>;
  const durationS = intFlag(v, 'duration');
  if (values['compare-in-process']) {
    const { compareInProcess, formatThreadComparison } = await import('./thread-comparison.js');
    const comparison = await compareInProcess({
      wsClients: intFlag(v, 'clients'),
      asksPerClient: intFlag(v, 'asks'),
      httpClients: intFlag(v, 'http-clients'),
      httpRounds: intFlag(v, 'http-rounds'),
      warmupAsks: intFlag(v, 'warmup-asks'),
      repeats: intFlag(v, 'repeats'),
      log: (line) => process.stderr.write(`${line}\n`),
    });
    process.stdout.write(values.json ? `${JSON.stringify(comparison, null, 2)}\n` : formatThreadComparison(comparison));
    return comparison.pass ? 0 : 1;
  }
  const report = await runLoad({
    url: values.url,
    serverPid: intFlag(v, 'server-pid'),
    wsClients: intFlag(v, 'clients'),
    asksPerClient: intFlag(v, 'asks'),
    httpClients: intFlag(v, 'http-clients'),
    httpRounds: intFlag(v, 'http-rounds'),
    durationS,
    warmupS: intFlag(v, 'warmup'),
    sampleEveryS: intFlag(v, 'sample-every'),
    timeoutS: intFlag(v, 'timeout'),
    askTimeoutMs: intFlag(v, 'ask-timeout'),
    thinkMs: intFlag(v, 'think-ms'),
    warmupAsks: intFlag(v, 'warmup-asks'),
    httpRequestsPerMinute: intFlag(v, 'http-rpm'),
    log: durationS !== undefined ? (line) => process.stderr.write(`${line}\n`) : undefined,
  });
  process.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
  return report.errors.total === 0 && !report.timedOut && (report.soak?.pass ?? true) ? 0 : 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`error: ${(error as Error).message}\n`);
      process.exit(2);
    },
  );
}
