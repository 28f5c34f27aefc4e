import { describe, expect, it } from 'vitest';
import { StreamingAnswerSplitter, splitAnswer } from './src/answer-text.js';
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
