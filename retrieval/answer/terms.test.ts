import { describe, expect, it } from 'vitest';
import { createNlpTools } from './nlp.js';
import { createTermNormalizer } from './terms.js';

const normalizer = createTermNormalizer(createNlpTools());

describe('createTermNormalizer', () => {
  it('gives irregular inflections the term of their base form', () => {
    for (const [form, base] of [['fled', 'flee'], ['sought', 'seek'], ['mice', 'mouse'], ['teeth', 'tooth'], ['gave', 'give'], ['children', 'child']] as const) {
      expect(normalizer.term(form), form).toBe(normalizer.term(base));
    }
  });

  it('keeps regular inflections and mapped derivations together', () => {
    expect(normalizer.term('trained')).toBe(normalizer.term('training'));
    expect(normalizer.term('death')).toBe(normalizer.term('died'));
    expect(normalizer.term('founders')).toBe(normalizer.term('founded'));
  });

  it('drops stopwords and keeps figures whole', () => {
    expect(normalizer.term('the')).toBeNull();
    expect(normalizer.term('1,200')).toBe('1200');
  });
});
