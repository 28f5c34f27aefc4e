import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseArticleSplit, selectArticleSplit } from './article-split.js';
import { convertSquad, parseSquad, readSquadFile } from './squad-adapter.js';

const XQUAD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'datasets', 'xquad-en', 'xquad.en.json');

/** Three articles; the middle one (index 1, odd) has two paragraphs. */
const tiny = parseSquad({
  data: [
    { title: 'Zero', paragraphs: [{ context: 'Zero is nothing.', qas: [{ id: 'a0', question: 'What is zero?', answers: [{ answer_start: 8, text: 'nothing' }] }] }] },
    {
      title: 'One',
      paragraphs: [
        { context: 'One is first.', qas: [{ id: 'b1', question: 'What is one?', answers: [{ answer_start: 7, text: 'first' }] }] },
        { context: 'One is odd.', qas: [{ id: 'b2', question: 'Is one odd?', answers: [{ answer_start: 7, text: 'odd' }] }, { id: 7, question: 'What parity has one?', answers: [{ answer_start: 7, text: 'odd' }] }] },
      ],
    },
    { title: 'Two', paragraphs: [{ context: 'Two is even.', qas: [{ id: 'c1', question: 'What is two?', answers: [{ answer_start: 7, text: 'even' }] }] }] },
  ],
});

describe('article split', () => {
  it('keeps the questions of odd or even articles by 0-based position, in order, and says which', () => {
    const { items } = convertSquad(tiny);
    const odd = selectArticleSplit(tiny, items, 'odd');
    expect(odd.items.map((i) => i.id)).toEqual(['b1', 'b2', '7']);
    expect(odd.label).toBe('odd articles: 1 of 3');
    const even = selectArticleSplit(tiny, items, 'even');
    expect(even.items.map((i) => i.id)).toEqual(['a0', 'c1']);
    expect(even).toMatchObject({ articles: 2, totalArticles: 3, label: 'even articles: 2 of 3' });
  });

  it('splits XQuAD into two disjoint halves of 24 articles that together are every question', async () => {
    const dataset = await readSquadFile(XQUAD);
    const { items, documents } = convertSquad(dataset);
    const odd = selectArticleSplit(dataset, items, 'odd');
    const even = selectArticleSplit(dataset, items, 'even');
    expect([odd.articles, even.articles]).toEqual([24, 24]);
    expect(odd.items.length + even.items.length).toBe(items.length);
    const oddIds = new Set(odd.items.map((i) => i.id));
    expect(even.items.some((i) => oddIds.has(i.id))).toBe(false);
    // Every odd question's answer lies in an odd article's document (file names start with the article position).
    const oddDocs = new Set(documents.filter((_, index) => index % 2 === 1).map((d) => d.id));
    expect(odd.items.every((i) => i.goldSpans!.every((s) => oddDocs.has(s.docId)))).toBe(true);
  });

  it('rejects any other value with one that says what it takes', () => {
    expect(parseArticleSplit('even')).toBe('even');
    expect(() => parseArticleSplit('Odd')).toThrow('--article-split takes odd or even (articles by 0-based position in the SQuAD file), got "Odd"');
  });
});
