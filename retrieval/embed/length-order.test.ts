import { describe, expect, it } from 'vitest';
import { inEmbeddingOrder, longestFirst } from './length-order.js';

describe('longestFirst', () => {
  it('orders positions longest first and keeps the order of equal lengths', () => {
    expect(longestFirst([3, 9, 3, 1, 9])).toEqual([1, 4, 0, 2, 3]);
    expect(longestFirst([])).toEqual([]);
  });
});

describe('inEmbeddingOrder', () => {
  const items = [{ text: 'aa' }, { text: 'a a a a' }, { text: 'aaaaaaaaaa' }];

  it("sorts by the embedder's token counts when it can count them", async () => {
    // Tokens here are words: the long single word is one token, shorter than four.
    const counting = { countTokens: async (texts: readonly string[]) => texts.map((text) => text.split(' ').length) };
    expect(await inEmbeddingOrder(counting, items, (item) => item.text)).toEqual([items[1], items[0], items[2]]);
  });

  it('sorts by characters for an embedder that cannot', async () => {
    expect(await inEmbeddingOrder({}, items, (item) => item.text)).toEqual([items[2], items[1], items[0]]);
  });
});
