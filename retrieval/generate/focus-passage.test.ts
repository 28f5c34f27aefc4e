import fs from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createNlpTools } from '../answer/nlp.js';
import { createPassageSentenceReader } from '../answer/passage-sentences.js';
import { createSentenceSplitter } from '../answer/sentences.js';
import { createTermNormalizer } from '../answer/terms.js';
import type { Passage } from '../types.js';
import { focusPassage, questionTerms, type PassageFocusTools } from './focus-passage.js';

const SEED = new URL('../../seeds/000_4434d9e95f18ffce.txt', import.meta.url);
const DOC_ID = '000_4434d9e95f18ffce.txt';
let text: string;
let tools: PassageFocusTools;

/** A chunk-sized passage of the seed (1,000 characters, as CHUNK_SIZE makes them) holding `phrase`, not centred on it. */
function chunkAround(phrase: string): Passage {
  const at = text.indexOf(phrase);
  if (at < 0) throw new Error(`not in the seed: ${phrase}`);
  const start = Math.max(0, at - 300);
  const end = Math.min(text.length, start + 1000);
  return { id: `${DOC_ID}#${start}-${end}`, docId: DOC_ID, start, end, text: text.slice(start, end), heading: null, score: 1, scores: { rrf: 1 } };
}

beforeAll(() => {
  text = fs.readFileSync(SEED, 'utf8');
  const nlp = createNlpTools();
  const normalizer = createTermNormalizer(nlp);
  tools = { normalizer, passageSentences: createPassageSentenceReader(createSentenceSplitter(nlp, normalizer)) };
});

describe('focusPassage', () => {
  const question = 'How many foreign police officers did China train in 2023?';
  const answer = 'China had trained 2,700 foreign law enforcement officers in 2023';

  it('gives the sentence that answers and its neighbours, as exact characters of the document', () => {
    const passage = chunkAround(answer);
    const focused = focusPassage(passage, questionTerms(question, tools.normalizer), text, 2, tools);
    expect(focused.text).toBe(text.slice(focused.start, focused.end));
    expect(focused.text).toContain(answer);
    expect(focused.text.length).toBeLessThan(passage.text.length * 0.6);
    expect(tools.passageSentences.sentencesIn(focused, text)).toHaveLength(2);
    expect(focused).toMatchObject({ docId: DOC_ID, id: `${DOC_ID}#${focused.start}-${focused.end}`, score: passage.score });
  });

  it('gives the passage whole with 0 sentences, when it has no more sentences than asked, or when no sentence shares a word with the question', () => {
    const passage = chunkAround(answer);
    const terms = questionTerms(question, tools.normalizer);
    expect(focusPassage(passage, terms, text, 0, tools)).toBe(passage);
    expect(focusPassage(passage, terms, text, 50, tools)).toBe(passage);
    expect(focusPassage(passage, questionTerms('Which xylophones yodel?', tools.normalizer), text, 2, tools)).toBe(passage);
  });
});
