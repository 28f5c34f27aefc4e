/**
 * The MCP server through the SDK's own client over an in-memory transport pair, against a real pipeline over the seed
 * corpus (plus a document whose id has a slash and a space): what a model sees of the tools, cited answers that check
 * out against the documents, abstentions as normal results, and every failure as a tool error the server survives.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import packageJson from '../../package.json' with { type: 'json' };
import { AbortedError, ServerBusyError } from '../../retrieval/errors.js';
import { createLogger } from '../../retrieval/logger.js';
import type { Pipeline } from '../../retrieval/pipeline.js';
import { startTestServer, type TestServer } from '../__fixtures__/test-server.js';
import { callTool, expectCitationsVerified, SEED_QUESTION, type AskContent, type SpanContent } from './__fixtures__/mcp-tool-calls.js';
import { createMcpServer } from './create-mcp-server.js';
import { documentUri } from './document-resources.js';
import type { SearchHit } from './search-tool.js';

const REPORT_ID = 'reports/2024 annual.md';
const REPORT_TEXT = '# Annual report 2024\n\nThe lighthouse keeper counted 412 ships in 2024.\n';

let t: TestServer;
const clients: Client[] = [];
beforeAll(async () => {
  // A top-k below the number of matching passages, so the default k shows in the number of hits.
  t = await startTestServer({ extraFiles: { [REPORT_ID]: REPORT_TEXT }, configOverrides: { topK: 3 } });
});
afterEach(async () => {
  for (const client of clients.splice(0)) await client.close();
});
afterAll(async () => t?.close());

/** A client connected to a fresh MCP server over `pipeline`. */
async function connectTo(pipeline: Pipeline = t.pipeline): Promise<Client> {
  const server = createMcpServer({ pipeline, config: t.config, logger: createLogger({ level: 'silent' }) });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  const client = new Client({ name: 'verbatim-test', version: '1.0.0' });
  await Promise.all([server.connect(serverSide), client.connect(clientSide)]);
  clients.push(client);
  return client;
}

describe('what a client sees of the server', () => {
  it('introduces itself as verbatim with the package version and instructions for the model', async () => {
    const client = await connectTo();
    expect(client.getServerVersion()).toMatchObject({ name: 'verbatim', version: packageJson.version });
    expect(client.getInstructions()).toMatch(/ask.*search.*get_document_span/s);
  });

  it('lists the three read-only tools with titles, descriptions and input and output schemas', async () => {
    const { tools } = await (await connectTo()).listTools();
    expect(tools.map((tool) => tool.name)).toEqual(['search', 'ask', 'get_document_span']);
    for (const tool of tools) {
      expect(tool.title).toBeTruthy();
      expect(tool.description!.length).toBeGreaterThan(100);
      expect(tool.annotations).toMatchObject({ readOnlyHint: true, openWorldHint: false });
      expect(tool.outputSchema).toMatchObject({ type: 'object' });
    }
    const [search, ask, span] = tools;
    expect(ask!.inputSchema).toMatchObject({ required: ['question'], properties: { question: { type: 'string', minLength: 1, maxLength: 2000 }, history: { type: 'array', maxItems: 50 } } });
    expect(ask!.outputSchema!.properties).toHaveProperty('citations');
    expect(search!.inputSchema).toMatchObject({ required: ['query'], properties: { k: { type: 'integer', minimum: 1, maximum: 100 } } });
    expect(span!.inputSchema).toMatchObject({ required: ['docId', 'start', 'end'], properties: { context: { default: 200, maximum: 2000 } } });
  });
});

