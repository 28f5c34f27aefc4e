/**
 * Every status the OpenAPI description documents, operation by operation, is either produced here by a real request
 * to a real server (and its body and required headers then validate against the documented schemas), or explained:
 * a table of probes, so a status added to an operation without a way to reach it fails this test. Real answers
 * (a trace, an abstention, a stream) are validated against their documented schemas too.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServerBusyError } from '../retrieval/errors.js';
import { withIndexLock } from '../retrieval/index/index-lock.js';
import type { Pipeline } from '../retrieval/pipeline.js';
import { apiOperations } from './api-operations.js';
import type { ApiOperation, OperationResponse } from './openapi-document.js';
import { SEEDS_DIR, startTestServer, type TestServer } from './__fixtures__/test-server.js';

const TOKEN = 'test-token-0123456789abcdef';
const SEED_ID = '000_4434d9e95f18ffce.txt';
const MAX_BODY_BYTES = 64 * 1024;
const OPERATIONS = apiOperations({ defaultK: 8, tokenRequired: true, loopbackOnly: true, maxBodyBytes: MAX_BODY_BYTES });

/** The servers the probes talk to: all with the token, bound to loopback. */
interface Servers {
  /** Answers in a worker pool, as `npm start` does. */
  readonly main: TestServer;
  /** Two requests a minute per client address. */
  readonly limited: TestServer;
  /** Every pipeline call fails as a fault would. */
  readonly failing: TestServer;
  /** Every ask and search is refused as by a full queue. */
  readonly busy: TestServer;
}

interface Sent {
  readonly method: string;
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Buffer;
}

