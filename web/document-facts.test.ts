import { describe, expect, it } from 'vitest';
import { addedLabel, byteSize, documentFacts, typeOf } from './src/document-facts.js';

describe('byteSize', () => {
  it('gives exact bytes under 1 KiB, one decimal under ten units, whole units above', () => {
    expect(byteSize(0)).toBe('0 bytes');
    expect(byteSize(1)).toBe('1 byte');
    expect(byteSize(1023)).toBe('1,023 bytes');
    expect(byteSize(1024)).toBe('1.0 KiB');
    expect(byteSize(4300)).toBe('4.2 KiB');
    expect(byteSize(38 * 1024 + 100)).toBe('38 KiB');
    expect(byteSize(1.5 * 1024 * 1024)).toBe('1.5 MiB');
    expect(byteSize(20 * 1024 * 1024)).toBe('20 MiB');
  });

  it('never shows 1,024 of a unit: it rounds up into the next', () => {
    expect(byteSize(1024 * 1024 - 10)).toBe('1.0 MiB');
  });
});

describe('addedLabel', () => {
  it('names the day, and nothing for a time that does not parse', () => {
    expect(addedLabel('2026-12-04T12:00:00.000Z')).toBe('added 4 Dec 2026');
    expect(addedLabel('not a time')).toBeNull();
  });
});

describe('documentFacts', () => {
  const pdf = { id: 'uploads/3f2a-report.pdf', title: 'Report', length: 1234, chunks: 3, pages: 3, bytes: 5000, addedAt: '2026-12-04T12:00:00.000Z' };

  it('lists type, pages, chunks, size, added, length and id of a PDF, in that order', () => {
    expect(documentFacts(pdf)).toEqual([
      { name: 'type', text: 'PDF' },
      { name: 'pages', text: '3 pages' },
      { name: 'chunks', text: '3 chunks' },
      { name: 'size', text: '4.9 KiB' },
      { name: 'added', text: 'added 4 Dec 2026', datetime: pdf.addedAt },
      { name: 'length', text: '1,234 characters' },
      { name: 'id', text: pdf.id },
    ]);
  });

  it('leaves out what is not known: pages of a text file, the size and time of an old index', () => {
    const names = documentFacts({ ...pdf, id: 'notes', pages: null, bytes: null, addedAt: null, chunks: 1 }).map((f) => f.name);
    expect(names).toEqual(['type', 'chunks', 'length', 'id']);
    expect(documentFacts({ ...pdf, chunks: 1, pages: 1 }).map((f) => f.text)).toContain('1 page');
    expect(typeOf('notes')).toBe('—');
    expect(typeOf('a.b/notes')).toBe('—');
    expect(typeOf('x/Notes.Md')).toBe('MD');
  });
});
