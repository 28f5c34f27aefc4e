import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { renderTemplate, templateArbitrary, type Template } from '../__fixtures__/adversarial-text.js';
import { LINEAR_RATIO_BOUND, workGrowthAsync } from '../__fixtures__/linear-work.js';
import { MAX_QUESTION_CHARS } from '../ask-input.js';
import type { Passage } from '../types.js';
import { createExtractiveAnswerer } from './extractive-answerer.js';
import { createNlpTools } from './nlp.js';

const SEED = 4040;
const nlp = createNlpTools();

interface Case {
  readonly question: Template;
  readonly passages: readonly Template[];
}

const QUESTION_OPENINGS = ['How long is ', 'When did ', 'Who is ', 'What about ', 'How many ', 'Which country ', 'What does JIBC stand for'];
const questionTemplate = fc
  .tuple(fc.constantFrom(...QUESTION_OPENINGS), templateArbitrary)
  .map(([opening, body]): Template => [{ unit: opening, share: 0 }, ...body, { unit: '?', share: 0 }]);
const caseArbitrary: fc.Arbitrary<Case> = fc.record({ question: questionTemplate, passages: fc.array(templateArbitrary, { minLength: 1, maxLength: 3 }) });

/** The case as a question and passages of one document, each passage `passageChars` long, as the chunker cuts them. */
function render(c: Case, questionChars: number, passageChars: number) {
  const texts = c.passages.map((p) => `China trained 2,700 officers in 2023. ${renderTemplate(p, passageChars)} It ended.`);
  const text = texts.join('\n');
  let start = 0;
  const passages: Passage[] = texts.map((t, i) => {
    const passage: Passage = { id: `d#${i}`, docId: 'd', start, end: start + t.length, text: t, heading: null, score: 1 / (i + 1), scores: { rrf: 1 / (60 + i) } };
    start += t.length + 1;
    return passage;
  });
  return { question: renderTemplate(c.question, questionChars), passages, text };
}

async function ask(input: ReturnType<typeof render>) {
  // A fresh answerer each time: its sentence cache would otherwise answer repeats without doing the work.
  return createExtractiveAnswerer({ nlp }).answer({ question: input.question, history: [], passages: input.passages, documentText: () => input.text });
}

describe('extractive answerer fuzzed', () => {
  it('answers or abstains with exact citations, and never throws', async () => {
    await fc.assert(
      fc.asyncProperty(caseArbitrary, fc.integer({ min: 1, max: MAX_QUESTION_CHARS }), fc.integer({ min: 0, max: 3000 }), async (c, q, p) => {
        const input = render(c, q, p);
        const answer = await ask(input);
        for (const citation of answer.citations) expect(input.text.slice(citation.start, citation.end)).toBe(citation.quote);
        if (answer.abstained) expect(answer.citations).toEqual([]);
      }),
      { seed: SEED, numRuns: 60 },
    );
  });

  it('does work linear in the length of the question and the passages', async () => {
    await fc.assert(
      fc.asyncProperty(caseArbitrary, async (c) => {
        const growth = await workGrowthAsync(ask, render(c, MAX_QUESTION_CHARS, 8000), render(c, MAX_QUESTION_CHARS / 4, 2000), { samples: 3, minSampleMs: 5 });
        expect(growth.ratio, JSON.stringify(growth)).toBeLessThan(LINEAR_RATIO_BOUND);
      }),
      { seed: SEED, numRuns: 12 },
    );
  });
});
