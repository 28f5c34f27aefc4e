import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { createNlpTools } from '../answer/nlp.js';
import { createSentenceSplitter, type SentenceSplitter } from '../answer/sentences.js';
import { createTermNormalizer } from '../answer/terms.js';
import { createSentenceStream } from './sentence-stream.js';

let splitter: SentenceSplitter;
beforeAll(() => {
  const nlp = createNlpTools();
  splitter = createSentenceSplitter(nlp, createTermNormalizer(nlp));
});

function streamed(pieces: readonly string[]): { early: string[][]; all: string[] } {
  const stream = createSentenceStream(splitter);
  const early = pieces.map((p) => stream.push(p));
  return { early, all: [...early.flat(), ...stream.end()] };
}

describe('createSentenceStream', () => {
  it('hands out a sentence once the next one begins, with the markers written after its full stop', () => {
    const { early, all } = streamed(['China trained ', '2,700 officers.', ' [1]', ' It plans', ' 3,000 more by 2025 [1][2].', ' Done']);
    expect(early[1]).toEqual([]); // the markers may still come
    expect(early[3]).toEqual(['China trained 2,700 officers. [1]']);
    expect(all).toEqual(['China trained 2,700 officers. [1]', 'It plans 3,000 more by 2025 [1][2].', 'Done']);
  });

  it('ends a sentence at a line break, as in the documents', () => {
    expect(streamed(['- first point [1]\n', '- second point [2]\n']).all).toEqual(['- first point [1]', '- second point [2]']);
  });

  it('loses and adds no text, however the reply is cut into pieces', () => {
    const reply = 'Wang said China had trained 2,700 officers in 2023 [1]. It plans to train 3,000 more by 2025 [1][2]. The U.S. disagreed. Really? Yes!';
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: reply.length - 1 }), { maxLength: 12 }), (cuts) => {
        const points = [...new Set(cuts)].sort((a, b) => a - b);
        const pieces = [0, ...points].map((from, i) => reply.slice(from, points[i] ?? reply.length));
        const { all } = streamed(pieces);
        expect(all.join(' ').replace(/\s+/g, ' ')).toBe(reply);
        expect(all.length).toBeGreaterThanOrEqual(4);
      }),
      { numRuns: 60 },
    );
  });
});
