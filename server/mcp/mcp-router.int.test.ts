/**
 * The MCP server over Streamable HTTP on the real server, through the SDK's own client: behind the access token and the
 * shared rate limit, answering from the worker pool as `npm start` does. Cited answers check out against
 * `/api/documents`, refusals come back in the JSON-RPC shape MCP clients read, and neither a deadline nor a client that
 * leaves mid-answer leaves work behind.
 */
import http from 'node:http';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport, StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../__fixtures__/eventually.js';
import { startTestServer, type TestServer } from '../__fixtures__/test-server.js';
import type { DocumentResponse } from '../protocol.js';
import { callTool, expectCitationsVerified, SEED_QUESTION, type AskContent } from './__fixtures__/mcp-tool-calls.js';
import type { JsonRpcErrorBody } from './mcp-error-bodies.js';
import type { SearchHit } from './search-tool.js';

const STALLING_WORKER = new URL('../../retrieval/workers/__fixtures__/stalling-worker.ts', import.meta.url);
const TOKEN = 'mcp-test-token-0123456789abcdef';
const AUTH = { authorization: `Bearer ${TOKEN}` };

/** A client as a user configures one: the server's `/mcp` URL and, when given, the token as a header. */
async function connectClient(server: TestServer, headers: Record<string, string> = AUTH): Promise<Client> {
  const client = new Client({ name: 'verbatim-test', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`), { requestInit: { headers } }));
  return client;
}

/** A raw request, so a test can send what a client library would not (another Host header, a broken body). */
function raw(server: TestServer, options: { method: string; headers?: Record<string, string>; body?: string }): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  const { port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: '/mcp', method: options.method, headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

const MCP_HEADERS = { ...AUTH, 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

function jsonRpcError(body: string): JsonRpcErrorBody['error'] {
  const parsed = JSON.parse(body) as JsonRpcErrorBody;
  expect(parsed).toMatchObject({ jsonrpc: '2.0', id: null });
  expect(parsed.error.message.length).toBeGreaterThan(10);
  return parsed.error;
}

describe('the MCP server over Streamable HTTP, behind the token', () => {
  let t: TestServer;
  let client: Client;
  beforeAll(async () => {
    // A long deadline, so work that ends is shown to end because the client left, not because time ran out.
    t = await startTestServer({ pooled: { workerModule: STALLING_WORKER }, configOverrides: { apiToken: TOKEN, askWorkers: 2, askDeadlineMs: 60_000 } });
    client = await connectClient(t);
  });
  afterAll(async () => {
    await client?.close();
    await t?.close();
  });

  it('refuses a client without the token: connecting fails with 401', async () => {
    for (const headers of [{}, { authorization: 'Bearer not-the-token-0123456789' }] as Record<string, string>[]) {
      const error = await connectClient(t, headers).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StreamableHTTPError);
      expect(error).toMatchObject({ code: 401 });
      expect((error as Error).message).toContain('send Authorization: Bearer <API_TOKEN>');
    }
  });

  it('lists the three tools with their input and output schemas', async () => {
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name)).toEqual(['search', 'ask', 'get_document_span']);
    for (const tool of tools) {
      expect(tool.inputSchema.type).toBe('object');
      expect(tool.outputSchema?.type).toBe('object');
    }
  });

  it('answers a seed question from a worker, every citation exact against /api/documents and get_document_span', async () => {
    const { result, structured } = await callTool<AskContent>(client, 'ask', { question: SEED_QUESTION });
    expect(result.isError).toBeFalsy();
    expect(structured.shortAnswer).toBe('2,700');
    for (const c of structured.citations) {
      const res = await fetch(`${t.url}/api/documents/${encodeURIComponent(c.docId)}`, { headers: AUTH });
      const document = (await res.json()) as DocumentResponse;
      expect(document.text.slice(c.start, c.end)).toBe(c.quote);
      expect(document.title).toBe(c.title);
    }
    await expectCitationsVerified(client, structured.citations);
  });

  it('searches, with hits whose offsets hold their text', async () => {
    const { structured } = await callTool<{ hits: SearchHit[] }>(client, 'search', { query: 'Global Public Security Cooperation Forum', k: 2 });
    expect(structured.hits).toHaveLength(2);
    for (const hit of structured.hits) expect(t.pipeline.getDocument(hit.docId)!.text.slice(hit.start, hit.end)).toBe(hit.text);
  });

  it('reads the documents as resources, and refuses bad input to ask and get_document_span as tool errors', async () => {
    const { resources } = await client.listResources();
    expect(resources).toHaveLength(t.pipeline.status.documents);
    const { contents } = await client.readResource({ uri: resources[0]!.uri });
    expect(contents[0]).toMatchObject({ text: t.pipeline.getDocument(resources[0]!.name)!.text });
    const empty = await callTool(client, 'ask', { question: '' });
    expect(empty.result.isError).toBe(true);
    expect(empty.text).toContain('the question is empty');
    const outside = await callTool(client, 'get_document_span', { docId: resources[0]!.name, start: 0, end: 10_000_000 });
    expect(outside.result.isError).toBe(true);
    expect(outside.text).toMatch(/give 0 ≤ start ≤ end ≤ \d+/);
  });

  it('stops the work of a client that leaves mid-answer', async () => {
    const leaving = await connectClient(t);
    const before = t.pool!.workers.terminated;
    await eventually(() => t.pool!.workers.inFlight === 0, 'earlier tasks to end');
    const call = leaving.callTool({ name: 'ask', arguments: { question: 'STALL: the client leaves' } }).catch((e: unknown) => e);
    await eventually(() => t.pool!.workers.inFlight === 1, 'the stuck ask to reach a worker');
    await leaving.close();
    await eventually(() => t.pool!.workers.inFlight === 0, 'the abandoned ask to end');
    expect(t.pool!.workers.terminated).toBe(before + 1);
    expect(await call).toBeInstanceOf(Error);
    // The pool replaced the stopped worker and answers again.
    expect((await callTool<AskContent>(client, 'ask', { question: SEED_QUESTION })).structured.shortAnswer).toBe('2,700');
  });

  it('answers what is not an MCP message in the JSON-RPC error shape, with the status and the code', async () => {
    const unauthorized = await raw(t, { method: 'POST', headers: { ...MCP_HEADERS, authorization: '' }, body: '{}' });
    expect(unauthorized.status).toBe(401);
    expect(unauthorized.headers['www-authenticate']).toBe('Bearer realm="verbatim"');
    expect(jsonRpcError(unauthorized.body)).toMatchObject({ code: -32000, data: { status: 401, code: 'UNAUTHORIZED' } });

    const otherHost = await raw(t, { method: 'POST', headers: { ...MCP_HEADERS, host: 'attacker.example' }, body: '{}' });
    expect(otherHost.status).toBe(403);
    expect(jsonRpcError(otherHost.body).data.code).toBe('HOST_NOT_ALLOWED');

    const notJson = await raw(t, { method: 'POST', headers: MCP_HEADERS, body: '{"jsonrpc": "2.0", ' });
    expect(notJson.status).toBe(400);
    expect(jsonRpcError(notJson.body)).toMatchObject({ code: -32700, data: { code: 'BAD_JSON' } });

    const tooLarge = await raw(t, { method: 'POST', headers: MCP_HEADERS, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping', params: { pad: 'x'.repeat(70_000) } }) });
    expect(tooLarge.status).toBe(413);
    expect(jsonRpcError(tooLarge.body)).toMatchObject({ data: { code: 'PAYLOAD_TOO_LARGE' } });

    for (const method of ['GET', 'DELETE']) {
      const refused = await raw(t, { method, headers: { ...AUTH, accept: 'text/event-stream' } });
      expect(refused.status).toBe(405);
      expect(refused.headers.allow).toBe('POST');
      expect(jsonRpcError(refused.body)).toMatchObject({ code: -32000, data: { code: 'METHOD_NOT_ALLOWED' } });
    }
  });

  it('counts MCP messages against the per-client rate limit shared with /api', async () => {
    const ping = await raw(t, { method: 'POST', headers: MCP_HEADERS, body: JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'ping' }) });
    expect(ping.status).toBe(200);
    expect(JSON.parse(ping.body)).toEqual({ jsonrpc: '2.0', id: 7, result: {} });
    const used = (headers: http.IncomingHttpHeaders) => Number(/r=(\d+)/.exec(String(headers.ratelimit))?.[1]);
    const api = await fetch(`${t.url}/api/health`, { headers: AUTH });
    expect(Number(/r=(\d+)/.exec(api.headers.get('ratelimit') ?? '')?.[1])).toBe(used(ping.headers) - 1);
  });
});

describe('an MCP ask past the deadline', () => {
  let t: TestServer;
  beforeAll(async () => {
    // 4 s, not less: the next ask waits for the replacement worker to open the index, which takes seconds on a loaded machine.
    t = await startTestServer({ pooled: { workerModule: STALLING_WORKER }, configOverrides: { askWorkers: 1, askDeadlineMs: 4000 } });
  });
  afterAll(async () => t?.close());

  it('is a tool error with ANSWER_TIMEOUT, its worker is stopped, and the server answers the next call', async () => {
    const client = await connectClient(t, {});
    try {
      const late = await callTool(client, 'ask', { question: 'STALL: never ends' });
      expect(late.result.isError).toBe(true);
      expect(late.text).toMatch(/^ANSWER_TIMEOUT: the answer took longer than 4000 ms and was stopped: .*ASK_DEADLINE_MS/);
      await eventually(() => t.pool!.workers.inFlight === 0, 'the overdue ask to end');
      expect(t.pool!.workers.terminated).toBe(1);
      const next = await callTool<AskContent>(client, 'ask', { question: SEED_QUESTION });
      await expectCitationsVerified(client, next.structured.citations);
    } finally {
      await client.close();
    }
  });
});
