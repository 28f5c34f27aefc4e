import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { renderTemplate, templateArbitrary, type Template } from '../__fixtures__/adversarial-text.js';
import { LINEAR_RATIO_BOUND, workGrowth } from '../__fixtures__/linear-work.js';
import { questionCandidates } from './question-candidates.js';

const SEED = 1616;
/** A document can be one long line; 40,000 characters is where a quadratic pattern costs seconds. */
const LONG_TEXT = 40_000;

const documentTemplates = fc.array(templateArbitrary, { minLength: 1, maxLength: 4 });
const renderDocument = (lines: readonly Template[], chars: number) => lines.map((line) => renderTemplate(line, Math.floor(chars / lines.length))).join('\n');
const candidatesOf = (text: string) => questionCandidates([{ id: 'a.txt', text }]);

describe('starter question candidates fuzzed', () => {
  it('are questions, each subject once, and never throw', () => {
    fc.assert(
      fc.property(documentTemplates, fc.integer({ min: 0, max: 3000 }), (lines, chars) => {
        const candidates = candidatesOf(renderDocument(lines, chars));
        for (const c of candidates) expect(c.question).toMatch(/^(?:Who|What) .+\?$/s);
        expect(new Set(candidates.map((c) => c.subject)).size).toBe(candidates.length);
      }),
      { seed: SEED, numRuns: 500 },
    );
  });

  it('do work linear in the number of names a text holds', () => {
    // Every sentence names a person who is never named again: each is looked up (and dropped), none searched for.
    const letters = (i: number) => String.fromCharCode(97 + (i % 26), 97 + (Math.floor(i / 26) % 26));
    const names = (n: number) => Array.from({ length: n }, (_, i) => `Ab${letters(i)} Cd${letters(i * 7)} was here.`).join(' ');
    expect(candidatesOf(names(3)).map((c) => c.rule)).toEqual([]);
    const growth = workGrowth(candidatesOf, names(2000), names(500), { samples: 3, minSampleMs: 5 });
    expect(growth.ratio, JSON.stringify(growth)).toBeLessThan(LINEAR_RATIO_BOUND);
  });

  it('do work linear in the length of the text', () => {
    fc.assert(
      fc.property(documentTemplates, (lines) => {
        const growth = workGrowth(candidatesOf, renderDocument(lines, LONG_TEXT), renderDocument(lines, LONG_TEXT / 4), { samples: 3, minSampleMs: 5 });
        expect(growth.ratio, JSON.stringify(growth)).toBeLessThan(LINEAR_RATIO_BOUND);
      }),
      { seed: SEED, numRuns: 30 },
    );
  });
});
