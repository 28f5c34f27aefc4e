import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { loadConfig } from '../retrieval/config.js';
import { ConfigError } from '../retrieval/errors.js';
import { createLogger } from '../retrieval/logger.js';
import type { AskResult } from '../retrieval/types.js';
import { createServer } from './create-server.js';
import { documentedHttpCodes } from './__fixtures__/readme-error-codes.js';
import { startTestServer, type TestServer } from './__fixtures__/test-server.js';
import { connect } from './__fixtures__/ws-client.js';
import type { DocumentListResponse, DocumentResponse, ErrorBody, FollowUpsResponse, HealthResponse, SearchResponse, SuggestionsResponse } from './protocol.js';
import { documentListResponseSchema } from './response-schemas.js';

const SEED_ID = '000_4434d9e95f18ffce.txt';
const QUESTION = 'How many foreign law enforcement officers did China train in 2023?';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(async () => {
  await t?.close();
});

/** A raw request, so paths reach the server exactly as written (fetch would normalise `..`). */
function raw(pathname: string, options: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  const { port } = new URL(t.url);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: pathname, method: options.method ?? 'GET', headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

async function postAsk(body: string | Buffer, contentType = 'application/json') {
  return raw('/api/ask', { method: 'POST', headers: { 'Content-Type': contentType, 'Content-Length': String(Buffer.byteLength(body)) }, body });
}

function errorOf(body: string): ErrorBody['error'] {
  const parsed = JSON.parse(body) as ErrorBody;
  expect(parsed.error.code).toMatch(/^[A-Z_]+$/);
  expect(parsed.error.message.length).toBeGreaterThan(5);
  return parsed.error;
}

async function documentText(id: string): Promise<string> {
  const res = await fetch(`${t.url}/api/documents/${encodeURIComponent(id)}`);
  return ((await res.json()) as DocumentResponse).text;
}

describe('GET /api/health', () => {
  it('reports the mode and the index', async () => {
    const res = await fetch(`${t.url}/api/health`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as HealthResponse;
    expect(body).toMatchObject({ status: 'ok', mode: 'lexical', embedder: null, documents: 1 });
    expect(body.chunks).toBeGreaterThan(0);
    expect(Date.parse(body.indexBuiltAt)).not.toBeNaN();
    expect(body.lexicalReason).toMatch(/DISABLE_EMBEDDINGS|no vectors/);
  });

  it('sends a strict Content-Security-Policy and no framework banner', async () => {
    const res = await fetch(`${t.url}/api/health`);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("require-trusted-types-for 'script'");
    expect(csp).not.toContain('unsafe-inline');
    expect(res.headers.get('x-powered-by')).toBeNull();
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });
});

describe('POST /api/ask', () => {
  it('answers with checkable citations', async () => {
    const res = await postAsk(JSON.stringify({ question: QUESTION }));
    expect(res.status).toBe(200);
    const result = JSON.parse(res.body) as AskResult;
    expect(result.question).toBe(QUESTION);
    expect(result.abstained).toBe(false);
    expect(result.answer).toContain('2,700');
    expect(result.citations.length).toBeGreaterThan(0);
    expect(result.passages.length).toBeGreaterThan(0);
    expect(result.mode).toBe('lexical');
    expect(result.timingsMs.total).toBeGreaterThanOrEqual(0);
    for (const c of result.citations) {
      expect(result.answer).toContain(`[${c.n}]`);
      expect((await documentText(c.docId)).slice(c.start, c.end)).toBe(c.quote);
    }
  });

  it('attaches the trace only when the body asks for it with explain: true', async () => {
    const explained = JSON.parse((await postAsk(JSON.stringify({ question: QUESTION, explain: true }))).body) as AskResult;
    expect(explained.trace?.gate).toMatchObject({ reason: null, probability: explained.confidence.answer });
    expect(explained.trace?.sentences.length).toBeGreaterThan(0);
    const plain = JSON.parse((await postAsk(JSON.stringify({ question: QUESTION }))).body) as AskResult;
    expect(plain).not.toHaveProperty('trace');
    expect(plain).toMatchObject({ retrievalQuery: QUESTION, abstentionReason: null, shortAnswerConfident: expect.any(Boolean) });
  });

  it('accepts a history for follow-ups', async () => {
    const res = await postAsk(JSON.stringify({ question: 'And how many more by 2025?', history: [{ role: 'user', content: QUESTION }, { role: 'assistant', content: 'China trained 2,700 foreign law enforcement officers in 2023. [1]' }] }));
    expect(res.status).toBe(200);
    expect((JSON.parse(res.body) as AskResult).question).toBe('And how many more by 2025?');
  });

  it('rejects an empty question with 400', async () => {
    const res = await postAsk(JSON.stringify({ question: '   ' }));
    expect(res.status).toBe(400);
    expect(errorOf(res.body)).toMatchObject({ code: 'BAD_INPUT' });
    expect(errorOf(res.body).message).toContain('the question is empty');
  });

  it('rejects a missing question and a malformed history with 400', async () => {
    expect((await postAsk(JSON.stringify({}))).status).toBe(400);
    const res = await postAsk(JSON.stringify({ question: 'x?', history: [{ role: 'system', content: 'hi' }] }));
    expect(res.status).toBe(400);
    expect(errorOf(res.body).message).toContain('history.0.role');
  });

  it('rejects bad JSON with 400', async () => {
    const res = await postAsk('{"question": "unterminated');
    expect(res.status).toBe(400);
    expect(errorOf(res.body).code).toBe('BAD_JSON');
  });

  it('rejects a body over the limit with 413', async () => {
    const res = await postAsk(JSON.stringify({ question: 'x'.repeat(100 * 1024) }));
    expect(res.status).toBe(413);
    expect(errorOf(res.body)).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    expect(errorOf(res.body).message).toContain('64 KiB');
  });

  it('rejects a question over the length limit with 400', async () => {
    const res = await postAsk(JSON.stringify({ question: 'why '.repeat(600) }));
    expect(res.status).toBe(400);
    expect(errorOf(res.body).message).toContain('longer than 2000');
  });

  it('rejects a non-JSON body with 415', async () => {
    const res = await postAsk('question=hello', 'application/x-www-form-urlencoded');
    expect(res.status).toBe(415);
    expect(errorOf(res.body).code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });
});

describe('GET /api/search', () => {
  it('returns ranked passages with offsets and per-signal scores', async () => {
    const res = await fetch(`${t.url}/api/search?q=${encodeURIComponent('foreign law enforcement officers trained')}&k=3`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as SearchResponse;
    expect(body.k).toBe(3);
    expect(body.passages.length).toBeGreaterThan(0);
    expect(body.passages.length).toBeLessThanOrEqual(3);
    const text = await documentText(SEED_ID);
    for (const p of body.passages) {
      expect(text.slice(p.start, p.end)).toBe(p.text);
      expect(p.scores.rrf).toBeGreaterThan(0);
      expect(p.scores.bm25).toBeGreaterThan(0);
    }
    const scores = body.passages.map((p) => p.score);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
  });

  it('validates q and k', async () => {
    for (const query of ['', '?q=', '?q=x&k=0', '?q=x&k=abc', '?q=x&k=101', '?q=a&q=b']) {
      const res = await fetch(`${t.url}/api/search${query}`);
      expect(res.status, query).toBe(400);
      expect(errorOf(await res.text()).code).toBe('BAD_INPUT');
    }
  });
});

describe('documents', () => {
  it('lists documents with length, chunk count, pages, file size and when they were added', async () => {
    const body = (await (await fetch(`${t.url}/api/documents`)).json()) as DocumentListResponse;
    expect(documentListResponseSchema.safeParse(body).error).toBeUndefined();
    expect(body.documents).toHaveLength(1);
    const [doc] = body.documents;
    expect(doc).toMatchObject({ id: SEED_ID, pages: null });
    expect(doc!.length).toBe((await documentText(SEED_ID)).length);
    expect(doc!.chunks).toBeGreaterThan(0);
    expect(doc!.title.length).toBeGreaterThan(0);
    expect(doc!.bytes).toBe(fs.statSync(path.join(t.config.corpusDir, SEED_ID)).size);
    expect(Date.parse(doc!.addedAt!)).toBeLessThanOrEqual(Date.now());
  });

  it('returns the exact text of a document by URL-encoded id', async () => {
    const res = await fetch(`${t.url}/api/documents/${encodeURIComponent(SEED_ID)}`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as DocumentResponse;
    expect(body.id).toBe(SEED_ID);
    expect(body.text).toContain('2,700 foreign law enforcement officers');
  });

  it('answers 404 for an unknown id', async () => {
    const res = await raw('/api/documents/nope.txt');
    expect(res.status).toBe(404);
    expect(errorOf(res.body).code).toBe('DOCUMENT_NOT_FOUND');
  });

  it.each([
    '/api/documents/..%2F..%2Fpackage.json',
    '/api/documents/%2e%2e%2f%2e%2e%2fpackage.json',
    '/api/documents/%2E%2E%2Fseeds%2F000_4434d9e95f18ffce.txt',
    '/api/documents/..%5C..%5Cpackage.json',
    '/api/documents/%2Fetc%2Fpasswd',
    '/api/documents/%2Fwork%2Fmain%2Fpackage.json',
    '/api/documents/..',
    '/api/documents/../../package.json',
    '/api/documents/000_4434d9e95f18ffce.txt%00',
    '/api/documents/.%2F000_4434d9e95f18ffce.txt',
  ])('never reads a path the client chose: %s', async (pathname) => {
    const res = await raw(pathname);
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    expect(res.body).not.toContain('"dependencies"');
    expect(res.body).not.toContain('root:');
    errorOf(res.body);
  });

  it('answers 400 for a malformed percent-encoding', async () => {
    const res = await raw('/api/documents/%E0%A4%A');
    expect(res.status).toBe(400);
    errorOf(res.body);
  });
});

describe('GET /api/suggestions', () => {
  it('suggests questions about the corpus that the server answers, the same on every request', async () => {
    const res = await fetch(`${t.url}/api/suggestions`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as SuggestionsResponse;
    expect(body.suggestions.length).toBeGreaterThan(0);
    for (const { question, docId } of body.suggestions) {
      expect(docId).toBe(SEED_ID);
      const answer = (await (await fetch(`${t.url}/api/ask`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ question }) })).json()) as AskResult;
      expect(answer.abstained, question).toBe(false);
    }
    expect(await (await fetch(`${t.url}/api/suggestions`)).json()).toEqual(body);
  });
});

describe('POST /api/suggestions/follow-ups', () => {
  const post = (body: unknown, headers: Record<string, string> = { 'Content-Type': 'application/json' }) =>
    fetch(`${t.url}/api/suggestions/follow-ups`, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });
  const ask = async (question: string) => (await (await fetch(`${t.url}/api/ask`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ question }) })).json()) as AskResult;

  it('suggests questions the server answers from the cited document, none already asked, skipping citations it cannot read', async () => {
    const answer = await ask(QUESTION);
    expect(answer.abstained).toBe(false);
    const history = [
      { role: 'user', content: 'who is  XI JINPING' },
      { role: 'assistant', content: 'Xi Jinping is the president.' },
    ];
    const citations = [...answer.citations, { docId: 'no-such.txt', start: 0, end: 5 }, { docId: SEED_ID, start: 10, end: 10_000_000 }];
    const res = await post({ question: QUESTION, history, citations });
    expect(res.status).toBe(200);
    const body = (await res.json()) as FollowUpsResponse;
    expect(body.suggestions.length).toBeGreaterThan(0);
    expect(body.suggestions.length).toBeLessThanOrEqual(3);
    expect(body.suggestions.map((s) => s.question.toLowerCase())).not.toContain('who is xi jinping?');
    for (const { question, docId } of body.suggestions) {
      expect(docId).toBe(SEED_ID);
      expect(question).not.toBe(QUESTION);
      const followUp = await ask(question);
      expect(followUp.abstained, question).toBe(false);
      expect(followUp.citations.some((c) => c.docId === SEED_ID), question).toBe(true);
    }
  });

  it('answers an empty list when no citation can be read', async () => {
    const res = await post({ question: QUESTION, citations: [{ docId: 'no-such.txt', start: 0, end: 5 }] });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ suggestions: [] });
  });

  it.each([
    ['no citations', { question: QUESTION }, 'citations'],
    ['a blank question', { question: '  ', citations: [] }, 'question'],
    ['a question that is too long', { question: 'x'.repeat(2001), citations: [] }, 'question'],
    ['too many citations', { question: QUESTION, citations: Array.from({ length: 21 }, () => ({ docId: SEED_ID, start: 0, end: 5 })) }, 'citations'],
    ['a negative offset', { question: QUESTION, citations: [{ docId: SEED_ID, start: -1, end: 5 }] }, 'citations.0.start'],
    ['a fractional offset', { question: QUESTION, citations: [{ docId: SEED_ID, start: 0, end: 5.5 }] }, 'citations.0.end'],
  ])('answers 400 naming the field for %s', async (_name, body, field) => {
    const res = await post(body);
    expect(res.status).toBe(400);
    const error = (await res.json()) as ErrorBody;
    expect(error.error.code).toBe('BAD_INPUT');
    expect(error.error.message).toContain(field);
  });

  it('answers 400 for a body that is not JSON and 415 for one not sent as JSON', async () => {
    const bad = await post('{"question":');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as ErrorBody).error.code).toBe('BAD_JSON');
    const text = await post(JSON.stringify({ question: QUESTION, citations: [] }), { 'Content-Type': 'text/plain' });
    expect(text.status).toBe(415);
    expect(((await text.json()) as ErrorBody).error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });
});

