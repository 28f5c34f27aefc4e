/**
 * PDF and Word documents end to end: ingested by the real server's pipeline, answered in its worker threads (which
 * read the index from disk), over HTTP and from `npm run ask -- --json`; every citation's quote is the document text
 * at its offsets, and a PDF citation's pages are the pages its quote is printed on.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runNpmScript } from '../cli/__fixtures__/run-npm-script.js';
import { REPORT, writeDocumentCorpus } from '../retrieval/corpus/__fixtures__/test-documents.js';
import type { AskResult, Citation } from '../retrieval/types.js';
import { startTestServer, type TestServer } from './__fixtures__/test-server.js';
import { connect, framesOf } from './__fixtures__/ws-client.js';
import type { DocumentResponse } from './protocol.js';
import { askResultSchema } from './response-schemas.js';

let tmp: string;
let t: TestServer;

beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'verbatim-document-citations-'));
  const corpusDir = path.join(tmp, 'corpus');
  await writeDocumentCorpus(corpusDir);
  t = await startTestServer({ corpusDir, pooled: true });
}, 120_000);
afterAll(async () => {
  await t?.close();
  await fs.rm(tmp, { recursive: true, force: true });
});

async function ask(question: string): Promise<AskResult> {
  const res = await fetch(`${t.url}/api/ask`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ question }) });
  expect(res.status).toBe(200);
  return askResultSchema.parse(await res.json()) as AskResult;
}

async function documentText(id: string): Promise<string> {
  return ((await (await fetch(`${t.url}/api/documents/${encodeURIComponent(id)}`)).json()) as DocumentResponse).text;
}

/** The citation quoting `needle`, after checking that every citation quotes its document exactly. */
async function citationQuoting(result: AskResult, needle: string): Promise<Citation> {
  expect(result.abstained, result.answer).toBe(false);
  for (const c of result.citations) expect(c.quote).toBe((await documentText(c.docId)).slice(c.start, c.end));
  const citation = result.citations.find((c) => c.quote.includes(needle));
  expect(citation, JSON.stringify(result.citations)).toBeDefined();
  return citation!;
}

describe('citations of PDF and Word documents over HTTP', () => {
  it('cites a sentence that runs across a page break with both pages', async () => {
    const c = await citationQuoting(await ask('When was the lighthouse on the breakwater lit for the first time?'), '3 March 1904');
    expect(c).toMatchObject({ docId: 'report.pdf', page: 1, pages: [1, 2] });
    expect(c.quote).toBe(`${REPORT.pageOneEnd} ${REPORT.pageTwoStart}`);
  });

  it('cites the right column of a two-column page as a whole sentence, on its page', async () => {
    const c = await citationQuoting(await ask('What was the southern pier built of?'), 'timber');
    expect(c).toMatchObject({ docId: 'report.pdf', page: 1, pages: [1] });
    expect(c.quote).toBe(REPORT.right.join(' '));
  });

  it('cites page 3 for what only page 3 says', async () => {
    const c = await citationQuoting(await ask('When did fishing fleets move to Kessel?'), '1960');
    expect(c).toMatchObject({ docId: 'report.pdf', page: 3, pages: [3] });
  });

  it('cites a Word document without pages', async () => {
    const result = await ask('Who went up in 1902 for sailors from Zürich?');
    await citationQuoting(result, 'Zürich');
    const c = result.citations.find((x) => x.docId === 'notes.docx');
    expect(c, JSON.stringify(result.citations)).toBeDefined();
    expect(c!.quote).toBe((await documentText('notes.docx')).slice(c!.start, c!.end));
    expect(c).not.toHaveProperty('page');
    expect(c).not.toHaveProperty('pages');
    expect(c!.quote).toContain('Zürich');
  });
});

describe('citations of PDFs over the WebSocket', () => {
  it('streams citation frames and a done result with page and pages', async () => {
    const client = await connect(t.wsUrl);
    try {
      client.send({ type: 'ask', id: 'pdf', question: 'When was the lighthouse on the breakwater lit for the first time?' });
      const done = await client.waitFor((f) => f.type === 'done' && f.id === 'pdf');
      if (done.type !== 'done') throw new Error('not a done frame');
      const streamed = framesOf(client.frames, 'pdf').flatMap((f) => (f.type === 'citation' ? [f.citation] : []));
      expect(streamed).toEqual(done.result.citations);
      expect(streamed.find((c) => c.quote.includes('3 March 1904'))).toMatchObject({ docId: 'report.pdf', page: 1, pages: [1, 2] });
    } finally {
      client.close();
    }
  });
});

describe('citations of PDFs from the command line', () => {
  it('ask --json carries page and pages', async () => {
    const { code, stdout, stderr } = await runNpmScript('ask', ['--index', t.config.indexDir, '--json', 'When was the lighthouse on the breakwater lit for the first time?'], { DISABLE_EMBEDDINGS: '1' });
    expect(code, stderr).toBe(0);
    const result = askResultSchema.parse(JSON.parse(stdout));
    const c = result.citations.find((x) => x.quote.includes('3 March 1904'));
    expect(c).toMatchObject({ docId: 'report.pdf', page: 1, pages: [1, 2] });
    expect(c!.quote).toBe((await documentText('report.pdf')).slice(c!.start, c!.end));
  }, 120_000);
});
