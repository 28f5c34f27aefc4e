import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseEvalItems } from './dataset.js';
import { containsNormalized, normalizeAnswer } from './metrics/normalize.js';
import { QUESTION_TYPES } from './question-type.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const file = path.join(here, 'datasets', 'seed-qa.jsonl');
const corpus = fs.readFileSync(path.join(here, '..', 'seeds', '000_4434d9e95f18ffce.txt'), 'utf8');
const items = parseEvalItems(fs.readFileSync(file, 'utf8'), file);

describe('seed Q&A set (eval/datasets/seed-qa.jsonl)', () => {
  it('is large and varied enough', () => {
    expect(items.length).toBeGreaterThanOrEqual(60);
    expect(items.filter((i) => (i.history?.length ?? 0) > 0).length).toBeGreaterThanOrEqual(8);
    expect(items.filter((i) => !i.answerable).length).toBeGreaterThanOrEqual(8);
    const types = new Set(items.filter((i) => i.answerable).map((i) => i.type));
    for (const t of ['who', 'when', 'how-many', 'how-much', 'where', 'which', 'what', 'why', 'how', 'list']) expect(types, `type ${t}`).toContain(t);
  });

  it('names a known type on every question', () => {
    for (const item of items) expect(QUESTION_TYPES as readonly string[], item.id).toContain(item.type);
  });

  it('has every evidence string verbatim in the corpus', () => {
    for (const item of items) for (const e of item.evidence) expect(corpus.includes(e), `${item.id}: ${e}`).toBe(true);
  });

  it('has every accepted answer inside its evidence after normalisation', () => {
    for (const item of items.filter((i) => i.answerable)) {
      for (const answer of item.answers) expect(item.evidence.some((e) => containsNormalized(e, answer)), `${item.id}: ${answer}`).toBe(true);
    }
  });

  it('keeps unanswerable questions free of answers and evidence', () => {
    for (const item of items.filter((i) => !i.answerable)) expect([item.answers, item.evidence], item.id).toEqual([[], []]);
  });

  it('gives follow-ups a user turn and an assistant turn, and they do not stand alone', () => {
    for (const item of items.filter((i) => i.history)) {
      expect(item.history!.map((t) => t.role), item.id).toEqual(['user', 'assistant']);
      // A follow-up leans on its history: a pronoun or an ellipsis, never a full restatement.
      expect(/\b(?:he|she|it|its|they|that|this|him|her|them|and|why)\b/i.test(item.question), item.id).toBe(true);
    }
  });

  it('words questions differently from the source', () => {
    const text = normalizeAnswer(corpus);
    for (const item of items) expect(text.includes(normalizeAnswer(item.question)), item.id).toBe(false);
  });
});