describe('robustness', () => {
  it('answers unknown API paths with a JSON 404', async () => {
    const res = await raw('/api/nope');
    expect(res.status).toBe(404);
    expect(errorOf(res.body).code).toBe('NOT_FOUND');
  });

  it('refuses requests addressed to another host name (DNS rebinding)', async () => {
    const res = await raw('/api/health', { headers: { Host: 'evil.example:80' } });
    expect(res.status).toBe(403);
    expect(errorOf(res.body).code).toBe('HOST_NOT_ALLOWED');
  });

  it('keeps serving after bad requests', async () => {
    await postAsk('{');
    await postAsk(Buffer.alloc(200 * 1024, 'a'));
    await raw('/api/documents/%ZZ');
    const res = await fetch(`${t.url}/api/health`);
    expect(res.status).toBe(200);
  });
});

describe('only documented error codes leave the server', () => {
  const documented = documentedHttpCodes();
  /** The body names a documented code and carries no internal code, errno name or stack frame. */
  function expectClean(res: { status: number; body: string }, status: number, code: string): ErrorBody['error'] {
    expect(res.status, res.body).toBe(status);
    const error = errorOf(res.body);
    expect(error.code).toBe(code);
    expect(documented.has(error.code), `${error.code} is in the README's error table`).toBe(true);
    expect(res.body).not.toMatch(/Z_[A-Z]|ERR_|ECONN|ENOENT|decode param|incorrect header|\bat \S+ \(|\.[jt]s:\d/);
    return error;
  }
  const garbage = Buffer.from('this is not compressed at all, just text');
  const compressed = (encoding: string, body: Buffer) =>
    raw('/api/ask', { method: 'POST', headers: { 'Content-Type': 'application/json', 'Content-Encoding': encoding, 'Content-Length': String(body.length) }, body });

  it.each(['gzip', 'deflate', 'br'])('a corrupt %s body is a 400 BAD_REQUEST that names the encoding', async (encoding) => {
    const error = expectClean(await compressed(encoding, garbage), 400, 'BAD_REQUEST');
    expect(error.message).toContain('Content-Encoding');
  });

  it('a truncated gzip body is a 400 BAD_REQUEST', async () => {
    expectClean(await compressed('gzip', zlib.gzipSync(JSON.stringify({ question: QUESTION })).subarray(0, 20)), 400, 'BAD_REQUEST');
  });

  it('a valid gzip body is still answered', async () => {
    const res = await compressed('gzip', zlib.gzipSync(JSON.stringify({ question: QUESTION })));
    expect(res.status).toBe(200);
    expect((JSON.parse(res.body) as AskResult).answer).toContain('2,700');
  });

  it('a compressed body that inflates past the limit is a 413 PAYLOAD_TOO_LARGE', async () => {
    expectClean(await compressed('gzip', zlib.gzipSync(JSON.stringify({ question: 'x'.repeat(500_000) }))), 413, 'PAYLOAD_TOO_LARGE');
  });

  it('an unsupported encoding or charset is a 415 UNSUPPORTED_ENCODING', async () => {
    expectClean(await compressed('x-custom', garbage), 415, 'UNSUPPORTED_ENCODING');
    const body = JSON.stringify({ question: QUESTION });
    expectClean(await postAsk(body, 'application/json; charset=koi8-r'), 415, 'UNSUPPORTED_ENCODING');
  });

  it.each(['/api/documents/%E0%A4%A', '/api/documents/%zz', '/api/documents/abc%', '/api/documents/%C0%AF'])('a bad percent-escape in a document id is a 400 BAD_REQUEST: %s', async (pathname) => {
    const error = expectClean(await raw(pathname), 400, 'BAD_REQUEST');
    expect(error.message).toContain('encodeURIComponent');
  });

  it('an unexpected failure is a 500 INTERNAL whose message holds no internals', async () => {
    const failing = await startTestServer({
      wrapPipeline: (p) => ({
        ...p,
        search: async () => {
          fs.readFileSync('/nonexistent/verbatim/index.bin'); // a real ENOENT, with errno, path and stack
          return [];
        },
      }),
    });
    try {
      const res = await fetch(`${failing.url}/api/search?q=law`);
      const error = expectClean({ status: res.status, body: await res.text() }, 500, 'INTERNAL');
      expect(error.message).not.toContain('/nonexistent');
    } finally {
      await failing.close();
    }
  });
});

describe('rate limit', () => {
  it('answers 429 with a JSON error past the limit', async () => {
    const limited = await startTestServer({ requestsPerMinute: 2 });
    try {
      expect((await fetch(`${limited.url}/api/health`)).status).toBe(200);
      expect((await fetch(`${limited.url}/api/health`)).status).toBe(200);
      const res = await fetch(`${limited.url}/api/health`);
      expect(res.status).toBe(429);
      expect(errorOf(await res.text()).code).toBe('RATE_LIMITED');
    } finally {
      await limited.close();
    }
  });
});

describe('access token', () => {
  const token = 'test-token-0123456789abcdef';
  let guarded: TestServer;
  beforeAll(async () => {
    guarded = await startTestServer({ configOverrides: { apiToken: token } });
  });
  afterAll(async () => {
    await guarded?.close();
  });

  it('requires the bearer token on the API', async () => {
    const denied = await fetch(`${guarded.url}/api/health`);
    expect(denied.status).toBe(401);
    expect(errorOf(await denied.text()).code).toBe('UNAUTHORIZED');
    expect((await fetch(`${guarded.url}/api/health`, { headers: { Authorization: `Bearer ${token}x` } })).status).toBe(401);
    expect((await fetch(`${guarded.url}/api/health`, { headers: { Authorization: `Bearer ${token}` } })).status).toBe(200);
  });

  it.each([
    ['spaces', 'my secret token with spaces'],
    ['a comma', 'abcdefgh,ijklmnopqr'],
    ['quotes', '"abcdefghijklmnopq"'],
    ['too few characters', 'short-token'],
    ['too many characters', 'x'.repeat(257)],
  ])('refuses at start-up a token with %s, saying what is allowed', async (_what, bad) => {
    expect(() => loadConfig({ env: { API_TOKEN: bad } })).toThrow(ConfigError);
    let message = '';
    try {
      loadConfig({ env: { API_TOKEN: bad } });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('API_TOKEN');
    expect(message).toContain('letters, digits, `-` and `_`');
    expect(message).toMatch(/16–256 characters/);
    expect(message).not.toContain(bad);
    // A config built by hand, not by loadConfig, is refused by the server itself.
    const config = { ...guarded.config, apiToken: bad };
    await expect(createServer({ pipeline: guarded.pipeline, config, logger: createLogger({ level: 'silent' }), port: 0, webRoot: false })).rejects.toThrow(/letters, digits/);
  });

  it('accepts a token of letters, digits, - and _', () => {
    expect(loadConfig({ env: { API_TOKEN: 'Ab-_0123456789xyz' } }).apiToken).toBe('Ab-_0123456789xyz');
  });

  it('requires the token subprotocol on the WebSocket', async () => {
    await expect(connect(guarded.wsUrl)).rejects.toThrow(/401/);
    await expect(connect(guarded.wsUrl, { headers: { 'Sec-WebSocket-Protocol': 'verbatim.v1, verbatim.token.wrong' } })).rejects.toThrow(/401/);
    const ws = new WebSocket(guarded.wsUrl, ['verbatim.v1', `verbatim.token.${token}`]);
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    expect(ws.protocol).toBe('verbatim.v1');
    ws.close();
  });
});

describe('failed authentications', () => {
  const token = 'limit-token-0123456789abcdef';
  /** GET /api/health from `localAddress` (another loopback address is another client). */
  function health(url: string, options: { token?: string; localAddress?: string } = {}): Promise<number> {
    return new Promise((resolve, reject) => {
      const headers: Record<string, string> = options.token ? { Authorization: `Bearer ${options.token}` } : {};
      const req = http.get(`${url}/api/health`, { headers, localAddress: options.localAddress ?? '127.0.0.1' }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
    });
  }

  it('are limited per client address: past the limit even the right token gets 429, over HTTP and WebSocket', async () => {
    const s = await startTestServer({ configOverrides: { apiToken: token, authFailuresPerMinute: 3 } });
    try {
      expect(await health(s.url, { token })).toBe(200);
      for (let i = 0; i < 3; i++) expect(await health(s.url, { token: `wrong-guess-${i}-0123456789` })).toBe(401);
      // Now the token is not even looked at.
      const res = await fetch(`${s.url}/api/health`, { headers: { Authorization: `Bearer ${token}` } });
      expect(res.status).toBe(429);
      const error = errorOf(await res.text());
      expect(error.code).toBe('RATE_LIMITED');
      expect(error.message).toContain('failed authentications');
      // It says when to try again, in the header and the message, as the request limiter's 429 does.
      const retryAfter = Number(res.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(60);
      expect(error.message).toContain(`wait ${retryAfter} s`);
      await expect(connect(s.wsUrl, { headers: { 'Sec-WebSocket-Protocol': `verbatim.v1, verbatim.token.${token}` } })).rejects.toThrow(/429/);
      const upgrade = await new Promise<http.IncomingMessage>((resolve, reject) => {
        const key = Buffer.alloc(16, 1).toString('base64');
        const headers = { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': key, 'Sec-WebSocket-Protocol': `verbatim.v1, verbatim.token.${token}` };
        http.get(`${s.wsUrl.replace(/^ws/, 'http')}`, { headers }, resolve).on('error', reject);
      });
      upgrade.resume();
      expect(upgrade.statusCode).toBe(429);
      expect(Number(upgrade.headers['retry-after'])).toBeGreaterThan(0);
      // Successful requests never counted, and another address is not affected.
      expect(await health(s.url, { token, localAddress: '127.0.0.2' })).toBe(200);
      expect(await health(s.url, { token: 'another-wrong-guess-012345', localAddress: '127.0.0.2' })).toBe(401);
      expect(await health(s.url, { token, localAddress: '127.0.0.2' })).toBe(200);
    } finally {
      await s.close();
    }
  });

  it('over WebSocket upgrades count too', async () => {
    const s = await startTestServer({ configOverrides: { apiToken: token, authFailuresPerMinute: 2 } });
    try {
      await expect(connect(s.wsUrl)).rejects.toThrow(/401/);
      await expect(connect(s.wsUrl, { headers: { 'Sec-WebSocket-Protocol': 'verbatim.v1, verbatim.token.wrong-wrong-wrong-wrong' } })).rejects.toThrow(/401/);
      await expect(connect(s.wsUrl, { headers: { 'Sec-WebSocket-Protocol': `verbatim.v1, verbatim.token.${token}` } })).rejects.toThrow(/429/);
      expect(await health(s.url, { token })).toBe(429);
    } finally {
      await s.close();
    }
  });
});
