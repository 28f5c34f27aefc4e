/**
 * `npm run eval -- --from-feedback FILE`: a feedback log written by the real `FeedbackLog` (with a line torn by a crash
 * and one edited by hand) becomes candidate eval items, one per question and answer: thumbs-up items are valid dataset
 * lines as they are (and read back with a dataset), thumbs-down ones carry the note and fail validation until reviewed.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { feedbackEntry, type FeedbackReport } from '../retrieval/feedback/feedback-entry.js';
import { FeedbackLog } from '../retrieval/feedback/feedback-log.js';
import { evalItemSchema, parseEvalItems } from './dataset.js';
import type { FeedbackCandidate } from './feedback-candidates.js';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const tsx = path.join(root, 'node_modules', '.bin', 'tsx');
const SEED_ID = '000_4434d9e95f18ffce.txt';
const QUESTION = 'How many foreign law enforcement officers did China train in 2023?';
const SERVED_BY = { answerer: 'extractive', mode: 'lexical' as const, embedder: null, indexGeneration: 'gen-test', indexBuiltAt: '2026-12-03T10:00:00.000Z' };

function evalCli(args: string[]) {
  const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'silent' };
  delete env.INDEX_DIR;
  const r = spawnSync(tsx, ['eval/cli.ts', ...args], { cwd: root, encoding: 'utf8', env, timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

let dir: string;
let logFile: string;
let quote: { start: number; end: number; quote: string };
beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'verbatim-from-feedback-'));
  logFile = path.join(dir, 'index', 'feedback.jsonl');
  const text = await fs.readFile(path.join(root, 'seeds', SEED_ID), 'utf8');
  const start = text.indexOf('At the Global Public Security Cooperation Forum');
  const end = text.indexOf('countries in need.', start) + 'countries in need.'.length;
  quote = { start, end, quote: text.slice(start, end) };
  const log = new FeedbackLog({ file: logFile });
  let n = 0;
  const append = (report: FeedbackReport) => log.append(feedbackEntry(report, { id: `entry-${++n}`, receivedAt: new Date(Date.UTC(2026, 11, 3, 12, n)), servedBy: SERVED_BY }));
  const answered = { question: QUESTION, answer: `${quote.quote} [1]`, shortAnswer: '2,700', citations: [{ n: 1, docId: SEED_ID, ...quote }] };
  await append({ verdict: 'up', ...answered });
  await append({ verdict: 'up', ...answered, note: 'Exactly the figure.' });
  await append({ verdict: 'up', question: 'How many officers did Fiji train in 1950?', answer: "The documents don't say.", abstained: true, citations: [] });
  await append({
    verdict: 'down',
    question: 'And by 2025?',
    history: [
      { role: 'user', content: QUESTION },
      { role: 'assistant', content: answered.answer },
    ],
    answer: 'China trained 2,700 officers. [1]',
    citations: [{ n: 1, docId: SEED_ID, ...quote }],
    note: 'It should say 3,000 more by 2025.',
  });
  await append({ verdict: 'up', question: 'What did Wang announce?', answer: `${quote.quote} [1]`, shortAnswer: null, citations: [{ n: 1, docId: SEED_ID, ...quote }] });
  // A line edited by hand, then a line torn by a crash: both are skipped, the rest still read.
  await fs.appendFile(logFile, '{"version":1,"id":"hand-edited"}\n{"version":1,"id":"torn","verdict":"do');
});
afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

describe('npm run eval -- --from-feedback', () => {
  it('writes one candidate per question and answer, reports what it skipped and folded, and leaves the log alone', async () => {
    const before = await fs.readFile(logFile, 'utf8');
    const out = path.join(dir, 'candidates.jsonl');
    const r = evalCli(['--from-feedback', logFile, '--out', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`feedback: 5 verdicts read from ${logFile}`);
    expect(r.stdout).toMatch(/skipped: 2 lines .*\n {2}line 6: not a feedback entry: .*\n {2}line 7: not a whole JSON object/);
    expect(r.stdout).toContain('candidates: 4 (1 repeated verdict on the same question and answer folded in)');
    expect(r.stdout).toContain('ready: 2 (1 answered, 1 unanswerable)');
    expect(r.stdout).toContain('to review: 2');
    expect(await fs.readFile(logFile, 'utf8')).toBe(before);

    const candidates = (await fs.readFile(out, 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as FeedbackCandidate);
    expect(candidates.map((c) => c.question)).toEqual([QUESTION, 'How many officers did Fiji train in 1950?', 'And by 2025?', 'What did Wang announce?']);
    const [up, abstention, down, unshortened] = candidates as [FeedbackCandidate, FeedbackCandidate, FeedbackCandidate, FeedbackCandidate];

    // Thumbs up: the cited quote is the evidence, its offsets the span, the short answer shown the accepted answer.
    expect(up).toMatchObject({ answers: ['2,700'], evidence: [quote.quote], evidenceSpans: [{ docId: SEED_ID, start: quote.start, end: quote.end }], type: 'how-many', verdict: 'up', note: 'Exactly the figure.', review: null });
    expect(up.feedback).toMatchObject({ votes: { up: 2, down: 0 }, entryIds: ['entry-1', 'entry-2'] });
    expect(up.id).toMatch(/^feedback-[0-9a-f]{12}$/);
    expect(evalItemSchema.safeParse(up).success).toBe(true);
    // A confirmed abstention is a ready unanswerable item.
    expect(abstention).toMatchObject({ answerable: false, answers: [], review: null });
    expect(evalItemSchema.safeParse(abstention).success).toBe(true);

    // Thumbs down: the note and the wrong answer are kept for the reviewer, and the item is no dataset line yet.
    expect(down).toMatchObject({ verdict: 'down', note: 'It should say 3,000 more by 2025.', answers: [], history: [{ role: 'user', content: QUESTION }, { role: 'assistant' }], review: expect.stringMatching(/judged this answer wrong: write the accepted "answers"/) });
    expect(down.feedback).toMatchObject({ answer: 'China trained 2,700 officers. [1]', servedBy: SERVED_BY });
    expect(evalItemSchema.safeParse(down).error?.issues[0]?.message).toMatch(/needs at least one accepted answer/);

    // Approved without a short answer: the quotes stand in as answers, and the reviewer is asked to cut them down.
    expect(unshortened).toMatchObject({ verdict: 'up', answers: [quote.quote], evidence: [quote.quote], review: expect.stringMatching(/no short answer was shown/) });

    // The ready ones append to a dataset as they are.
    const seed = await fs.readFile(path.join(root, 'eval', 'datasets', 'seed-qa.jsonl'), 'utf8');
    const items = parseEvalItems(`${seed.trimEnd()}\n${JSON.stringify(up)}\n${JSON.stringify(abstention)}\n`, 'seed-qa.jsonl + candidates');
    expect(items.at(-2)).toMatchObject({ id: up.id, answers: ['2,700'], evidence: [quote.quote] });

    // The same log exports the same ids again.
    const again = evalCli(['--from-feedback', logFile]);
    expect(again.code).toBe(0);
    expect(again.stdout.trim().split('\n').map((line) => (JSON.parse(line) as FeedbackCandidate).id)).toEqual(candidates.map((c) => c.id));
    expect(again.stderr).toContain('candidates: 4');
  });

  it.each([
    [['--from-feedback', '/nonexistent/feedback.jsonl'], /^error: cannot read feedback file \/nonexistent\/feedback\.jsonl: ENOENT: the server writes it beside the index/],
    [['--from-feedback', '/'], /^error: cannot read feedback file \/: EISDIR/],
    [['--from-feedback', 'x.jsonl', '--questions', 'q.jsonl'], /^error: --questions cannot be combined with --from-feedback, which only takes --out FILE$/],
    [['--from-feedback', 'x.jsonl', '--out', 'x.jsonl'], /^error: --out x\.jsonl is the feedback log itself/],
  ])('refuses %j with a one-line error and exit 2', (args, message) => {
    const r = evalCli(args);
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toMatch(message);
    expect(r.stdout).toBe('');
  });
});
