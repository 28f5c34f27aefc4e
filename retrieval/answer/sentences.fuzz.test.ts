import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { renderTemplate, templateArbitrary, type Template } from '../__fixtures__/adversarial-text.js';
import { LINEAR_RATIO_BOUND, workGrowth } from '../__fixtures__/linear-work.js';
import { createNlpTools } from './nlp.js';
import { createSentenceSplitter } from './sentences.js';
import { createTermNormalizer } from './terms.js';

const SEED = 3030;
const tools = createNlpTools();
const splitter = createSentenceSplitter(tools, createTermNormalizer(tools));

/** Text between two fixed sentences, so the splitter always has ordinary text around the generated part. */
const paragraph = fc.array(templateArbitrary, { minLength: 1, maxLength: 3 });
const render = (parts: readonly Template[], chars: number) =>
  `Dr. Chen arrived in 2023. ${parts.map((p) => renderTemplate(p, Math.floor(chars / parts.length))).join(' ')} The report ended.`;

describe('sentence splitter fuzzed', () => {
  it('returns sentences and tokens that are exact, ordered spans of the document, and never throws', () => {
    fc.assert(
      fc.property(paragraph, fc.integer({ min: 0, max: 2000 }), fc.integer({ min: 0, max: 500 }), (parts, chars, pad) => {
        const text = render(parts, chars);
        // The split text sits `pad` characters into its document, as a passage does.
        const document = '\u00a0'.repeat(pad) + text;
        let last = pad;
        for (const s of splitter.split({ docId: 'd', text, offset: pad })) {
          expect(document.slice(s.start, s.end)).toBe(s.text);
          expect(s.start).toBeGreaterThanOrEqual(last);
          expect(s.tokens.length).toBeGreaterThan(0);
          for (const t of s.tokens) {
            expect(document.slice(t.start, t.end)).toBe(t.text);
            expect(t.start).toBeGreaterThanOrEqual(s.start);
            expect(t.end).toBeLessThanOrEqual(s.end);
          }
          for (const e of s.entities) expect(0 <= e.first && e.first <= e.last && e.last < s.tokens.length).toBe(true);
          last = s.end;
        }
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('does work linear in the length of the text', () => {
    fc.assert(
      fc.property(paragraph, (parts) => {
        const split = (text: string) => splitter.split({ docId: 'd', text, offset: 0 });
        const growth = workGrowth(split, render(parts, 20_000), render(parts, 5_000), { samples: 3, minSampleMs: 5 });
        expect(growth.ratio, JSON.stringify(growth)).toBeLessThan(LINEAR_RATIO_BOUND);
      }),
      { seed: SEED, numRuns: 15 },
    );
  });
});
