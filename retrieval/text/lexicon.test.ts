import model from 'wink-eng-lite-web-model';
import { describe, expect, it } from 'vitest';
import { createNlpTools } from '../answer/nlp.js';
import { MAX_STEMMED_TOKEN_LENGTH, stem } from './lexicon.js';

describe('lexicon stem', () => {
  it('is the stemmer the answerer matches with', () => {
    expect(createNlpTools().stem).toBe(stem);
  });

  it('stems as the wink model does, so terms are unchanged since the answerer used the model addon', () => {
    const addon = model.addons.stem as unknown as (word: string) => string;
    for (const word of ['trained', 'training', 'generalization', 'skies', 'dying', 'communities', 'arsenal', "tesla's", 'yearly', 'succeeded']) {
      expect(stem(word), word).toBe(addon(word));
    }
  });

  it('leaves a run-together token longer than a word as written', () => {
    const token = 'abcdefghij'.repeat(5);
    expect(token.length).toBeGreaterThan(MAX_STEMMED_TOKEN_LENGTH);
    expect(stem(token)).toBe(token);
    expect(stem('nationalization')).toBe('nation');
  });
});
