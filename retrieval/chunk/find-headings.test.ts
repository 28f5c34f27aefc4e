import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { LINEAR_RATIO_BOUND, workGrowth } from '../__fixtures__/linear-work.js';
import { findHeadings, headingAt } from './find-headings.js';

const SEEDS = fileURLToPath(new URL('../../seeds/', import.meta.url));
const seed = readFileSync(SEEDS + readdirSync(SEEDS).filter((n) => n.endsWith('.txt')).sort()[0]!, 'utf8');

const texts = (text: string): string[] => findHeadings(text).map((h) => h.text);

describe('findHeadings', () => {
  it('finds the section headings of the seed document and no sentences', () => {
    const headings = findHeadings(seed);
    const names = headings.map((h) => h.text);
    expect(names).toContain('Summary');
    expect(names).toContain('Foreign Interference and “Troll Farms”');
    expect(names).not.toContain('This report is available at the publisher’s website here.');
    expect(names.some((h) => h.startsWith('Police diplomacy'))).toBe(false);
    for (const h of headings) expect(seed.slice(h.start, h.end)).toBe(h.text);
  });

  it('strips Markdown markers and keeps offsets exact', () => {
    const text = '# Title\r\n\r\nIntro.\r\n\r\n  ## Second part ##\r\nBody.\n###### Deep\nMore.\n#hashtag is not a heading\n';
    const headings = findHeadings(text);
    expect(headings.map((h) => h.text)).toEqual(['Title', 'Second part', 'Deep']);
    for (const h of headings) expect(text.slice(h.start, h.end)).toBe(h.text);
  });

  it('ignores lines inside fenced code', () => {
    const text = '# Real\n\n```sh\n# not a heading\nrun this\n```\n\nText after.';
    expect(texts(text)).toEqual(['Real']);
  });

  it('rejects sentences, punctuation-final lines, long lines, list items and the last line', () => {
    const text = [
      'A plain sentence that ends with a full stop.',
      'Ends with a colon:',
      'She said “stop.”',
      'This line is short enough in characters but has far too many words in it',
      '- a list item',
      '* another item',
      '| a | table |',
      '2024',
      'Body text follows here.',
      'Last line without punctuation',
    ].join('\n');
    expect(texts(text)).toEqual([]);
  });

  it('accepts short unpunctuated lines followed by text, looking through closing quotes', () => {
    const text = 'Introduction\nSome text.\n“Quoted Title”\nMore text.\n\n1. Numbered Section\nText.';
    expect(texts(text)).toEqual(['Introduction', '“Quoted Title”', '1. Numbered Section']);
  });

  it('does not take the tail of a hard-wrapped sentence for a heading', () => {
    const text = 'This paragraph is wrapped by hand at a fixed width so that a sentence runs\nonto the next line\nand continues here.';
    expect(texts(text)).toEqual([]);
  });

  it('returns nothing for empty or whitespace text', () => {
    expect(findHeadings('')).toEqual([]);
    expect(findHeadings('\n\n\r\n  \t')).toEqual([]);
  });
});

describe('headingAt', () => {
  const text = 'Preface text.\n## Methods\nWe measured.\nResults\nThey held.';
  const headings = findHeadings(text);

  it('returns null above the first heading', () => {
    expect(headingAt(text, headings, 0)).toBeNull();
  });

  it('returns the heading whose markers the offset points into', () => {
    expect(headingAt(text, headings, text.indexOf('## Methods'))?.text).toBe('Methods');
  });

  it('returns the nearest heading above', () => {
    expect(headingAt(text, headings, text.indexOf('We measured'))?.text).toBe('Methods');
    expect(headingAt(text, headings, text.indexOf('They held'))?.text).toBe('Results');
  });
});

// The probe's corpus lines: the closing-quote and ATX patterns retried long runs from every start
// (2.5 s for 40,000 `"` then `x`; 4 s for `# x` + 40,000 spaces + `y`). Work must grow linearly.
describe('findHeadings on hostile lines', () => {
  it.each([
    ['40,000 quotes then x', (n: number) => `${'"'.repeat(n)}x\nMore text follows here.`],
    ['# x, 40,000 spaces, y', (n: number) => `# x${' '.repeat(n)}y\nMore text follows here.`],
    ['# x, 40,000 spaces, #s', (n: number) => `# x${' \t'.repeat(n / 2)}##${' '.repeat(n / 4)}z\nMore.`],
  ])('a line of %s costs linear work', (_name, make) => {
    const growth = workGrowth((text: string) => findHeadings(text), make(40_000), make(10_000));
    expect(growth.ratio, JSON.stringify(growth)).toBeLessThan(LINEAR_RATIO_BOUND);
  });

  it('finds the title of a hostile ATX line exactly', () => {
    const text = `# x${' '.repeat(40_000)}y ##\nMore text.`;
    const [heading] = findHeadings(text);
    expect(heading!.text).toBe(`x${' '.repeat(40_000)}y`);
    expect(text.slice(heading!.start, heading!.end)).toBe(heading!.text);
  });

  it('gives exact offsets when a no-break space follows the #', () => {
    const text = '# \u00a0Methods\nWe measured.';
    const [heading] = findHeadings(text);
    expect(heading!.text).toBe('Methods');
    expect(text.slice(heading!.start, heading!.end)).toBe('Methods');
  });
});
