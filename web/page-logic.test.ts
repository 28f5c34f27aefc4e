import { describe, expect, it } from 'vitest';
import { ABSTENTION_REASONS } from '../retrieval/types.js';
import { ABSTENTION_REASON_TEXT, abstentionSentence } from './src/abstention-reasons.js';
import { answerMarkdown } from './src/answer-markdown.js';
import { confidenceLabel, leadingShortAnswer, percent, searchedFor } from './src/answer-confidence.js';
import { StreamingAnswerSplitter, splitAnswer } from './src/answer-text.js';
import { lengthStatus } from './src/question-length.js';
import { recentHistory } from './src/recent-history.js';
import { checkSpan } from './src/verify-citation.js';

describe('splitAnswer', () => {
  it('separates text and markers', () => {
    expect(splitAnswer('China trained 2,700 officers.[1] More [2][3]')).toEqual([
      { kind: 'text', text: 'China trained 2,700 officers.' },
      { kind: 'marker', n: 1, raw: '[1]' },
      { kind: 'text', text: ' More ' },
      { kind: 'marker', n: 2, raw: '[2]' },
      { kind: 'marker', n: 3, raw: '[3]' },
    ]);
  });

  it('leaves brackets that are not markers as text', () => {
    expect(splitAnswer('a [b] [12x] [')).toEqual([{ kind: 'text', text: 'a [b] [12x] [' }]);
  });
});

describe('StreamingAnswerSplitter', () => {
  it('joins a marker split across tokens', () => {
    const s = new StreamingAnswerSplitter();
    const out = [...s.push('officers. ['), ...s.push('1'), ...s.push('] Next'), ...s.flush()];
    expect(out).toEqual([
      { kind: 'text', text: 'officers. ' },
      { kind: 'marker', n: 1, raw: '[1]' },
      { kind: 'text', text: ' Next' },
    ]);
  });

  it('releases a held-back bracket that never became a marker', () => {
    const s = new StreamingAnswerSplitter();
    expect([...s.push('see [2'), ...s.push('b]')]).toEqual([{ kind: 'text', text: 'see ' }, { kind: 'text', text: '[2b]' }]);
    expect(s.flush()).toEqual([]);
  });

  it('reproduces the answer text exactly, token by token', () => {
    const answer = 'In 2023 China trained 2,700 foreign law enforcement officers.[1] It plans 3,000 more by 2025.[2]';
    const s = new StreamingAnswerSplitter();
    const segments = [...(answer.match(/\S+\s*|\s+/g) ?? []).flatMap((t) => s.push(t)), ...s.flush()];
    expect(segments.map((x) => (x.kind === 'text' ? x.text : x.raw)).join('')).toBe(answer);
  });
});

describe('checkSpan', () => {
  const text = 'Alpha beta gamma delta';
  it('verifies a quote at its offsets', () => {
    expect(checkSpan(text, { docId: 'a.txt', start: 6, end: 10, quote: 'beta' })).toEqual({ verified: true, inRange: true, message: 'Verified against source: characters 6–10 of a.txt' });
  });
  it('warns when the quote differs', () => {
    const r = checkSpan(text, { docId: 'a.txt', start: 6, end: 10, quote: 'bets' });
    expect(r).toMatchObject({ verified: false, inRange: true });
    expect(r.message).toMatch(/^Warning: the quoted text does not match characters 6–10 of a\.txt/);
  });
  it('warns when the offsets are outside the document', () => {
    for (const [start, end] of [[-1, 3], [5, 4], [0, 99], [1.5, 3]] as const) {
      expect(checkSpan(text, { docId: 'a.txt', start, end, quote: '' })).toMatchObject({ verified: false, inRange: false });
    }
  });
});

describe('recentHistory', () => {
  it('keeps the most recent turns within the budget, oldest first', () => {
    const turns = Array.from({ length: 30 }, (_, i) => ({ role: i % 2 ? ('assistant' as const) : ('user' as const), content: `turn ${i}` }));
    const kept = recentHistory(turns);
    expect(kept).toHaveLength(12);
    expect(kept.at(-1)!.content).toBe('turn 29');
    expect(kept[0]!.content).toBe('turn 18');
    expect(recentHistory([{ role: 'user', content: 'x'.repeat(30_000) }])).toEqual([]);
  });
});

describe('abstention reasons', () => {
  it('has one distinct plain sentence for every reason, and none for an answer', () => {
    expect(Object.keys(ABSTENTION_REASON_TEXT).sort()).toEqual([...ABSTENTION_REASONS].sort());
    const sentences = ABSTENTION_REASONS.map((r) => abstentionSentence(r));
    expect(new Set(sentences).size).toBe(ABSTENTION_REASONS.length);
    for (const sentence of sentences) expect(sentence).toMatch(/^[A-Z].*\.$/);
    expect(abstentionSentence('SCOPE_MISMATCH')).toBe('The documents mention this, but not the fact you asked about.');
    expect(abstentionSentence(null)).toBeNull();
  });
});

