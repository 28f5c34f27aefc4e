import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { renderTemplate, templateArbitrary } from '../__fixtures__/adversarial-text.js';
import { analyzeTerms, createTermAnalyzer } from './term-analysis.js';

const SEED = 1313;

describe('createTermAnalyzer', () => {
  it('gives the terms analyzeTerms gives, text after text, however small its memo', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(templateArbitrary, fc.integer({ min: 0, max: 400 })), { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 1, max: 50 }),
        (texts, maxTokens) => {
          // One analyzer over several texts, as an index build uses it: a term remembered from an earlier text, or
          // forgotten when the memo starts over, must not change what a later text gives.
          const analyzer = createTermAnalyzer(maxTokens);
          for (const [template, chars] of texts) {
            const text = renderTemplate(template, chars);
            expect(analyzer.analyze(text)).toEqual(analyzeTerms(text));
          }
        },
      ),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('remembers words in any case and form separately, and keeps stop words out', () => {
    const analyzer = createTermAnalyzer();
    expect(analyzer.analyze('Trained officers; the TRAINED officer’s training')).toEqual(analyzeTerms('Trained officers; the TRAINED officer’s training'));
    expect(analyzer.analyze('the of and')).toEqual([]);
    expect(analyzer.analyze('Trained 3,000 officers')).toEqual(['train', '3000', 'offic']);
  });
});
