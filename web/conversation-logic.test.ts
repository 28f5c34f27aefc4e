import { describe, expect, it } from 'vitest';
import type { AskResult, Citation } from '../retrieval/types.js';
import { conversationMarkdown, exportFileName } from './src/conversation-markdown.js';
import { matchesSearch } from './src/conversation-panel.js';
import { conversationInAddress } from './src/conversation-session.js';
import { TITLE_CHARS, conversationTitle, type SavedExchange } from './src/conversation-store.js';
import { citationsOf, recheckCitations } from './src/recheck-citations.js';

const TEXT = 'The tower is 330 metres tall. It opened in 1889.';
const TALL: Citation = { n: 1, docId: 'tower.txt', start: 0, end: 29, quote: 'The tower is 330 metres tall.' };

function saved(question: string, answer: string, citations: Citation[] = []): SavedExchange {
  const result = { answer, abstained: false, abstentionReason: null, citations, passages: [] } as unknown as AskResult;
  return { question, result, askedAt: 1, answeredAt: 2 };
}

describe('conversationTitle', () => {
  it('is the question on one line', () => {
    expect(conversationTitle('  How tall\n is the   tower? ')).toBe('How tall is the tower?');
  });

  it('cuts a long question at a word, with an ellipsis, within the limit', () => {
    const title = conversationTitle(`${'word '.repeat(40)}end`);
    expect(title.length).toBeLessThanOrEqual(TITLE_CHARS);
    expect(title.endsWith('word…')).toBe(true);
  });
});

describe('matchesSearch', () => {
  const c = { title: 'Tower notes', exchanges: [saved('How tall is the Eiffel tower?', 'It stands in Paris.'), saved('When did it open?', 'In 1889.')] };

  it('finds every word in the title or the questions, in any case', () => {
    expect(matchesSearch(c, 'NOTES')).toBe(true);
    expect(matchesSearch(c, 'eiffel open')).toBe(true);
    expect(matchesSearch(c, '  ')).toBe(true);
  });

  it('does not search the answers, and needs every word', () => {
    expect(matchesSearch(c, 'paris')).toBe(false);
    expect(matchesSearch(c, 'eiffel london')).toBe(false);
  });
});

describe('conversationMarkdown', () => {
  it('has the title, each question as a heading and each answer with its quoted sources', () => {
    const md = conversationMarkdown({ title: 'Tower', exchanges: [saved('How tall is the tower?', 'It is 330 metres tall.[1]', [TALL]), saved('Who is Ian McCartney?', "The documents don't say.")] }, (id) => (id === 'tower.txt' ? 'The Tower' : id), new Date('2026-12-03T10:00:00Z'));
    expect(md).toBe(
      [
        '# Tower',
        '',
        'Exported from Verbatim on 2026-12-03. Every quote can be checked against its document at the cited characters.',
        '',
        '## How tall is the tower?',
        '',
        'It is 330 metres tall.[1]',
        '',
        'Sources:',
        '',
        '[1] The Tower: “The tower is 330 metres tall.”',
        '',
        '## Who is Ian McCartney?',
        '',
        "The documents don't say.",
        '',
      ].join('\n'),
    );
  });
});

describe('exportFileName', () => {
  it('is the title in lower-case words', () => {
    expect(exportFileName('How tall is the tower?')).toBe('verbatim-how-tall-is-the-tower.md');
    expect(exportFileName('¿Qué pasó en 2023?')).toBe('verbatim-qué-pasó-en-2023.md');
    expect(exportFileName('???')).toBe('verbatim-conversation.md');
    expect(exportFileName('x'.repeat(200)).length).toBe('verbatim-.md'.length + 60);
  });
});

describe('recheckCitations', () => {
  it('is verified while the quote is at its offsets, changed once it is not, and unavailable without the document', async () => {
    const moved = `Revised. ${TEXT}`;
    const texts: Record<string, string> = { 'tower.txt': TEXT, 'moved.txt': moved };
    const textOf = async (id: string) => {
      const text = texts[id];
      if (text === undefined) throw new Error('404 no such document');
      return text;
    };
    const checks = await recheckCitations([TALL, { ...TALL, n: 2, docId: 'moved.txt' }, { ...TALL, n: 3, docId: 'gone.txt' }], textOf);
    expect(checks.map((c) => c.state)).toEqual(['verified', 'changed', 'unavailable']);
    expect(checks[1]!.message).toBe('Document changed since this answer: characters 0–29 of moved.txt no longer hold this quote.');
    expect(checks[2]!.message).toContain('404 no such document');
  });

  it('covers the citations of generated sentences too, once per marker', () => {
    const other: Citation = { ...TALL, n: 2, start: 30, end: 48, quote: 'It opened in 1889.' };
    const generation = { sentences: [{ citations: [TALL] }, { citations: [other] }] } as unknown as AskResult['generation'];
    expect(citationsOf({ citations: [TALL], generation }).map((c) => c.n)).toEqual([1, 2]);
  });
});

describe('conversationInAddress', () => {
  it('reads only a well-formed #c= fragment', () => {
    expect(conversationInAddress('#c=0a1b2c')).toBe('0a1b2c');
    expect(conversationInAddress('#token=abc')).toBeNull();
    expect(conversationInAddress('#c=<script>')).toBeNull();
    expect(conversationInAddress('')).toBeNull();
  });
});
