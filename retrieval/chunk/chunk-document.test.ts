import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.js';
import type { Chunk, SourceDocument } from '../types.js';
import { chunkDocument, locateChunkSpans } from './chunk-document.js';
import { findHeadings } from './find-headings.js';

const SEEDS = fileURLToPath(new URL('../../seeds/', import.meta.url));
const seedFiles = readdirSync(SEEDS).filter((name) => name.endsWith('.txt')).sort();

function doc(text: string, id = 'doc.txt'): SourceDocument {
  return { id, title: 'test', text, hash: 'x' };
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Everything a citation relies on, checked for one document's chunks. */
function expectCitable(source: SourceDocument, chunks: readonly Chunk[], chunkSize: number): void {
  const text = source.text;
  let previous: Chunk | null = null;
  const covered = new Uint8Array(text.length);
  for (const chunk of chunks) {
    expect(chunk.text).toBe(text.slice(chunk.start, chunk.end));
    expect(chunk.id).toBe(`${source.id}#${chunk.start}-${chunk.end}`);
    expect(chunk.docId).toBe(source.id);
    expect(chunk.text.length).toBeGreaterThan(0);
    expect(chunk.text.length).toBeLessThanOrEqual(chunkSize);
    expect(chunk.text).not.toMatch(/^\s|\s$/);
    expect(chunk.text).not.toMatch(LONE_SURROGATE);
    if (previous) {
      expect(chunk.start).toBeGreaterThan(previous.start);
      expect(chunk.end).toBeGreaterThan(previous.end);
    }
    covered.fill(1, chunk.start, chunk.end);
    previous = chunk;
  }
  const lost = [...text].length === 0 ? [] : Array.from(text, (_, i) => i).filter((i) => !covered[i] && /\S/.test(text[i]!));
  expect(lost).toEqual([]);
  expect(new Set(chunks.map((c) => c.id)).size).toBe(chunks.length);
}

const SIZES = [
  { chunkSize: 50, chunkOverlap: 0 },
  { chunkSize: 60, chunkOverlap: 20 },
  { chunkSize: 200, chunkOverlap: 50 },
  { chunkSize: 1000, chunkOverlap: 200 },
];

const PARAGRAPH = 'Identical paragraph text, repeated verbatim.';

const ADVERSARIAL: Record<string, string> = {
  'repeated identical paragraphs': Array(30).fill(PARAGRAPH).join('\n\n'),
  'repeated identical lines without blank lines': Array(40).fill('Same line. Same line. Same line.').join('\n'),
  'curly quotes': Array(12)
    .fill('“Is this quoted?” she asked. ‘Yes,’ he said — “it’s quoted.” Then… nothing; again, “quiet”.')
    .join(' '),
  'CRLF line endings': Array(15).fill('First line of a paragraph.\r\nSecond line, also short.\r\n\r\nHeading Here\r\n').join(''),
  'emoji and surrogate pairs': Array(40).fill('Family 👩‍👩‍👧‍👦 flag 🇫🇷 smile 😀 math 𝒳𝒴𝒵.').join(' '),
  'emoji without spaces': '😀🙂👩‍👩‍👧‍👦🇫🇷𝒳'.repeat(150),
  'tabs and runs of spaces': Array(30).fill('word\t\tword     word \t \n \t\n    indented\tcell\tcell     ').join(''),
  'one long line without spaces': 'abcdefghij'.repeat(600),
  'one character repeated': 'a'.repeat(3000),
  'short document': 'Shorter than a chunk.',
  'surrounding whitespace': '   \n\n\t  Text in the middle.  \n\n   ',
  'unicode whitespace': Array(40).fill('non\u00a0breaking\u3000ideographic\u2028separator\u2029paragraph').join('\u00a0 '),
  'a word per line': Array(200).fill('word').join('\n'),
};

describe('chunkDocument', () => {
  describe.each(SIZES)('chunkSize $chunkSize, overlap $chunkOverlap', (options) => {
    it.each(seedFiles)('keeps exact offsets and all content of seed %s', async (name) => {
      const source = doc(readFileSync(SEEDS + name, 'utf8'), name);
      const chunks = await chunkDocument(source, options);
      expect(chunks.length).toBeGreaterThan(0);
      expectCitable(source, chunks, options.chunkSize);
    });

    it.each(Object.entries(ADVERSARIAL))('keeps exact offsets and all content: %s', async (_, text) => {
      const source = doc(text);
      const chunks = await chunkDocument(source, options);
      expectCitable(source, chunks, options.chunkSize);
    });
  });

  it('gives repeated paragraphs their own successive offsets', async () => {
    const text = ADVERSARIAL['repeated identical paragraphs']!;
    const chunks = await chunkDocument(doc(text), { chunkSize: 50, chunkOverlap: 0 });
    expect(chunks.map((c) => c.start)).toEqual(Array.from({ length: 30 }, (_, i) => i * (PARAGRAPH.length + 2)));
    expect(chunks.every((c) => c.text === PARAGRAPH)).toBe(true);
  });

  it('places chunks of periodic text at their own occurrence, not an equal one an overlap earlier', async () => {
    const sentence = 'Family 👩‍👩‍👧‍👦 flag 🇫🇷 smile 😀 math 𝒳𝒴𝒵.';
    const text = Array(40).fill(sentence).join(' ');
    const chunks = await chunkDocument(doc(text), { chunkSize: 200, chunkOverlap: 50 });
    // Each sentence plus its space is 51 units, more than the overlap: chunks hold three sentences and share none.
    expect(chunks.map((c) => c.start)).toEqual(Array.from({ length: 14 }, (_, i) => i * 3 * (sentence.length + 1)));

    const rules = Array(10).fill('-----').join('\n');
    const ruleChunks = await chunkDocument(doc(rules), { chunkSize: 20, chunkOverlap: 8 });
    expect(ruleChunks.map((c) => [c.start, c.end])).toEqual([[0, 17], [12, 29], [24, 41], [36, 53], [48, 59]]);
  });

  it('keeps the full stop with its sentence', async () => {
    const text = 'The first sentence is here. The second sentence follows it. A third one ends the text.';
    const chunks = await chunkDocument(doc(text), { chunkSize: 40, chunkOverlap: 0 });
    expect(chunks.map((c) => c.text)).toEqual(['The first sentence is here.', 'The second sentence follows it.', 'A third one ends the text.']);
  });

  it('returns one chunk for a document shorter than the chunk size', async () => {
    const chunks = await chunkDocument(doc('  Short.\n'), { chunkSize: 1000, chunkOverlap: 200 });
    expect(chunks).toEqual([{ id: 'doc.txt#2-8', docId: 'doc.txt', start: 2, end: 8, text: 'Short.', heading: null }]);
  });

  it('returns no chunks for text with only newlines or whitespace', async () => {
    expect(await chunkDocument(doc('\n\n\n\r\n\n'), { chunkSize: 100, chunkOverlap: 10 })).toEqual([]);
    expect(await chunkDocument(doc(''), { chunkSize: 100, chunkOverlap: 10 })).toEqual([]);
    expect(await chunkDocument(doc(' \t \u00a0 '), { chunkSize: 100, chunkOverlap: 10 })).toEqual([]);
  });

  it('overlaps neighbouring chunks when asked to', async () => {
    const text = readFileSync(SEEDS + seedFiles[0]!, 'utf8');
    const chunks = await chunkDocument(doc(text), { chunkSize: 300, chunkOverlap: 100 });
    const overlapping = chunks.slice(1).filter((c, i) => c.start < chunks[i]!.end);
    expect(overlapping.length).toBeGreaterThan(0);
  });

  it('labels each chunk with the nearest heading at or above its start', async () => {
    const text = readFileSync(SEEDS + seedFiles[0]!, 'utf8');
    const headings = findHeadings(text);
    const chunks = await chunkDocument(doc(text), { chunkSize: 300, chunkOverlap: 50 });
    for (const chunk of chunks) {
      const above = headings.filter((h) => h.start <= chunk.start).at(-1);
      expect(chunk.heading).toBe(above?.text ?? null);
    }
    const afp = chunks.find((c) => c.text.startsWith('The AFP revealed'));
    expect(afp?.heading).toBe('Foreign Interference and “Troll Farms”');
    expect(chunks[0]!.heading).toBeNull();
  });

  it('gives a chunk that starts at a Markdown heading line that heading', async () => {
    const text = '# Report\n\nIntro text that goes on for a while here.\n\n## Methods\n\nWe measured things carefully and at length.';
    const chunks = await chunkDocument(doc(text), { chunkSize: 60, chunkOverlap: 0 });
    const methods = chunks.find((c) => c.text.startsWith('## Methods'));
    expect(methods?.heading).toBe('Methods');
    expect(chunks[0]!.heading).toBe('Report');
  });

  it('rejects an overlap that is not smaller than the chunk size', async () => {
    await expect(chunkDocument(doc('text'), { chunkSize: 100, chunkOverlap: 100 })).rejects.toBeInstanceOf(ConfigError);
    await expect(chunkDocument(doc('text'), { chunkSize: 0, chunkOverlap: 0 })).rejects.toBeInstanceOf(ConfigError);
  });

  it('stops when the signal has fired', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(chunkDocument(doc('text'), { chunkSize: 100, chunkOverlap: 0, signal: controller.signal })).rejects.toMatchObject({ code: 'ABORTED' });
  });
});