describe('confidence', () => {
  const answered = { abstained: false, shortAnswer: 'a turning point', shortAnswerConfident: false, confidence: { answer: 0.9975, shortAnswer: 0.487 } };

  it('shows a probability as a percentage that is never 0% or 100% unless it is exactly that', () => {
    expect([0, 0.004, 0.5, 0.874, 0.9975, 1].map(percent)).toEqual(['0%', '1%', '50%', '87%', '99%', '100%']);
  });

  it('lets only a confident short answer of an answered question lead', () => {
    expect(leadingShortAnswer(answered)).toBeNull();
    expect(leadingShortAnswer({ ...answered, shortAnswerConfident: true })).toBe('a turning point');
    expect(leadingShortAnswer({ ...answered, shortAnswer: null, shortAnswerConfident: true })).toBeNull();
    expect(leadingShortAnswer({ ...answered, abstained: true, shortAnswerConfident: true })).toBeNull();
  });

  it('labels the answer, names the short answer only when it is shown, and says what the number promises', () => {
    expect(confidenceLabel(answered)).toEqual({
      text: 'Confidence 99%',
      explanation: 'Of answers given with this confidence, about 99% are right (that the quoted sentences hold the answer).',
    });
    expect(confidenceLabel(answered).text).not.toContain('49%');
    expect(confidenceLabel({ ...answered, shortAnswerConfident: true, confidence: { answer: 0.94, shortAnswer: 0.87 } }).text).toBe('Confidence 94% · short answer 87%');
    const abstained = confidenceLabel({ abstained: true, shortAnswer: null, shortAnswerConfident: false, confidence: { answer: 0.12, shortAnswer: 0 } });
    expect(abstained.text).toBe('Confidence 12%, too low to answer');
    expect(abstained.explanation).toContain('of answers given with this confidence, about 12% are right');
    expect(confidenceLabel({ abstained: true, shortAnswer: null, shortAnswerConfident: false, confidence: { answer: 0, shortAnswer: 0 } }).text).toBe('Confidence 0%: no evidence to weigh');
  });

  it('reports the search query only when it differs from the question', () => {
    expect(searchedFor({ question: 'Who is he?', retrievalQuery: 'Who is Ian McCartney?' })).toBe('Who is Ian McCartney?');
    expect(searchedFor({ question: ' Who is Ian McCartney? ', retrievalQuery: 'Who is Ian McCartney?' })).toBeNull();
  });
});

describe('lengthStatus', () => {
  it('is hidden far from the limit, counts near it, and says how much to remove over it', () => {
    expect(lengthStatus(1599, 2000)).toEqual({ shown: false, over: 0, text: '' });
    expect(lengthStatus(1600, 2000)).toEqual({ shown: true, over: 0, text: '1,600 / 2,000 characters' });
    expect(lengthStatus(2000, 2000).over).toBe(0);
    expect(lengthStatus(2001, 2000)).toEqual({ shown: true, over: 1, text: '2,001 / 2,000 characters: remove 1 character to send.' });
    expect(lengthStatus(2946, 2000).text).toBe('2,946 / 2,000 characters: remove 946 characters to send.');
  });
});

describe('answerMarkdown', () => {
  const titleOf = (id: string) => (id === 'a.txt' ? 'Annual report' : id);

  it('keeps the markers and lists each source by title with its quote on one line', () => {
    const markdown = answerMarkdown(
      {
        answer: 'China trained 2,700 officers. [1] It plans 3,000 more. [2]',
        abstained: false,
        abstentionReason: null,
        citations: [
          { n: 1, docId: 'a.txt', start: 0, end: 29, quote: 'China trained\n2,700 officers.' },
          { n: 2, docId: 'b.txt', start: 5, end: 9, quote: 'plans' },
        ],
      },
      titleOf,
    );
    expect(markdown).toBe('China trained 2,700 officers. [1] It plans 3,000 more. [2]\n\nSources:\n\n[1] Annual report: “China trained 2,700 officers.”\n\n[2] b.txt: “plans”\n');
  });

  it('copies an abstention with its reason and no sources', () => {
    expect(answerMarkdown({ answer: "The documents don't say.", abstained: true, abstentionReason: 'WEAK_EVIDENCE', citations: [] }, titleOf)).toBe(
      `The documents don't say.\n\n${ABSTENTION_REASON_TEXT.WEAK_EVIDENCE}\n`,
    );
  });
});