describe('ask', () => {
  it('answers with [n] markers, the citations as structured content and a Sources list, every quote exact', async () => {
    const client = await connectTo();
    const { result, text, structured } = await callTool<AskContent>(client, 'ask', { question: SEED_QUESTION });
    expect(result.isError).toBeFalsy();
    const direct = await t.pipeline.ask({ question: SEED_QUESTION });
    expect(structured).toMatchObject({ answer: direct.answer, shortAnswer: '2,700', abstained: false, abstentionReason: null });
    expect(structured.citations.map(({ title: _title, ...c }) => c)).toEqual(direct.citations);
    await expectCitationsVerified(client, structured.citations);

    expect(text.startsWith(direct.shortAnswerConfident ? 'Short answer: 2,700\n\n' : direct.answer)).toBe(true);
    expect(text).toContain(direct.answer);
    expect(text).toMatch(/Confidence \d+%/);
    const sources = text.split('\n\nSources:\n')[1]!.split('\n');
    expect(sources).toHaveLength(structured.citations.length);
    for (const [i, c] of structured.citations.entries()) {
      expect(structured.answer).toContain(`[${c.n}]`);
      expect(sources[i]).toContain(`[${c.n}] ${c.title} (${c.docId}, characters ${c.start}–${c.end})`);
      expect(sources[i]).toContain(c.quote.replace(/\s+/g, ' ').trim());
    }
  });

  it('abstains as a normal result with the reason, when the documents do not answer', async () => {
    const { result, text, structured } = await callTool<AskContent>(await connectTo(), 'ask', { question: 'How many of the foreign officers China trained in 2023 came from Africa?' });
    expect(result.isError).toBeFalsy();
    expect(structured.abstained).toBe(true);
    expect(structured.abstentionReason).toMatch(/^[A-Z_]+$/);
    expect(structured.citations).toEqual([]);
    expect(text).toContain("The documents don't say.");
    expect(text).toContain(`Reason: ${structured.abstentionReason} — `);
  });

  it('reads a follow-up against the history, as /api/ask does', async () => {
    const history = [
      { role: 'user' as const, content: SEED_QUESTION },
      { role: 'assistant' as const, content: 'China trained 2,700 foreign law enforcement officers in 2023. [1]' },
    ];
    const { structured } = await callTool<AskContent>(await connectTo(), 'ask', { question: 'And how many more by 2025?', history });
    const direct = await t.pipeline.ask({ question: 'And how many more by 2025?', history });
    expect(structured.retrievalQuery).toBe(direct.retrievalQuery);
    expect(structured.retrievalQuery).not.toBe('And how many more by 2025?');
    expect(structured.answer).toBe(direct.answer);
  });

  it('refuses a question the API would refuse with a tool error that says what is wrong', async () => {
    const client = await connectTo();
    const refusals = [
      [{ question: '   ' }, 'the question is empty'],
      [{ question: 'why '.repeat(600) }, 'longer than 2000 characters'],
      [{}, 'question'],
      [{ question: SEED_QUESTION, history: Array.from({ length: 51 }, () => ({ role: 'user', content: 'x' })) }, 'history'],
      [{ question: SEED_QUESTION, history: [{ role: 'system', content: 'x' }] }, 'role'],
    ] as const;
    for (const [args, message] of refusals) {
      const { result, text } = await callTool(client, 'ask', args);
      expect(result.isError, JSON.stringify(args).slice(0, 80)).toBe(true);
      expect(text).toContain(message);
    }
    expect((await callTool<AskContent>(client, 'ask', { question: SEED_QUESTION })).structured.shortAnswer).toBe('2,700');
  });
});

describe('search', () => {
  it('returns passages best first with exact offsets, titles and the scores behind their rank', async () => {
    const client = await connectTo();
    const { result, text, structured } = await callTool<{ query: string; hits: SearchHit[] }>(client, 'search', { query: 'foreign law enforcement officers', k: 3 });
    expect(result.isError).toBeFalsy();
    expect(structured.hits.length).toBeGreaterThan(0);
    expect(structured.hits.length).toBeLessThanOrEqual(3);
    const direct = await t.pipeline.search('foreign law enforcement officers', { k: 3 });
    expect(structured.hits.map((h) => h.id)).toEqual(direct.map((p) => p.id));
    for (const hit of structured.hits) {
      const document = t.pipeline.getDocument(hit.docId)!;
      expect(hit.text).toBe(document.text.slice(hit.start, hit.end));
      expect(hit.title).toBe(document.title);
      expect(hit.scores.rrf).toBe(hit.score);
      expect(hit.scores.bm25Rank).toBeGreaterThanOrEqual(1);
    }
    expect(structured.hits.map((h) => h.score)).toEqual([...structured.hits.map((h) => h.score)].sort((a, b) => b - a));
    expect(text).toContain(`[1] ${structured.hits[0]!.title} (${structured.hits[0]!.docId}, characters ${structured.hits[0]!.start}–${structured.hits[0]!.end}`);
  });

  it('returns the configured number of passages by default, and refuses a k out of range', async () => {
    const client = await connectTo();
    const { structured } = await callTool<{ hits: SearchHit[] }>(client, 'search', { query: 'the officers China trained' });
    expect(structured.hits).toHaveLength(3);
    expect(structured.hits.map((h) => h.id)).toEqual((await t.pipeline.search('the officers China trained', { k: t.config.topK })).map((p) => p.id));
    for (const k of [0, 101, 2.5]) {
      const { result, text } = await callTool(client, 'search', { query: 'China', k });
      expect(result.isError).toBe(true);
      expect(text).toContain('k');
    }
  });
});