describe('locateChunkSpans', () => {
  it('aligns pieces whose whitespace was rewritten', () => {
    const text = 'Alpha  beta\r\n\tgamma. Delta   epsilon.';
    const spans = locateChunkSpans(text, ['Alpha beta gamma.', 'Delta epsilon.'], 0);
    expect(spans.map((s) => text.slice(s.start, s.end))).toEqual(['Alpha  beta\r\n\tgamma.', 'Delta   epsilon.']);
  });

  it('covers text that no piece accounts for', () => {
    const text = 'One. Two. Three.';
    const spans = locateChunkSpans(text, ['One.', 'Three.'], 0);
    expect(spans.map((s) => text.slice(s.start, s.end))).toEqual(['One.', 'Two.', 'Three.']);
  });

  it('covers everything even when no piece matches', () => {
    const text = 'Nothing here\n\nmatches.';
    const spans = locateChunkSpans(text, ['unrelated', 'pieces'], 0);
    expect(spans.map((s) => text.slice(s.start, s.end))).toEqual(['Nothing here\n\nmatches.']);
  });

  it('does not match a piece before the window where the next chunk must start', () => {
    const text = 'ab ab ab ab';
    // Without overlap the second "ab ab" is the one after the first, not the one overlapping it.
    const spans = locateChunkSpans(text, ['ab ab', 'ab ab'], 0);
    expect(spans).toEqual([
      { start: 0, end: 5 },
      { start: 6, end: 11 },
    ]);
  });
});
