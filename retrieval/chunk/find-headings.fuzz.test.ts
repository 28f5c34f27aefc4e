import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { renderTemplate, templateArbitrary, type Template } from '../__fixtures__/adversarial-text.js';
import { LINEAR_RATIO_BOUND, workGrowth } from '../__fixtures__/linear-work.js';
import { findHeadings, headingAt } from './find-headings.js';

const SEED = 2020;
/** A corpus line can be as long as a file; 40,000 characters is where the probe's lines cost seconds. */
const LONG_LINE = 40_000;

/** Several generated lines, so headings, fences and hard-wrapped sentences meet each other. */
const documentTemplates = fc.array(templateArbitrary, { minLength: 1, maxLength: 4 });
const renderDocument = (lines: readonly Template[], chars: number) =>
  lines.map((line) => renderTemplate(line, Math.floor(chars / lines.length))).join('\n');

describe('findHeadings fuzzed', () => {
  it('returns exact, ordered offsets and never throws', () => {
    fc.assert(
      fc.property(documentTemplates, fc.integer({ min: 0, max: 3000 }), (lines, chars) => {
        const text = renderDocument(lines, chars);
        const headings = findHeadings(text);
        let last = -1;
        for (const h of headings) {
          expect(text.slice(h.start, h.end)).toBe(h.text);
          expect(h.text).toBe(h.text.trim());
          expect(h.text).not.toBe('');
          expect(h.start).toBeGreaterThan(last);
          last = h.start;
          expect(headingAt(text, headings, h.start)).toBe(h);
        }
      }),
      { seed: SEED, numRuns: 1000 },
    );
  });

  it('does work linear in the length of its lines', () => {
    fc.assert(
      fc.property(documentTemplates, (lines) => {
        const growth = workGrowth((text: string) => findHeadings(text), renderDocument(lines, LONG_LINE), renderDocument(lines, LONG_LINE / 4), { samples: 3, minSampleMs: 5 });
        expect(growth.ratio, JSON.stringify(growth)).toBeLessThan(LINEAR_RATIO_BOUND);
      }),
      { seed: SEED, numRuns: 30 },
    );
  });
});