describe('get_document_span', () => {
  it('returns the exact slice with the context around it, cut at the document edges', async () => {
    const client = await connectTo();
    const report = t.pipeline.getDocument(REPORT_ID)!;
    const start = report.text.indexOf('412');
    const { result, text, structured } = await callTool<SpanContent>(client, 'get_document_span', { docId: REPORT_ID, start, end: start + 3, context: 10 });
    expect(result.isError).toBeFalsy();
    expect(structured).toEqual({
      docId: REPORT_ID,
      title: report.title,
      start,
      end: start + 3,
      text: '412',
      before: report.text.slice(start - 10, start),
      after: report.text.slice(start + 3, start + 13),
      documentLength: report.text.length,
    });
    expect(text).toContain(`…${structured.before}⟦412⟧${structured.after}…`);
    const whole = await callTool<SpanContent>(client, 'get_document_span', { docId: REPORT_ID, start: 0, end: report.text.length });
    expect(whole.structured).toMatchObject({ text: report.text, before: '', after: '' });
  });

  it('refuses an unknown document and offsets outside it, naming the valid range', async () => {
    const client = await connectTo();
    const length = REPORT_TEXT.length;
    const unknown = await callTool(client, 'get_document_span', { docId: 'missing.txt', start: 0, end: 1 });
    expect(unknown.result.isError).toBe(true);
    expect(unknown.text).toMatch(/^DOCUMENT_NOT_FOUND: no document with id "missing.txt"/);
    for (const [start, end] of [[0, length + 1], [5, 4]]) {
      const outside = await callTool(client, 'get_document_span', { docId: REPORT_ID, start, end });
      expect(outside.result.isError).toBe(true);
      expect(outside.text).toContain(`give 0 ≤ start ≤ end ≤ ${length}`);
    }
    const negative = await callTool(client, 'get_document_span', { docId: REPORT_ID, start: -1, end: 3 });
    expect(negative.result.isError).toBe(true);
    expect(negative.text).toContain('start must be 0 or more');
  });
});

describe('documents as resources', () => {
  it('lists every document with its title and reads back its exact text, ids with slashes and spaces included', async () => {
    const client = await connectTo();
    const { resources } = await client.listResources();
    expect(resources.map((r) => r.name).sort()).toEqual(t.pipeline.listDocuments().map((d) => d.id).sort());
    const report = resources.find((r) => r.name === REPORT_ID)!;
    expect(report).toMatchObject({ uri: 'verbatim://documents/reports%2F2024%20annual.md', title: 'Annual report 2024', mimeType: 'text/plain' });
    for (const resource of resources) {
      const { contents } = await client.readResource({ uri: resource.uri });
      expect(contents).toEqual([{ uri: resource.uri, mimeType: 'text/plain', text: t.pipeline.getDocument(resource.name)!.text }]);
    }
    const { resourceTemplates } = await client.listResourceTemplates();
    expect(resourceTemplates).toMatchObject([{ uriTemplate: 'verbatim://documents/{docId}', mimeType: 'text/plain' }]);
  });

  it('answers an unknown or badly encoded document with a resource error', async () => {
    const client = await connectTo();
    const missing = await client.readResource({ uri: documentUri('missing.txt') }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(McpError);
    expect(missing).toMatchObject({ code: -32002 });
    expect((missing as Error).message).toContain('no document with id "missing.txt"');
    const garbled = await client.readResource({ uri: 'verbatim://documents/%E0%A4%A' }).catch((e: unknown) => e);
    expect((garbled as Error).message).toContain('encodeURIComponent');
  });
});

describe('failures of the pipeline', () => {
  it('turns a refusal into a tool error with its code and message, an unexpected fault into INTERNAL, and keeps serving', async () => {
    let failure: Error = new ServerBusyError(256);
    const failing: Pipeline = { ...t.pipeline, ask: () => Promise.reject(failure), search: () => Promise.reject(failure), getDocument: (id) => t.pipeline.getDocument(id) };
    const client = await connectTo(failing);
    const busy = await callTool(client, 'ask', { question: SEED_QUESTION });
    expect(busy.result).toMatchObject({ isError: true });
    expect(busy.text).toBe('SERVER_BUSY: the server is answering too many questions (256 waiting): try again in a moment');
    failure = new Error('ENOENT /secret/internal/path');
    for (const tool of ['ask', 'search']) {
      const fault = await callTool(client, tool, tool === 'ask' ? { question: SEED_QUESTION } : { query: 'China' });
      expect(fault.text).toBe('INTERNAL: unexpected server error: see the server log');
    }
    const span = await callTool<SpanContent>(client, 'get_document_span', { docId: REPORT_ID, start: 0, end: 5 });
    expect(span.structured.text).toBe(REPORT_TEXT.slice(0, 5));
  });

  it('aborts the pipeline’s work when the client cancels the call', async () => {
    let started!: () => void;
    const askStarted = new Promise<void>((resolve) => (started = resolve));
    let aborted!: (reason: unknown) => void;
    const askAborted = new Promise<unknown>((resolve) => (aborted = resolve));
    const waiting: Pipeline = {
      ...t.pipeline,
      getDocument: (id) => t.pipeline.getDocument(id),
      ask: ({ signal }) =>
        new Promise((_resolve, reject) => {
          started();
          signal!.addEventListener('abort', () => {
            aborted(signal!.reason);
            reject(new AbortedError());
          });
        }),
    };
    const client = await connectTo(waiting);
    const cancel = new AbortController();
    const call = client.callTool({ name: 'ask', arguments: { question: SEED_QUESTION } }, undefined, { signal: cancel.signal }).catch((e: unknown) => e);
    await askStarted;
    cancel.abort('the user stopped it');
    await askAborted;
    expect(await call).toBeInstanceOf(Error);
  });
});