interface Received {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

/** A raw request (fetch would normalise paths and forbid setting Host), from `localAddress`. */
function send(server: TestServer, request: Sent, localAddress = '127.0.0.1'): Promise<Received> {
  const { port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const headers = { ...(request.body !== undefined ? { 'Content-Length': String(Buffer.byteLength(request.body)) } : {}), ...request.headers };
    const req = http.request({ host: '127.0.0.1', port, path: request.path, method: request.method, headers, localAddress }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(request.body);
  });
}

const withToken = { Authorization: `Bearer ${TOKEN}` };
const PATH_SAMPLES: Readonly<Record<string, string>> = {
  '/api/documents/{id}': `/api/documents/${encodeURIComponent(SEED_ID)}`,
  '/api/uploads/{id}': '/api/uploads/00000000-0000-0000-0000-000000000000',
  '/v1/models/{id}': '/v1/models/verbatim',
};
/** UPLOAD_MAX_FILE_BYTES of the main server: more than the seed, which one probe uploads again. */
const MAX_UPLOAD_BYTES = 256 * 1024;

/** A `multipart/form-data` request of `files`, each in its field (`files` unless told). */
function multipart(op: ApiOperation, files: readonly { readonly name: string; readonly content: string; readonly field?: string }[]): Sent {
  const boundary = 'verbatim-probe-boundary';
  const parts = files.map((f) => `--${boundary}\r\nContent-Disposition: form-data; name="${f.field ?? 'files'}"; filename="${f.name}"\r\nContent-Type: application/octet-stream\r\n\r\n${f.content}\r\n`);
  return sample(op, { headers: { ...withToken, 'Content-Type': `multipart/form-data; boundary=${boundary}` }, body: Buffer.from(`${parts.join('')}--${boundary}--\r\n`) });
}

/** Uploads a new document to the main server and waits until it is indexed; its document id. */
async function uploadedDocument(servers: Servers, content: string): Promise<string> {
  const op = OPERATIONS.find((o) => o.operationId === 'uploadDocuments')!;
  const res = await send(servers.main, multipart(op, [{ name: 'probe.md', content }]));
  const [upload] = (JSON.parse(res.body) as { uploads: { statusUrl: string; docId: string }[] }).uploads;
  for (let state = ''; state !== 'ready'; ) {
    state = (JSON.parse((await send(servers.main, { method: 'GET', path: upload!.statusUrl, headers: withToken })).body) as { state: string }).state;
    if (state === 'failed') throw new Error('the probe upload failed');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return upload!.docId;
}
const QUERY_SAMPLES: Readonly<Record<string, string>> = { '/api/search': '?q=foreign%20law%20enforcement%20officers&k=3' };

/** A request the operation answers with 200: its sample parameters and its own body example, with the token. */
function sample(op: ApiOperation, overrides: Partial<Sent> = {}): Sent {
  const body = op.body ? JSON.stringify(op.body.example) : undefined;
  return {
    method: op.method.toUpperCase(),
    path: (PATH_SAMPLES[op.path] ?? op.path) + (QUERY_SAMPLES[op.path] ?? ''),
    headers: { ...withToken, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    ...(body ? { body } : {}),
    ...overrides,
  };
}

/** How a status is reached: a request and the server it goes to, or why no test sends one. */
type Probe = { readonly explained: string } | { readonly reach: (servers: Servers, op: ApiOperation) => Promise<Received> };

/** Client addresses handed out one per probe that counts against a per-address budget. */
let clientNumber = 10;
const freshAddress = () => `127.0.0.${clientNumber++}`;

/** Reaches a status by sending one request to one server, from a fresh client address when `fresh`. */
const on = (server: keyof Servers, request: (op: ApiOperation) => Sent, fresh = false): Probe => ({
  reach: (servers, op) => send(servers[server], request(op), fresh ? freshAddress() : undefined),
});

/** The same probe for every operation that documents the status, unless an operation has its own below. */
const BY_STATUS: Readonly<Record<number, Probe>> = {
  200: on('main', (op) => sample(op)),
  // From a fresh address: failed authentications are limited per address, and the other probes must not be.
  401: on('main', (op) => sample(op, { headers: { ...sample(op).headers, Authorization: `Bearer ${TOKEN}x` } }), true),
  403: on('main', (op) => sample(op, { headers: { ...sample(op).headers, Host: 'evil.example' } })),
  413: on('main', (op) => sample(op, { body: JSON.stringify({ question: 'x'.repeat(MAX_BODY_BYTES) }) })),
  415: on('main', (op) => sample(op, { headers: { ...withToken, 'Content-Type': 'text/plain' } })),
  // The third request in a minute from a fresh client address (each operation gets its own).
  429: {
    reach: async (servers, op) => {
      const address = freshAddress();
      await send(servers.limited, sample(op), address);
      await send(servers.limited, sample(op), address);
      return send(servers.limited, sample(op), address);
    },
  },
  500: on('failing', (op) => sample(op)),
  503: on('busy', (op) => sample(op)),
};

/** Probes of one operation's status, `operationId status`. */
const BY_OPERATION: Readonly<Record<string, Probe>> = {
  'ask 400': on('main', (op) => sample(op, { body: '{"question":' })),
  'sendFeedback 201': on('main', (op) => sample(op)),
  'sendFeedback 400': on('main', (op) => sample(op, { body: JSON.stringify({ verdict: 'sideways', question: 'Who?', answer: '', citations: [] }) })),
  'listFollowUps 400': on('main', (op) => sample(op, { body: JSON.stringify({ question: 'Who?', citations: [{ docId: SEED_ID, start: -1, end: 5 }] }) })),
  'createChatCompletion 400': on('main', (op) => sample(op, { body: JSON.stringify({ model: 'verbatim', messages: [] }) })),
  'search 400': on('main', (op) => sample(op, { path: '/api/search?q=%20' })),
  'getDocument 400': on('main', (op) => sample(op, { path: '/api/documents/%E0%A4%A' })),
  'getDocument 404': on('main', (op) => sample(op, { path: '/api/documents/nope.txt' })),
  'getDocumentFile 200': { explained: 'the probe servers index text documents only; server/document-file.int.test.ts fetches a PDF of its own corpus and checks the bytes and headers' },
  'getDocumentFile 400': on('main', (op) => sample(op, { path: '/api/documents/%E0%A4%A/file' })),
  'getDocumentFile 404': on('main', (op) => sample(op, { path: `/api/documents/${encodeURIComponent(SEED_ID)}/file` })),
  'getDocumentFile 409': { explained: 'needs a PDF whose file changed on disk after indexing; server/document-file.int.test.ts does that to a corpus of its own' },
  'getModel 404': on('main', (op) => sample(op, { path: '/v1/models/gpt-4o' })),
  'createChatCompletion 404': on('main', (op) => sample(op, { body: JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Who is Chen Zhichen?' }] }) })),
  // The seed's own bytes: already a document.
  'uploadDocuments 200': on('main', (op) => multipart(op, [{ name: 'again.txt', content: fs.readFileSync(path.join(SEEDS_DIR, SEED_ID), 'utf8') }])),
  'uploadDocuments 202': on('main', (op) => multipart(op, [{ name: 'probe.md', content: '# Probe\n\nThe probe note names the Ostrel canal.\n' }])),
  'uploadDocuments 400': on('main', (op) => multipart(op, [{ field: 'file', name: 'probe.md', content: 'x' }])),
  'uploadDocuments 413': on('main', (op) => multipart(op, [{ name: 'big.md', content: 'x'.repeat(MAX_UPLOAD_BYTES + 1) }])),
  'uploadDocuments 415': on('main', (op) => sample(op, { headers: { ...withToken, 'Content-Type': 'application/json' }, body: '{}' })),
  'uploadDocuments 422': on('main', (op) => multipart(op, [{ name: 'paper.pdf', content: 'not a PDF' }])),
  'uploadDocuments 500': { explained: 'a fault writing into the uploads folder (a full disk, a folder made read-only); no request provokes it, and the failures a request can cause are 4xx' },
  'getUpload 200': {
    reach: async (servers, op) => {
      const upload = OPERATIONS.find((o) => o.operationId === 'uploadDocuments')!;
      const res = await send(servers.main, multipart(upload, [{ name: 'status.md', content: '# Status\n\nThe status note names the Prell weir.\n' }]));
      const [first] = (JSON.parse(res.body) as { uploads: { statusUrl: string }[] }).uploads;
      return send(servers.main, sample(op, { path: first!.statusUrl }));
    },
  },
  'getUpload 404': on('main', (op) => sample(op)),
  'getUpload 500': { explained: "nothing behind it can fail: the status is looked up in the server's own map of uploads" },
  'deleteDocument 200': {
    reach: async (servers, op) => send(servers.main, sample(op, { path: `/api/documents/${encodeURIComponent(await uploadedDocument(servers, '# Gone\n\nThe deleted note names the Harl dyke.\n'))}` })),
  },
  'deleteDocument 400': on('main', (op) => sample(op, { path: '/api/documents/%E0%A4%A' })),
  'deleteDocument 404': on('main', (op) => sample(op, { path: '/api/documents/nope.txt' })),
  'deleteDocument 409': {
    reach: async (servers, op) => {
      const id = await uploadedDocument(servers, '# Locked\n\nThe locked note names the Brisk sluice.\n');
      return withIndexLock(servers.main.config.indexDir, {}, () => send(servers.main, sample(op, { path: `/api/documents/${encodeURIComponent(id)}` })));
    },
  },
  'deleteDocument 500': { explained: 'a fault moving the file aside or writing the index (a full disk); the refusals a request can cause are 4xx, and a failed re-index puts the file back' },
  'getOpenApiDocument 500': { explained: 'nothing behind it can fail: the document is built once, when the server starts' },
  'listModels 500': { explained: 'nothing behind it can fail: the list is a constant and the start time' },
  'getModel 500': { explained: 'nothing behind it can fail: the model is looked up in a constant list' },
};

/** The pipeline of a server with a fault: every call throws a plain error, as a broken index or a bug would. */
function failingPipeline(p: Pipeline): Pipeline {
  const fault = (): never => {
    throw new Error('simulated fault: the index file vanished');
  };
  return {
    get status(): Pipeline['status'] {
      return fault();
    },
    generationDir: p.generationDir,
    search: async () => fault(),
    ask: async () => fault(),
    // It fails before its first event, as a broken pipeline does.
    askStream: async function* () {
      return fault();
    },
    listDocuments: fault,
    getDocument: fault,
    close: () => p.close(),
  };
}

/** The pipeline of a server whose queue is full: asks and searches are refused, everything else is served. */
function busyPipeline(p: Pipeline): Pipeline {
  const busy = (): never => {
    throw new ServerBusyError(256);
  };
  return {
    ...p,
    search: async () => busy(),
    ask: async () => busy(),
    // Refused before its first event, as the pool refuses.
    askStream: async function* () {
      return busy();
    },
  };
}

/** Checks a response against what the operation documents for its status: body schema and required headers. */
function expectDocumented(op: ApiOperation, documented: OperationResponse, res: Received): void {
  const label = `${op.method.toUpperCase()} ${op.path} ${res.status}`;
  for (const [name, header] of Object.entries(documented.headers ?? {})) {
    const value = res.headers[name.toLowerCase()];
    if (header.required) expect(value, `${label}: header ${name}`).toBeDefined();
    if (value !== undefined) expect(header.schema.safeParse(header.schema.def.type === 'number' ? Number(value) : value).success, `${label}: header ${name}: ${String(value)}`).toBe(true);
  }
  if (documented.json) {
    expect(res.headers['content-type'], label).toMatch(/^application\/json/);
    const parsed = documented.json.safeParse(JSON.parse(res.body));
    expect(parsed.success, `${label}: ${parsed.error?.message ?? ''}\n${res.body.slice(0, 500)}`).toBe(true);
  }
}

let servers: Servers;
beforeAll(async () => {
  const token = { apiToken: TOKEN };
  const [main, limited, failing, busy] = await Promise.all([
    startTestServer({ pooled: true, library: true, configOverrides: { ...token, askWorkers: 1, uploadMaxFileBytes: MAX_UPLOAD_BYTES } }),
    startTestServer({ configOverrides: token, requestsPerMinute: 2 }),
    startTestServer({ configOverrides: token, wrapPipeline: failingPipeline }),
    startTestServer({ configOverrides: token, wrapPipeline: busyPipeline }),
  ]);
  servers = { main, limited, failing, busy };
});
afterAll(async () => {
  await Promise.all(Object.values(servers ?? {}).map((s: TestServer) => s.close()));
});

describe('every documented status', () => {
  const cases = OPERATIONS.flatMap((op) => Object.entries(op.responses).map(([status, documented]) => ({ op, status: Number(status), documented })));

  it('has a probe or an explanation, and none is left over', () => {
    const missing = cases.filter(({ op, status }) => !BY_OPERATION[`${op.operationId} ${status}`] && !BY_STATUS[status]).map(({ op, status }) => `${op.operationId} ${status}`);
    expect(missing).toEqual([]);
    const keys = new Set(cases.map(({ op, status }) => `${op.operationId} ${status}`));
    expect(Object.keys(BY_OPERATION).filter((key) => !keys.has(key))).toEqual([]);
  });

  it.each(cases.map((c) => [`${c.op.method.toUpperCase()} ${c.op.path} ${c.status}`, c] as const))('%s', async (_name, { op, status, documented }) => {
    const probe = BY_OPERATION[`${op.operationId} ${status}`] ?? BY_STATUS[status]!;
    if ('explained' in probe) {
      expect(probe.explained.length).toBeGreaterThan(20);
      return;
    }
    const res = await probe.reach(servers, op);
    expect(res.status, res.body.slice(0, 300)).toBe(status);
    expectDocumented(op, documented, res);
  });
});

describe('real answers match their documented schemas', () => {
  const ask = OPERATIONS.find((op) => op.operationId === 'ask')!;
  const chat = OPERATIONS.find((op) => op.operationId === 'createChatCompletion')!;
  const post = (op: ApiOperation, body: unknown) => send(servers.main, sample(op, { body: JSON.stringify(body) }));

  it('an answer with its trace, an abstention and a follow-up', async () => {
    for (const body of [
      { question: 'How many foreign law enforcement officers did China train in 2023?', explain: true },
      { question: 'How many officers did Fiji train in 1950?', explain: true },
      { question: 'And by 2025?', history: [{ role: 'user', content: 'How many foreign law enforcement officers did China train in 2023?' }, { role: 'assistant', content: 'China trained 2,700. [1]' }] },
    ]) {
      const res = await post(ask, body);
      expect(res.status).toBe(200);
      expectDocumented(ask, ask.responses[200]!, res);
    }
  });

  it('a streamed completion: every event but the last is a documented chunk, the last is [DONE]', async () => {
    const res = await post(chat, { model: 'verbatim', stream: true, stream_options: { include_usage: true }, verbatim: { append_sources: true, explain: true }, messages: [{ role: 'user', content: 'Who is Chen Zhichen?' }] });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/event-stream/);
    const stream = chat.responses[200]!.eventStream!;
    const events = res.body.split('\n\n').filter(Boolean).map((event) => event.replace(/^data: /, ''));
    expect(events.at(-1)).toBe(stream.terminator);
    for (const data of events.slice(0, -1)) {
      const parsed = stream.data.safeParse(JSON.parse(data));
      expect(parsed.success, `${parsed.error?.message ?? ''}\n${data.slice(0, 300)}`).toBe(true);
    }
  });
});
