import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import { openPipeline } from '../open-pipeline.js';
import type { Pipeline } from '../pipeline.js';
import type { AskResult } from '../types.js';
import { foldQuestion, followUpQuestions } from './follow-up-questions.js';

/** The real ingest, BM25 retrieval and extractive answerer over the seed corpus. */
const SEEDS = path.resolve(import.meta.dirname, '../../seeds');
const QUESTION = 'How many foreign law enforcement officers did China train in 2023?';
let tmp: string;
let pipeline: Pipeline;
let answer: AskResult;

beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'verbatim-follow-up-questions-'));
  const config = loadConfig({ overrides: { corpusDir: SEEDS, indexDir: path.join(tmp, 'index'), disableEmbeddings: true } });
  ({ pipeline } = await openPipeline({ config, ingest: true }));
  answer = await pipeline.ask({ question: QUESTION });
});
afterAll(async () => {
  await pipeline?.close();
  await fs.rm(tmp, { recursive: true, force: true });
});

/** What a suggestion asks about, as the starter questions' rules word it. */
function subjectOf(question: string): string {
  const m = /^(?:Who is|What is the|What do(?:es)? the documents? say about) (.+)\?$/u.exec(question);
  if (!m) throw new Error(`not a question the rules word: ${question}`);
  return m[1]!.toLowerCase();
}

/** The text within `reach` characters of a span. */
function around(text: string, span: { start: number; end: number }, reach: number): string {
  return text.slice(Math.max(0, span.start - reach), span.end + reach).toLowerCase();
}

/** `pipeline`, recording every ask it is sent. */
function recording(asks: Parameters<Pipeline['ask']>[0][]): Pick<Pipeline, 'listDocuments' | 'getDocument' | 'ask'> {
  return {
    listDocuments: () => pipeline.listDocuments(),
    getDocument: (id) => pipeline.getDocument(id),
    ask: (request) => {
      asks.push(request);
      return pipeline.ask(request);
    },
  };
}

describe('follow-up questions of an answer about the seed document', () => {
  it('suggests up to three questions about what surrounds the cited span, each answered from its document with something the answer did not cite', async () => {
    expect(answer.abstained).toBe(false);
    const [cited] = answer.citations;
    const text = pipeline.getDocument(cited!.docId)!.text;
    const asks: Parameters<Pipeline['ask']>[0][] = [];
    const suggestions = await followUpQuestions({ pipeline: recording(asks), citations: answer.citations, asked: [QUESTION] });
    expect(suggestions.length).toBeGreaterThan(0);
    expect(suggestions.length).toBeLessThanOrEqual(3);
    expect(asks.length).toBeLessThanOrEqual(8);
    expect(asks.every((a) => a.quoteOnly === true && a.history === undefined)).toBe(true);
    for (const s of suggestions) {
      expect(around(text, cited!, 1000 + 120), s.question).toContain(subjectOf(s.question));
      const result = await pipeline.ask({ question: s.question, quoteOnly: true });
      expect(result.abstained, s.question).toBe(false);
      expect(result.citations.some((c) => c.docId === s.docId), s.question).toBe(true);
      expect(result.citations.some((c) => c.start !== cited!.start || c.end !== cited!.end), s.question).toBe(true);
    }
  });

  it('suggests about another part of the document when the answer cites that part, and not what it suggested for the first', async () => {
    const docId = answer.citations[0]!.docId;
    const text = pipeline.getDocument(docId)!.text;
    const start = text.indexOf('Chen was accused of orchestrating');
    const span = { docId, start, end: text.indexOf('.', start) + 1 };
    const near = await followUpQuestions({ pipeline, citations: answer.citations, asked: [QUESTION] });
    const far = await followUpQuestions({ pipeline, citations: [span], asked: ['What did Chen do?'] });
    expect(far.length).toBeGreaterThan(0);
    for (const s of far) expect(around(text, span, 1000 + 120), s.question).toContain(subjectOf(s.question));
    expect(far.map((s) => s.question)).not.toEqual(near.map((s) => s.question));
  });

  it('never suggests a question already asked, however it was typed', async () => {
    const first = await followUpQuestions({ pipeline, citations: answer.citations, asked: [QUESTION] });
    expect(first.length).toBeGreaterThan(0);
    const typed = first.map((s) => `  ${s.question.toUpperCase().replace(' ', '   ').replace('?', '')} `);
    const again = await followUpQuestions({ pipeline, citations: answer.citations, asked: [QUESTION, ...typed] });
    const folded = new Set(first.map((s) => foldQuestion(s.question)));
    expect(again.filter((s) => folded.has(foldQuestion(s.question)))).toEqual([]);
  });

  it('leaves out a candidate whose answer is only the span already cited', async () => {
    const all = await followUpQuestions({ pipeline, citations: answer.citations, asked: [QUESTION] });
    const top = all[0]!;
    const own = await pipeline.ask({ question: top.question, quoteOnly: true });
    // Cite, as the answer did, exactly what the suggestion's own answer quotes: it is no longer new.
    const citations = [...answer.citations, ...own.citations.map(({ docId, start, end }) => ({ docId, start, end }))];
    const after = await followUpQuestions({ pipeline, citations, asked: [QUESTION] });
    expect(after.map((s) => s.question)).not.toContain(top.question);
  });

  it('reads whole lines and words around a span wherever it falls, so no suggestion is about a cut-off heading or name', async () => {
    const docId = answer.citations[0]!.docId;
    const text = pipeline.getDocument(docId)!.text;
    const lines = new Set(text.split('\n').map((l) => l.trim().toLowerCase()));
    const words = new Set(text.toLowerCase().split(/[\s,.:;()“”"]+/u));
    // Every candidate counts as answered with something new, so each one derived is returned and checked.
    const answersAll = { listDocuments: () => pipeline.listDocuments(), getDocument: (id: string) => pipeline.getDocument(id), ask: async () => ({ ...answer, abstained: false, citations: [{ n: 1, docId, start: 0, end: 1, quote: text[0]! }] }) };
    for (let start = 0; start + 40 <= text.length; start += 37) {
      const suggestions = await followUpQuestions({ pipeline: answersAll, citations: [{ docId, start, end: start + 40 }], asked: [], limit: 8 });
      for (const s of suggestions) {
        const subject = subjectOf(s.question);
        if (s.question.startsWith('What does the document say about')) expect(lines, `${start}: ${s.question}`).toContain(subject);
        for (const word of subject.split(' ')) expect(words, `${start}: ${s.question}`).toContain(word.replace(/[“”]/gu, ''));
      }
    }
  });

  it('ignores citations of unknown documents and spans outside their document, without asking anything', async () => {
    const docId = answer.citations[0]!.docId;
    const length = pipeline.getDocument(docId)!.text.length;
    const asks: Parameters<Pipeline['ask']>[0][] = [];
    const bad = [
      { docId: 'no-such-document.txt', start: 0, end: 10 },
      { docId, start: length, end: length + 50 },
      { docId, start: 20, end: 10 },
      { docId, start: -5, end: 10 },
      { docId, start: 0.5, end: 10 },
    ];
    expect(await followUpQuestions({ pipeline: recording(asks), citations: bad, asked: [] })).toEqual([]);
    expect(asks).toEqual([]);
  });
});
