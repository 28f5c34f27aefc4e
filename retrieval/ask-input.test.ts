import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { MAX_QUESTION_CHARS, questionSchema } from './ask-input.js';

describe('questionSchema', () => {
  it('calls a question blank exactly when String.prototype.trim leaves nothing, for every UTF-16 code unit', () => {
    const disagreements: string[] = [];
    for (let unit = 0; unit <= 0xffff; unit++) {
      const ch = String.fromCharCode(unit);
      if ((ch.trim() === '') === questionSchema.safeParse(ch).success) disagreements.push(unit.toString(16));
    }
    expect(disagreements).toEqual([]);
  });

  it('keeps its messages: empty, and longer than the limit', () => {
    expect(questionSchema.safeParse(' \u3000\n').error?.issues.map((i) => i.message)).toEqual(['the question is empty']);
    expect(questionSchema.safeParse('x'.repeat(MAX_QUESTION_CHARS + 1)).error?.issues.map((i) => i.message)).toEqual([`the question is longer than ${MAX_QUESTION_CHARS} characters`]);
    expect(questionSchema.safeParse(` ${'x'.repeat(MAX_QUESTION_CHARS - 1)}`).success).toBe(true);
  });

  it('states both rules as JSON Schema keywords, so the OpenAPI description is exact', () => {
    const json = z.toJSONSchema(questionSchema) as { pattern: string; maxLength: number };
    expect(json.maxLength).toBe(MAX_QUESTION_CHARS);
    // The pattern, read as a plain regular expression the way other languages' validators read it, agrees too.
    const pattern = new RegExp(json.pattern);
    expect(pattern.test('\t\u00a0\ufeff')).toBe(false);
    expect(pattern.test('\u001c')).toBe(true);
  });
});
