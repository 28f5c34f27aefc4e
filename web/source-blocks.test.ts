import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findHeadings } from '../retrieval/chunk/find-headings.js';
import { LINEAR_RATIO_BOUND, workGrowth } from '../retrieval/__fixtures__/linear-work.js';
import { sourceBlocks, type SourceBlock } from './src/source-blocks.js';

const shown = (text: string, blocks: readonly SourceBlock[]) => blocks.map((b) => [b.kind, text.slice(b.start, b.end), ...(b.level ? [b.level] : [])]);

describe('sourceBlocks', () => {
  it('makes blank-line separated paragraphs and heading lines into blocks, the breaks between them into gaps', () => {
    const text = '# Police diplomacy\n\nChina trains officers.\nIt plans more.\n\n\n## Summary\nA second paragraph.\n';
    expect(shown(text, sourceBlocks(text))).toEqual([
      ['heading', '# Police diplomacy', 3],
      ['gap', '\n\n'],
      ['paragraph', 'China trains officers.\nIt plans more.'],
      ['gap', '\n\n\n'],
      ['heading', '## Summary', 4],
      ['gap', '\n'],
      ['paragraph', 'A second paragraph.'],
      ['gap', '\n'],
    ]);
  });

  it('takes plain-text headings where the chunker finds them, so passages and the panel name the same sections', () => {
    const text = 'Summary\nChina is positioning itself as a security partner.\n\nBackground\r\nIn 2022 it introduced the GSI.';
    expect(shown(text, sourceBlocks(text))).toEqual([
      ['heading', 'Summary', 3],
      ['gap', '\n'],
      ['paragraph', 'China is positioning itself as a security partner.'],
      ['gap', '\n\n'],
      ['heading', 'Background', 3],
      ['gap', '\r\n'],
      ['paragraph', 'In 2022 it introduced the GSI.'],
    ]);
    expect(findHeadings(text).map((h) => h.text)).toEqual(['Summary', 'Background']);
  });

  it('makes each line a paragraph in a text with no blank line, as text from a web page or a PDF comes', () => {
    const text = '\nPolice diplomacy deepens its influence.\nSummary\nChina is positioning itself.\nIn March 2023, Beijing amended a law.\n\n\n';
    expect(shown(text, sourceBlocks(text))).toEqual([
      ['gap', '\n'],
      ['paragraph', 'Police diplomacy deepens its influence.'],
      ['gap', '\n'],
      ['heading', 'Summary', 3],
      ['gap', '\n'],
      ['paragraph', 'China is positioning itself.'],
      ['gap', '\n'],
      ['paragraph', 'In March 2023, Beijing amended a law.'],
      ['gap', '\n\n\n'],
    ]);
  });

  it('covers every character of any text exactly once, in order; paragraphs hold no blank line and gaps only whitespace', () => {
    const piece = fc.constantFrom('\n', '\r\n', '\r', '\n\n', ' ', '  \n', '# ', '## Title', 'Word', 'A sentence.', '- item', '```', '\u00a0', 'x');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 40 }).map((parts) => parts.join('')), (text) => {
        const blocks = sourceBlocks(text);
        let at = 0;
        for (const b of blocks) {
          expect(b.start).toBe(at);
          expect(b.end).toBeGreaterThan(b.start);
          at = b.end;
          const content = text.slice(b.start, b.end);
          if (b.kind === 'gap') expect(content.trim()).toBe('');
          else expect(content.trim()).not.toBe('');
          if (b.kind === 'paragraph') expect(content.split(/\r\n|\r|\n/).some((line) => line.trim() === '')).toBe(false);
        }
        expect(at).toBe(text.length);
        expect(blocks.map((b) => text.slice(b.start, b.end)).join('')).toBe(text);
      }),
      { numRuns: 500 },
    );
  });

  it.each([
    ['many short lines', (n: number) => 'Heading line\nA sentence here.\n\n'.repeat(n / 32)],
    ['one long line', (n: number) => 'word '.repeat(n / 5)],
    ['blank lines', (n: number) => ' \n'.repeat(n / 2)],
  ])('costs linear work on %s', (_, make) => {
    // 40,000 characters against 10,000: at 160,000 the blank-line case makes 80,000 line objects, and the garbage
    // collector's promotions under a loaded test run pushed the ratio to 9 (CI, 2026-12-03) though the work is linear.
    // A quadratic scan would still be 16 here.
    const growth = workGrowth(sourceBlocks, make(40_000), make(10_000));
    expect(growth.ratio, JSON.stringify(growth)).toBeLessThan(LINEAR_RATIO_BOUND);
  });
});
