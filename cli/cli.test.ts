import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ABSTENTION_REASON_TEXT } from '../web/src/abstention-reasons.js';
import { percent } from '../web/src/answer-confidence.js';
import { runNpmScript } from './__fixtures__/run-npm-script.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const SEEDS = path.join(ROOT, 'seeds');
let tmp: string;
let indexDir: string;

/** Runs a command the way a script would, and never throws: exit code, stdout and stderr come back. */
function cli(command: 'ingest' | 'ask', args: string[], env: NodeJS.ProcessEnv = {}) {
  return runNpmScript(command, args, { DISABLE_EMBEDDINGS: '1', ...env });
}

beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'verbatim-cli-'));
  indexDir = path.join(tmp, 'index');
  const ingest = await cli('ingest', ['--corpus', SEEDS, '--index', indexDir]);
  expect(ingest.code, ingest.stderr).toBe(0);
}, 120_000);
afterAll(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

describe('command line', () => {
  it('ask --json prints one JSON object on stdout and nothing else', async () => {
    const { code, stdout, stderr } = await cli('ask', ['--index', indexDir, '--json', 'Which country halted joint patrols with Chinese police in December 2022?']);
    expect(code, stderr).toBe(0);
    const result = JSON.parse(stdout);
    expect(result).toMatchObject({ abstained: false, mode: 'lexical' });
    expect(result.answer).toContain('Italy');
    expect(Object.keys(result)).toEqual(expect.arrayContaining(['question', 'answer', 'shortAnswer', 'abstained', 'citations', 'passages', 'timingsMs', 'retrievalQuery', 'shortAnswerConfident', 'confidence', 'abstentionReason']));
    expect(result).not.toHaveProperty('trace');
    const text = await fs.readFile(path.join(SEEDS, result.citations[0].docId), 'utf8');
    expect(text.slice(result.citations[0].start, result.citations[0].end)).toBe(result.citations[0].quote);
    expect(stderr).toMatch(/retrieval: lexical only — embeddings disabled/);
  });

  it('answers a JSONL file line by line, in order, with history', async () => {
    const file = path.join(tmp, 'questions.jsonl');
    const lines = [
      { id: 'a', question: 'Who is the public security minister?', extra: 'ignored' },
      { id: 'b', question: 'What did she study at JIBC?', history: [] },
      { id: 7, question: 'Where did she study?', history: [{ role: 'user', content: 'Who is Chen Zhichen?' }] },
    ];
    await fs.writeFile(path.join(tmp, 'questions.jsonl'), `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`);
    const { code, stdout, stderr } = await cli('ask', ['--index', indexDir, '--json', '--questions', file]);
    expect(code, stderr).toBe(0);
    const results = stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(results.map((r) => r.id)).toEqual(['a', 'b', '7']);
    expect(results[0].answer).toContain('Wang Xiaohong');
  });

  it('prints a readable answer with its sources for people', async () => {
    const { code, stdout } = await cli('ask', ['--index', indexDir, 'How much money did the program generate for the institute?']);
    expect(code).toBe(0);
    expect(stdout).toContain('$3.3 million');
    expect(stdout).toMatch(/Sources:\n\[1\] 000_4434d9e95f18ffce\.txt, characters \d+–\d+: “/);
  });

  it('prints the short answer only when it is confident, and always the confidence', async () => {
    // The question a user reported: its best phrase ("a turning point") was shown as the answer while unconfident.
    const question = 'Who is Ian McCartney?';
    const [json, text] = await Promise.all([cli('ask', ['--index', indexDir, '--json', question]), cli('ask', ['--index', indexDir, question])]);
    expect(json.code, json.stderr).toBe(0);
    expect(text.code, text.stderr).toBe(0);
    const result = JSON.parse(json.stdout);
    if (result.shortAnswerConfident) {
      expect(text.stdout.startsWith(`Short answer: ${result.shortAnswer}\n\n${result.answer}\n`)).toBe(true);
    } else {
      expect(text.stdout).not.toContain('Short answer');
      expect(text.stdout.startsWith(`${result.answer}\n`)).toBe(true);
    }
    expect(text.stdout).toContain(`Confidence ${percent(result.confidence.answer)}`);
    expect(text.stdout).toMatch(/Of answers given with this confidence, about/);
  });

  it('prints the reason of an abstention, as a code and a sentence', async () => {
    const [json, text] = await Promise.all([cli('ask', ['--index', indexDir, '--json', 'What is it?']), cli('ask', ['--index', indexDir, 'What is it?'])]);
    const result = JSON.parse(json.stdout);
    expect(result).toMatchObject({ abstained: true, abstentionReason: 'NO_QUESTION_TERMS', shortAnswer: null });
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`The documents don't say.\nReason: NO_QUESTION_TERMS — ${ABSTENTION_REASON_TEXT.NO_QUESTION_TERMS}\n`);
    expect(text.stdout).toMatch(/^Confidence 0%/m);
  });

  it('--explain adds the trace: to the JSON result, and in words to the text', async () => {
    const question = 'How much money did the program generate for the institute?';
    const [json, text] = await Promise.all([cli('ask', ['--index', indexDir, '--json', '--explain', question]), cli('ask', ['--index', indexDir, '--explain', question])]);
    expect(json.code, json.stderr).toBe(0);
    const result = JSON.parse(json.stdout);
    expect(result.trace.gate).toMatchObject({ probability: result.confidence.answer, reason: null });
    expect(result.trace.sentences[0]).toMatchObject({ docId: result.citations[0].docId, features: expect.any(Object) });
    expect(result.trace.shortAnswers.length).toBeGreaterThan(0);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/\nExplanation:\nGate: \d+%, answered \(score [-\d.]+\)\n {2}\w+=/);
    expect(text.stdout).toContain(`Sentences, best first:\n  1. score `);
    expect(text.stdout).toContain(`Short-answer candidates, best first:\n  1. `);
  });

  it('rejects bad input with one line naming the problem and a non-zero exit', async () => {
    const empty = await cli('ask', ['--index', indexDir, '--json', '   ']);
    expect(empty.code).toBe(2);
    expect(empty.stdout).toBe('');
    expect(empty.stderr).toMatch(/^error: the question is empty/m);

    const noIndex = await cli('ask', ['--index', path.join(tmp, 'missing'), '--json', 'Who?']);
    expect(noIndex.code).toBe(1);
    expect(noIndex.stderr).toMatch(/error: no index at .*missing: run `npm run ingest/);

    const bad = path.join(tmp, 'bad.jsonl');
    await fs.writeFile(bad, '{"id":"1","question":"Who?"}\n{"id":"2", question}\n');
    const malformed = await cli('ask', ['--index', indexDir, '--json', '--questions', bad]);
    expect(malformed.code).toBe(2);
    expect(malformed.stdout).toBe('');
    expect(malformed.stderr).toMatch(/error: .*bad\.jsonl:2: not a JSON object/);

    const noCorpus = await cli('ingest', ['--corpus', path.join(tmp, 'nope'), '--index', path.join(tmp, 'i2')]);
    expect(noCorpus.code).not.toBe(0);
    expect(noCorpus.stderr).toMatch(/error: no corpus folder at .*nope/);
    await expect(fs.access(path.join(tmp, 'i2', 'CURRENT'))).rejects.toThrow();

    const flag = await cli('ask', ['--index', indexDir, '--frobnicate', 'Who?']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/error: Unknown option '--frobnicate'/);
  });

  it('says embeddings are disabled, not missing, when --no-embeddings meets an index built while the model was missing', async () => {
    const builtWithoutModel = path.join(tmp, 'built-without-model');
    const modelMissing = { DISABLE_EMBEDDINGS: 'false', EMBEDDING_MODEL: 'verbatim-test/absent', MODEL_DIR: path.join(tmp, 'no-models'), ALLOW_REMOTE_MODELS: 'false' };
    const built = await cli('ingest', ['--corpus', SEEDS, '--index', builtWithoutModel], modelMissing);
    expect(built.code, built.stderr).toBe(0);
    expect(built.stderr).toContain('retrieval: lexical only — embedding model verbatim-test/absent not available');

    const ingested = await cli('ingest', ['--corpus', SEEDS, '--index', builtWithoutModel, '--no-embeddings'], modelMissing);
    expect(ingested.code, ingested.stderr).toBe(0);
    expect(ingested.stdout).toContain('already up to date');
    expect(ingested.stderr).toContain('retrieval: lexical only — embeddings disabled by DISABLE_EMBEDDINGS');
    expect(ingested.stderr).not.toContain('not available');

    const asked = await cli('ask', ['--index', builtWithoutModel, '--no-embeddings', 'Who is the public security minister?'], modelMissing);
    expect(asked.code, asked.stderr).toBe(0);
    expect(asked.stdout).toContain('Wang Xiaohong');
    expect(asked.stderr).toContain('retrieval: lexical only — embeddings disabled by DISABLE_EMBEDDINGS');
    expect(asked.stderr).not.toContain('not available');
  }, 60_000);
});
