/**
 * `POST /api/feedback` against the real server on an ephemeral port: a verdict becomes one line of the feedback log
 * beside the index, bad bodies are refused with a 4xx that names the field and store nothing, many verdicts sent at
 * once are all stored whole, a line torn by a crash neither stops the next append nor the reading, and a log that
 * cannot be written is a 500 `FEEDBACK_NOT_SAVED` that leaves the server serving.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { feedbackEntrySchema } from '../retrieval/feedback/feedback-entry.js';
import { FEEDBACK_FILE_NAME, readFeedbackLog } from '../retrieval/feedback/feedback-log.js';
import type { AskResult } from '../retrieval/types.js';
import { documentedHttpCodes } from './__fixtures__/readme-error-codes.js';
import { startTestServer, type TestServer } from './__fixtures__/test-server.js';
import type { ErrorBody, FeedbackReceipt, FeedbackRequest } from './protocol.js';

const QUESTION = 'How many foreign law enforcement officers did China train in 2023?';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(async () => {
  await t?.close();
});

function post(server: TestServer, pathname: string, body: string, contentType = 'application/json') {
  return fetch(`${server.url}${pathname}`, { method: 'POST', headers: { 'Content-Type': contentType }, body });
}

async function ask(question: string, history: FeedbackRequest['history'] = []): Promise<AskResult> {
  const res = await post(t, '/api/ask', JSON.stringify({ question, history }));
  expect(res.status).toBe(200);
  return (await res.json()) as AskResult;
}

function reportOf(result: AskResult, verdict: 'up' | 'down', extra: Partial<FeedbackRequest> = {}): FeedbackRequest {
  return { verdict, question: result.question, answer: result.answer, shortAnswer: result.shortAnswer, abstained: result.abstained, citations: result.citations, ...extra };
}

async function storedLines(): Promise<string[]> {
  const text = await fs.readFile(t.config.feedbackFile, 'utf8').catch(() => '');
  return text.split('\n').filter((line) => line !== '');
}

describe('POST /api/feedback', () => {
  it('keeps the log beside the index by default', () => {
    expect(t.config.feedbackFile).toBe(path.join(t.config.indexDir, FEEDBACK_FILE_NAME));
  });

  it('stores a verdict with its note, the exchange and what served it, as one line', async () => {
    const first = await ask(QUESTION);
    const history = [
      { role: 'user' as const, content: QUESTION },
      { role: 'assistant' as const, content: first.answer },
    ];
    const followUp = await ask('And by 2025?', history);
    const before = (await storedLines()).length;
    const res = await post(t, '/api/feedback', JSON.stringify(reportOf(followUp, 'down', { history, note: '  It should say 3,000 more by 2025.  ' })));
    expect(res.status).toBe(201);
    const receipt = (await res.json()) as FeedbackReceipt;
    const lines = await storedLines();
    expect(lines).toHaveLength(before + 1);
    const entry = feedbackEntrySchema.parse(JSON.parse(lines.at(-1)!));
    expect(entry).toMatchObject({
      id: receipt.id,
      receivedAt: receipt.receivedAt,
      verdict: 'down',
      note: 'It should say 3,000 more by 2025.',
      question: 'And by 2025?',
      history,
      answer: followUp.answer,
      citations: followUp.citations,
      servedBy: { answerer: 'extractive', mode: 'lexical', embedder: null, indexGeneration: path.basename(t.pipeline.generationDir) },
    });
    expect(entry.citations.length).toBeGreaterThan(0);
    expect(entry.servedBy.indexGeneration).toMatch(/^gen-/);
  });

  it('refuses bad bodies with a 4xx naming the problem, stores nothing, and keeps serving', async () => {
    const result = await ask(QUESTION);
    const before = await storedLines();
    const cases: [string, string, number, string, RegExp][] = [
      ['a verdict that is neither up nor down', JSON.stringify(reportOf(result, 'up', { verdict: 'meh' as 'up' })), 400, 'BAD_INPUT', /verdict/],
      ['a note over the limit', JSON.stringify(reportOf(result, 'down', { note: 'x'.repeat(2001) })), 400, 'BAD_INPUT', /note.*2000/],
      ['a blank question', JSON.stringify(reportOf(result, 'up', { question: '   ' })), 400, 'BAD_INPUT', /question/],
      ['no citations', JSON.stringify({ verdict: 'up', question: QUESTION, answer: result.answer }), 400, 'BAD_INPUT', /citations/],
      ['a citation with a negative offset', JSON.stringify(reportOf(result, 'up', { citations: [{ docId: 'a.txt', start: -1, end: 3, quote: 'abc' }] })), 400, 'BAD_INPUT', /citations\.0\.start/],
      ['a body that is not JSON', '{"verdict":', 400, 'BAD_JSON', /JSON/],
      ['a body over 64 KiB', JSON.stringify(reportOf(result, 'up', { answer: 'x'.repeat(70_000) })), 413, 'PAYLOAD_TOO_LARGE', /larger/],
    ];
    for (const [what, body, status, code, message] of cases) {
      const res = await post(t, '/api/feedback', body);
      expect(res.status, what).toBe(status);
      const { error } = (await res.json()) as ErrorBody;
      expect(error.code, what).toBe(code);
      expect(error.message, what).toMatch(message);
    }
    const plain = await post(t, '/api/feedback', JSON.stringify(reportOf(result, 'up')), 'text/plain');
    expect(plain.status).toBe(415);
    expect(await storedLines()).toEqual(before);
    expect((await fetch(`${t.url}/api/health`)).status).toBe(200);
  });

  it('stores every one of many verdicts sent at once, each line whole', async () => {
    const result = await ask(QUESTION);
    const before = (await storedLines()).length;
    // Long answers make each line several kilobytes, so interleaved writes would show.
    const notes = Array.from({ length: 40 }, (_, i) => `note ${i} ${'é'.repeat(200 + i)}`);
    const responses = await Promise.all(notes.map((note, i) => post(t, '/api/feedback', JSON.stringify(reportOf(result, i % 2 ? 'up' : 'down', { note, answer: `${result.answer} ${'…'.repeat(3000)}` })))));
    expect(responses.map((r) => r.status)).toEqual(notes.map(() => 201));
    const lines = await storedLines();
    expect(lines).toHaveLength(before + notes.length);
    const stored = lines.slice(before).map((line) => feedbackEntrySchema.parse(JSON.parse(line)));
    expect(stored.map((e) => e.note).sort()).toEqual([...notes].sort());
    expect(new Set(stored.map((e) => e.id)).size).toBe(notes.length);
  });

  it('appends after a line torn by a crash, and the log still reads, skipping only that line', async () => {
    const result = await ask(QUESTION);
    const lines = await storedLines();
    await fs.appendFile(t.config.feedbackFile, '{"version":1,"id":"torn-by-a-crash","verdict":"up","question":"How ma');
    const res = await post(t, '/api/feedback', JSON.stringify(reportOf(result, 'up', { note: 'after the crash' })));
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as FeedbackReceipt;
    const log = await readFeedbackLog(t.config.feedbackFile);
    expect(log.skipped).toEqual([{ line: lines.length + 1, reason: expect.stringMatching(/cut short/) }]);
    expect(log.entries).toHaveLength(lines.length + 1);
    expect(log.entries.at(-1)).toMatchObject({ id, note: 'after the crash' });
  });

  it('answers 500 FEEDBACK_NOT_SAVED, without a server path, when the log cannot be written, and keeps serving', async () => {
    expect(documentedHttpCodes().has('FEEDBACK_NOT_SAVED')).toBe(true);
    const unwritable = await startTestServer({ configOverrides: { feedbackFile: t.tmp } });
    try {
      const res = await post(unwritable, '/api/feedback', JSON.stringify({ verdict: 'up', question: QUESTION, answer: 'x', citations: [] }));
      expect(res.status).toBe(500);
      const { error } = (await res.json()) as ErrorBody;
      expect(error.code).toBe('FEEDBACK_NOT_SAVED');
      expect(error.message).toMatch(/could not save the feedback \(EISDIR\).*try again/);
      expect(error.message).not.toContain(t.tmp);
      expect((await fetch(`${unwritable.url}/api/health`)).status).toBe(200);
    } finally {
      await unwritable.close();
    }
  });
});
