import { describe, expect, it } from 'vitest';
import type { DocumentListResponse } from '../server/protocol.js';
import { DocumentTitles } from './src/document-titles.js';

const LIST: DocumentListResponse = {
  documents: [
    { id: '000_4434d9e95f18ffce.txt', title: 'Police diplomacy', length: 5730, chunks: 9, pages: null, bytes: 5730, addedAt: '2026-01-05T10:00:00.000Z' },
    { id: 'untitled.txt', title: '', length: 10, chunks: 1, pages: null, bytes: 10, addedAt: null },
  ],
};

describe('DocumentTitles', () => {
  it('asks for the list once, then names documents by title at once, and by id when there is no title', async () => {
    let asked = 0;
    const titles = new DocumentTitles({ documents: async () => (asked++, LIST) });
    expect(titles.peek('000_4434d9e95f18ffce.txt')).toBeUndefined();
    expect(await titles.titleOf('000_4434d9e95f18ffce.txt')).toBe('Police diplomacy');
    expect(titles.peek('000_4434d9e95f18ffce.txt')).toBe('Police diplomacy');
    expect(await titles.titleOf('untitled.txt')).toBe('untitled.txt');
    expect(await titles.titleOf('gone.txt')).toBe('gone.txt');
    expect(asked).toBe(1);
  });

  it('falls back to the id when the list cannot be had, and asks again next time', async () => {
    let asked = 0;
    const titles = new DocumentTitles({
      documents: async () => {
        asked += 1;
        if (asked === 1) throw new Error('the server answered 503');
        return LIST;
      },
    });
    expect(await titles.titleOf('000_4434d9e95f18ffce.txt')).toBe('000_4434d9e95f18ffce.txt');
    expect(await titles.titleOf('000_4434d9e95f18ffce.txt')).toBe('Police diplomacy');
    expect(asked).toBe(2);
  });
});
