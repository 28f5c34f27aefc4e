/**
 * The feedback log on real files: appends from two logs on one file at once (as two server processes on one index
 * would) all land whole, a torn last line gets a line of its own, and a failed append neither loses what was stored
 * nor stops the next one.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { feedbackEntry } from './feedback-entry.js';
import { FeedbackLog, FeedbackNotSavedError, readFeedbackLog } from './feedback-log.js';

const SERVED_BY = { answerer: 'extractive', mode: 'lexical' as const, embedder: null, indexGeneration: 'gen-1', indexBuiltAt: '2026-12-03T10:00:00.000Z' };
const entry = (id: string, note: string) =>
  feedbackEntry({ verdict: 'down', note, question: 'Who is Chen Zhichen?', answer: `A long answer ${'x'.repeat(8000)}`, citations: [] }, { id, receivedAt: new Date(), servedBy: SERVED_BY });

let dir: string;
beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'verbatim-feedback-log-'));
});
afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

describe('FeedbackLog', () => {
  it('keeps every line whole when two logs append to one file at once', async () => {
    const file = path.join(dir, 'two-writers', 'feedback.jsonl');
    const a = new FeedbackLog({ file });
    const b = new FeedbackLog({ file });
    await Promise.all(Array.from({ length: 60 }, (_, i) => (i % 2 ? a : b).append(entry(`e${i}`, `note ${i}`))));
    const { entries, skipped } = await readFeedbackLog(file);
    expect(skipped).toEqual([]);
    expect(entries.map((e) => e.id).sort()).toEqual(Array.from({ length: 60 }, (_, i) => `e${i}`).sort());
  });

  it('starts a fresh line after a torn one, so only the torn line is lost', async () => {
    const file = path.join(dir, 'torn.jsonl');
    const log = new FeedbackLog({ file });
    await log.append(entry('before', 'first'));
    await fs.appendFile(file, '{"version":1,"id":"torn');
    await log.append(entry('after', 'second'));
    const { entries, skipped } = await readFeedbackLog(file);
    expect(entries.map((e) => e.id)).toEqual(['before', 'after']);
    expect(skipped).toEqual([{ line: 2, reason: expect.stringMatching(/cut short/) }]);
  });

  it('reports a failed append as FEEDBACK_NOT_SAVED and keeps appending afterwards', async () => {
    const file = path.join(dir, 'blocked', 'feedback.jsonl');
    await fs.mkdir(file, { recursive: true });
    const log = new FeedbackLog({ file });
    const failed = log.append(entry('lost', 'x'));
    await expect(failed).rejects.toBeInstanceOf(FeedbackNotSavedError);
    await expect(failed).rejects.toMatchObject({ code: 'FEEDBACK_NOT_SAVED', status: 500, file });
    await fs.rm(file, { recursive: true });
    await log.append(entry('kept', 'y'));
    expect((await readFeedbackLog(file)).entries.map((e) => e.id)).toEqual(['kept']);
  });

  it('refuses an append that would grow the file past maxBytes, and keeps what it holds', async () => {
    const file = path.join(dir, 'capped.jsonl');
    const log = new FeedbackLog({ file, maxBytes: 12_000 });
    await log.append(entry('fits', 'first'));
    const full = log.append(entry('too-many', 'second'));
    await expect(full).rejects.toMatchObject({ code: 'FEEDBACK_NOT_SAVED', message: expect.stringMatching(/the feedback log is full at 11\.7 KiB; export it and move it aside/) });
    expect((await readFeedbackLog(file)).entries.map((e) => e.id)).toEqual(['fits']);
  });

  it('refuses a relative path, so the file does not move with the working folder', () => {
    expect(() => new FeedbackLog({ file: 'feedback.jsonl' })).toThrow(/absolute path/);
  });
});
