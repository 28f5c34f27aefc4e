import { describe, expect, it } from 'vitest';
import { createNlpTools } from './nlp.js';
import { analyzeQuestion } from './question-analysis.js';
import { buildTermGroups, scoreSentences, type CandidateSentence } from './sentence-scoring.js';
import { createSentenceSplitter } from './sentences.js';
import { createTermNormalizer } from './terms.js';

const tools = createNlpTools();
const normalizer = createTermNormalizer(tools);
const splitter = createSentenceSplitter(tools, normalizer);

/** The best evidence sentence for `question` among passages (best first), each sentence with its neighbours. */
function bestSentence(question: string, passages: readonly string[]): string | undefined {
  const analysis = analyzeQuestion(question, normalizer);
  const candidates: CandidateSentence[] = passages.flatMap((text, rank) => {
    const sentences = splitter.split({ docId: `doc${rank}`, text, offset: 0 });
    return sentences.map((sentence, i) => ({ sentence, passageRank: rank, neighbours: [sentences[i - 1], sentences[i + 1]].filter((n) => n !== undefined) }));
  });
  return scoreSentences(candidates, { analysis, groups: buildTermGroups(analysis, [], normalizer) })[0]?.sentence.text;
}

describe('sentence scoring', () => {
  it('credits a sentence that continues the previous one ("It is…") with that sentence’s terms', () => {
    const best = bestSentence('How many cylinders does the Energiprojekt AB engine have?', [
      'Most steam engines of the period had two cylinders of cast iron.',
      'The company Energiprojekt AB in Sweden has made progress in harnessing steam. It is a single-step engine with five cylinders.',
    ]);
    expect(best).toBe('It is a single-step engine with five cylinders.');
  });

  it('matches a word derived from a question word by a suffix ("partner" → "partnership")', () => {
    const best = bestSentence('Who did the museum partner with for the exhibition?', ['The museum opened a new wing for the exhibition in 2019. The museum announced a partnership with the British Library.']);
    expect(best).toBe('The museum announced a partnership with the British Library.');
  });

  it('ranks down a sentence whose passage never mentions the name the question asks about', () => {
    const best = bestSentence('Who did Internet2 partner with?', [
      'After leaving Edison, Tesla partnered with two businessmen in 1886.',
      'Internet2 is a networking consortium. Its community, in partnership with Qwest, built a new network in 1998.',
    ]);
    expect(best).not.toMatch(/^After leaving Edison/);
  });
});
