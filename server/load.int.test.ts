/**
 * A small, bounded run of the load tool (`npm run load`) against the real server as `npm start` runs
 * it: a child process on an ephemeral loopback port. Zero errors, and every citation of every answer
 * is checked here again, independently, against `GET /api/documents/:id`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatReport, loopbackBaseUrl, runLoad } from '../bench/load.js';
import { startServerProcess, type ServerProcess } from '../bench/load-server-process.js';
import type { AskResult } from '../retrieval/types.js';
import type { DocumentResponse } from './protocol.js';

let server: ServerProcess;
beforeAll(async () => {
  server = await startServerProcess();
});
afterAll(async () => {
  expect(await server?.stop()).toBe(0);
});

describe('npm run load', () => {
  it('drives 8 WebSocket and 2 HTTP clients with zero errors and valid citations', async () => {
    const answers: { via: 'ws' | 'http'; result: AskResult }[] = [];
    const report = await runLoad({
      url: server.url,
      serverPid: server.pid,
      wsClients: 8,
      asksPerClient: 3,
      httpClients: 2,
      httpRounds: 2,
      httpRequestsPerMinute: 0,
      timeoutS: 45,
      onAnswer: (a) => answers.push(a),
    });

    expect(report.errors, formatReport(report)).toEqual({ total: 0, byKind: {}, samples: [] });
    expect(report.timedOut).toBe(false);
    expect(report.asks).toMatchObject({ completed: 28, ws: 24, http: 4, searches: 4 });
    expect(report.latencyMs.wsDone.n).toBe(24);
    expect(report.latencyMs.httpAsk.n).toBe(4);
    expect(report.latencyMs.wsDone.p50).toBeGreaterThan(0);
    expect(report.latencyMs.wsDone.p95!).toBeGreaterThanOrEqual(report.latencyMs.wsDone.p50!);
    expect(report.setup.mode).toBe('lexical');
    expect(report.server.after?.rss).toBeGreaterThan(0);
    expect(report.answers.citationsInvalid).toBe(0);

    // The tool's own check, done again here: each quote is the exact slice of its document.
    expect(answers).toHaveLength(28);
    const texts = new Map<string, string>();
    let cited = 0;
    for (const { result } of answers) {
      if (!result.abstained) expect(result.citations.length, result.question).toBeGreaterThan(0);
      for (const c of result.citations) {
        if (!texts.has(c.docId)) {
          const res = await fetch(`${server.url}/api/documents/${encodeURIComponent(c.docId)}`);
          expect(res.status).toBe(200);
          texts.set(c.docId, ((await res.json()) as DocumentResponse).text);
        }
        expect(texts.get(c.docId)!.slice(c.start, c.end)).toBe(c.quote);
        cited++;
      }
    }
    expect(cited).toBe(report.answers.citationsChecked);
    expect(cited).toBeGreaterThan(20);
  });

  it('stops by itself at the hard timeout, reporting what was cut off', async () => {
    const started = Date.now();
    const report = await runLoad({ url: server.url, wsClients: 4, asksPerClient: 10_000, httpClients: 1, httpRounds: 10_000, httpRequestsPerMinute: 0, timeoutS: 3 });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(report.timedOut).toBe(true);
    expect(report.asks.completed).toBeGreaterThan(0);
    expect(Object.keys(report.errors.byKind).every((kind) => kind === 'timeout')).toBe(true);
    const health = await fetch(`${server.url}/api/health`);
    expect(health.status).toBe(200);
  });

  it('refuses to target anything but this machine', async () => {
    for (const url of ['http://example.com:3000', 'http://10.0.0.1:3000', 'http://0.0.0.0:3000', 'ws://192.168.1.2/ws', 'http://127.0.0.1.example.com/', 'file:///etc/passwd', 'nonsense']) {
      expect(() => loopbackBaseUrl(url), url).toThrow();
    }
    expect(loopbackBaseUrl('ws://127.0.0.1:4000/ws')).toBe('http://127.0.0.1:4000');
    expect(loopbackBaseUrl('http://localhost:4000/')).toBe('http://localhost:4000');
    expect(loopbackBaseUrl('http://[::1]:4000')).toBe('http://[::1]:4000');
    await expect(runLoad({ url: 'http://example.com', wsClients: 1, asksPerClient: 1, httpClients: 0 })).rejects.toThrow(/only targets this machine/);
  });
});
