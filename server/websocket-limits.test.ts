/**
 * The WebSocket's limits as a client meets them, on the real server and real sockets: connection caps
 * (overall and per client address), the rate limit shared with HTTP, and the allowance of refused frames.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, type ClientOptions } from 'ws';
import type { ConfigInput } from '../retrieval/config.js';
import { startTestServer, type TestServer } from './__fixtures__/test-server.js';
import { connect, type TestClient } from './__fixtures__/ws-client.js';
import type { ErrorBody, ServerFrame } from './protocol.js';
import { WS_PROTOCOL } from './protocol.js';

const QUESTION = 'How many foreign law enforcement officers did China train in 2023?';
const isEnd = (id: string) => (f: ServerFrame) => f.id === id && (f.type === 'done' || f.type === 'error');

const servers: TestServer[] = [];
const clients: TestClient[] = [];
async function server(configOverrides: Partial<ConfigInput>, options: { requestsPerMinute?: number } = {}): Promise<TestServer> {
  const s = await startTestServer({ configOverrides, ...options });
  servers.push(s);
  return s;
}
async function client(url: string, options: ClientOptions = {}): Promise<TestClient> {
  const c = await connect(url, options);
  clients.push(c);
  return c;
}
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  for (const s of servers.splice(0)) await s.close();
});

/** Tries an upgrade that should be refused; resolves with the HTTP status and JSON error body. */
function refusedUpgrade(url: string, options: ClientOptions = {}): Promise<{ status: number; error: ErrorBody['error'] }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, [WS_PROTOCOL], options);
    ws.once('open', () => {
      ws.close();
      reject(new Error('the upgrade was accepted'));
    });
    ws.once('error', () => {});
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString('utf8')));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, error: (JSON.parse(body) as ErrorBody).error }));
    });
  });
}

describe('connection caps', () => {
  it('refuses a socket past the per-client cap with 429 TOO_MANY_CONNECTIONS, and one past the overall cap with 503 SERVER_BUSY', async () => {
    const s = await server({ wsMaxConnectionsPerClient: 2, wsMaxConnections: 3 });
    const a = await client(s.wsUrl);
    await client(s.wsUrl);
    const perClient = await refusedUpgrade(s.wsUrl);
    expect(perClient.status).toBe(429);
    expect(perClient.error.code).toBe('TOO_MANY_CONNECTIONS');
    expect(perClient.error.message).toContain('WS_MAX_CONNECTIONS_PER_CLIENT');

    // Another address on loopback is another client: it gets the third and last socket.
    const other = await client(s.wsUrl, { localAddress: '127.0.0.2' });
    const busy = await refusedUpgrade(s.wsUrl, { localAddress: '127.0.0.2' });
    expect(busy.status).toBe(503);
    expect(busy.error.code).toBe('SERVER_BUSY');
    expect(s.server.webSocketCounters).toMatchObject({ refusedPerClient: 1, refusedServerBusy: 1 });

    // The sockets already open keep working, and a closed one frees its slot.
    other.send({ type: 'ask', id: 'o', question: QUESTION });
    expect((await other.waitFor(isEnd('o'))).type).toBe('done');
    a.close();
    await expect.poll(() => s.server.webSocketConnections).toBe(2);
    const again = await client(s.wsUrl);
    expect(again.ws.readyState).toBe(WebSocket.OPEN);
  });
});

describe('rate limit', () => {
  it('counts WebSocket asks in the same per-client budget as HTTP requests; over it an ask gets RATE_LIMITED', async () => {
    const s = await server({}, { requestsPerMinute: 4 });
    expect((await fetch(`${s.url}/api/health`)).status).toBe(200);
    expect((await fetch(`${s.url}/api/health`)).status).toBe(200);
    const c = await client(s.wsUrl);
    c.send({ type: 'ask', id: 'a1', question: QUESTION });
    expect((await c.waitFor(isEnd('a1'))).type).toBe('done');
    c.send({ type: 'ask', id: 'a2', question: QUESTION });
    expect((await c.waitFor(isEnd('a2'))).type).toBe('done');
    c.send({ type: 'ask', id: 'a3', question: QUESTION });
    const limited = await c.waitFor(isEnd('a3'));
    expect(limited).toMatchObject({ type: 'error', id: 'a3', code: 'RATE_LIMITED' });
    expect((limited as Extract<ServerFrame, { type: 'error' }>).message).toMatch(/ask again in \d+ s/);
    // ... and the socket's asks used up the HTTP budget too.
    const http = await fetch(`${s.url}/api/health`);
    expect(http.status).toBe(429);
    expect(((await http.json()) as ErrorBody).error.code).toBe('RATE_LIMITED');
    expect(c.ws.readyState).toBe(WebSocket.OPEN);
    expect(s.server.webSocketCounters.rateLimitedAsks).toBe(1);
  });

  it('stops 800 asks fired at once from one client at the budget', async () => {
    const s = await server({ wsMaxBadFramesPerMinute: 10_000 }, { requestsPerMinute: 50 });
    const c = await client(s.wsUrl);
    for (let i = 0; i < 800; i++) c.send({ type: 'ask', id: `q${i}`, question: QUESTION });
    await expect.poll(() => c.frames.filter((f) => f.type === 'done' || f.type === 'error').length, { timeout: 20_000 }).toBe(800);
    const ends = c.frames.filter((f) => f.type === 'done' || f.type === 'error');
    // Asks beyond 4 in flight are refused, and every ask (refused or not) takes from the budget.
    const answered = ends.filter((f) => f.type === 'done').length;
    const limited = ends.filter((f) => f.type === 'error' && f.code === 'RATE_LIMITED').length;
    expect(answered).toBeLessThanOrEqual(50);
    expect(limited).toBe(750);
  });
});

describe('refused frames', () => {
  it('closes a socket with 1008 once it has had more frames refused in a minute than allowed; other sockets are unaffected', async () => {
    const s = await server({ wsMaxBadFramesPerMinute: 10 });
    const spammer = await client(s.wsUrl);
    const bystander = await client(s.wsUrl);
    for (let i = 0; i < 50; i++) spammer.send('{"type":');
    expect(await spammer.closed()).toBe(1008);
    // It was told why ten times, then nothing more was spent on it.
    expect(spammer.frames).toHaveLength(10);
    expect(spammer.frames.every((f) => f.type === 'error' && f.code === 'BAD_JSON')).toBe(true);
    expect(s.server.webSocketCounters.closedForBadFrames).toBe(1);
    bystander.send({ type: 'ask', id: 'b', question: QUESTION });
    expect((await bystander.waitFor(isEnd('b'))).type).toBe('done');
  });
});
