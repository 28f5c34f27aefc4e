import model from 'wink-eng-lite-web-model';
import { describe, expect, it } from 'vitest';
import { analyzeQuestion } from '../answer/question-analysis.js';
import { createNlpTools } from '../answer/nlp.js';
import { createTermNormalizer } from '../answer/terms.js';
import { COPULAS, MAX_STEMMED_TOKEN_LENGTH, STOPWORDS, stem } from './lexicon.js';
import { normalizeTerm, tokenize } from './term-analysis.js';

const tools = createNlpTools();
const answerer = createTermNormalizer(tools);

describe('lexicon STOPWORDS', () => {
  it('are what BM25 and the answerer both drop', () => {
    for (const word of STOPWORDS) {
      expect(normalizeTerm(word), `BM25: ${word}`).toBeNull();
      expect(answerer.term(word), `answerer: ${word}`).toBeNull();
    }
  });

  it('leave the same words of a question to BM25 and to the answerer (whose terms are lemmas: "said" → say)', () => {
    const question = "How many of them weren't there when it's said the Huguenots must have arrived within 1,200 days?";
    const keptByBm25 = tokenize(question).filter((word) => normalizeTerm(word) !== null);
    const keptByAnswerer = analyzeQuestion(question, answerer).terms.map((t) => t.text);
    expect(keptByBm25).toEqual(['said', 'Huguenots', 'arrived', '1,200', 'days']);
    expect(keptByAnswerer.sort()).toEqual(keptByBm25.sort());
  });

  it('fold and stem a content word the same way on both sides', () => {
    for (const word of ["Tesla's", 'Pokémon', 'trained', 'communities', '1,200', '3.5', 'Côte']) {
      expect(normalizeTerm(word), word).toBe(answerer.term(word));
    }
  });
});

describe('lexicon COPULAS', () => {
  it('link a question to its asked-for noun whichever one it uses: "became" as "was"', () => {
    const weightOfHead = (question: string) => analyzeQuestion(question, answerer).terms.find((t) => t.text === 'president')?.weight;
    expect(COPULAS.has('became')).toBe(true);
    expect(weightOfHead('Who became the first president of Kenya?')).toBe(weightOfHead('Who was the first president of Kenya?'));
    expect(weightOfHead('Who became the first president of Kenya?')).not.toBe(weightOfHead('Who led the first president of Kenya?'));
  });
});

describe('lexicon stem', () => {
  it('is the stemmer the answerer matches with', () => {
    expect(tools.stem).toBe(stem);
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
