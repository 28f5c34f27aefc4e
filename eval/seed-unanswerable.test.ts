import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseEvalItems } from './dataset.js';
import { normalizeAnswer } from './metrics/normalize.js';
import { QUESTION_TYPES } from './question-type.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const read = (name: string) => {
  const file = path.join(here, 'datasets', name);
  return parseEvalItems(fs.readFileSync(file, 'utf8'), file);
};
const items = read('seed-unanswerable.jsonl');

describe('held-out unanswerable seed questions (eval/datasets/seed-unanswerable.jsonl)', () => {
  it('has 40 unanswerable questions with no answers or evidence, numbered in order, of known types', () => {
    expect(items.map((i) => i.id)).toEqual(Array.from({ length: 40 }, (_, n) => `seed-u-${String(n + 1).padStart(3, '0')}`));
    for (const item of items) {
      expect([item.answerable, item.answers, item.evidence], item.id).toEqual([false, [], []]);
      expect(QUESTION_TYPES as readonly string[], item.id).toContain(item.type);
    }
  });

  it('repeats no question of the seed set', () => {
    const seed = new Set(read('seed-qa.jsonl').map((i) => normalizeAnswer(i.question)));
    for (const item of items) expect(seed.has(normalizeAnswer(item.question)), item.id).toBe(false);
    expect(new Set(items.map((i) => normalizeAnswer(i.question))).size).toBe(items.length);
  });
});
