/**
 * A PDF and a Word document that LibreOffice Writer exported from one source (`tools/office-fixtures/kessel-valley.fodt`,
 * see `__fixtures__/office/README.md`): real word-processor output with heading styles, justified and hyphenated text,
 * a table, a two-column section, a running header and page-number footer, and sentences across page breaks. Read by the real corpus loader, then ingested and
 * asked through the real pipeline: both files must read as the same text, the PDF's pages must be where Writer put
 * them, and every citation must quote its document exactly.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import { openPipeline } from '../open-pipeline.js';
import type { Pipeline } from '../pipeline.js';
import type { SourceDocument } from '../types.js';
import { loadCorpus } from './load-corpus.js';
import { pagesOfSpan, rectanglesOfSpan } from './page-map.js';

const FIXTURES = fileURLToPath(new URL('./__fixtures__/office/', import.meta.url));
const PDF = 'kessel-valley.pdf';
const DOCX = 'kessel-valley.docx';

const TITLE = 'The Kessel Valley Weavers’ Cooperative';
/** Title, Heading 1 and Heading 2 paragraphs of the source, in order. */
const HEADINGS = [TITLE, 'Origins', 'The wool of the upper pastures', 'Growth and the great flood', 'The office on the square', 'Production', 'Two looms, two traditions', 'Later years'];
/** Writer breaks this sentence across pages 1 and 2: page 1 ends with "hung above the", page 2 starts with "winner’s loom". */
const ACROSS_PAGES =
  'The wreath hung above the winner’s loom until the next harvest, and a weaver who won it three years running was excused from the spring clearing of the mill race, a cold and muddy task that every other member of the cooperative shared with the apprentices and the shepherds’ sons.';
/** And this one across pages 2 and 3, after "no bolt left". */
const ACROSS_PAGES_TWO_THREE = 'He introduced printed order forms, a card index of every customer and a rule that no bolt left the valley without a numbered ticket sewn into its selvedge.';
const ON_PAGE_TWO = 'The office manager, Jürgen Hoffmann, kept the fleece samples in a fireproof cabinet beside his desk and a waffle iron in the bottom drawer, which he used on Fridays for the apprentices.';
/** The table, row by row, as both readers give it: cells apart by tabs, rows by line breaks. It is on page 3. */
const TABLE = ['Year\tBolts woven\tWeavers', '1880\t310\t14', '1900\t1,150\t38', '1925\t2,480\t61', '1950\t1,920\t44'].join('\n');
/** The second paragraph of the two-column section: it is set in the right-hand column. */
const RIGHT_COLUMN =
  'In Oberdorf, by contrast, the looms were set for a looser herringbone, and the weavers there dyed their weft with walnut husks and onion skins, giving a warm brown flecked with gold that city tailors prized for riding jackets.';
/** Words Writer hyphenated at a line end in the PDF: the line's text item ends with the first part and a hyphen. */
const HYPHENATED: readonly (readonly [first: string, word: string])[] = [
  ['under', 'underlined'],
  ['coopera', 'cooperative'],
  ['Teufels', 'Teufelsbrücke'],
  ['school', 'schoolhouse'],
  ['her', 'herringbone'],
  ['Ober', 'Oberdorf'],
];
/** What Writer prints at the top and the foot of every page of the PDF (the DOCX keeps them apart from the body). */
const RUNNING_HEADER = 'The Kessel Valley Weavers’ Cooperative — a short history';
const FOOTER = (page: number) => `Page ${page} of 4`;
/** Words a font may set with an ff, fi, fl, ffi or ffl ligature. */
const LIGATURE_WORDS = ['fluffy', 'office', 'fireproof', 'waffle', 'affluent', 'efficient', 'first', 'flour', 'fleece', 'finished'];

let tmp: string;
let pdf: SourceDocument;
let docx: SourceDocument;
const pipelines = new Map<string, Pipeline>();

beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'verbatim-office-'));
  const both = path.join(tmp, 'both');
  await fs.mkdir(both);
  for (const file of [PDF, DOCX]) {
    await fs.copyFile(path.join(FIXTURES, file), path.join(both, file));
    // One corpus per file, so that each file's answers cite it and not its twin.
    const corpusDir = path.join(tmp, file, 'corpus');
    await fs.mkdir(corpusDir, { recursive: true });
    await fs.copyFile(path.join(FIXTURES, file), path.join(corpusDir, file));
    const config = loadConfig({ overrides: { corpusDir, indexDir: path.join(tmp, file, 'index'), disableEmbeddings: true, logLevel: 'silent' } });
    pipelines.set(file, (await openPipeline({ config, ingest: true })).pipeline);
  }
  const loaded = await loadCorpus({ dir: both });
  expect(loaded.skipped).toEqual([]);
  pdf = loaded.documents.find((d) => d.id === PDF)!;
  docx = loaded.documents.find((d) => d.id === DOCX)!;
});
afterAll(async () => {
  for (const pipeline of pipelines.values()) await pipeline.close();
  await fs.rm(tmp, { recursive: true, force: true });
});

const words = (text: string) => text.split(/\s+/).filter((w) => w !== '');
const spanOf = (document: SourceDocument, needle: string): [number, number] => {
  const start = document.text.indexOf(needle);
  expect(start, `${document.id}: ${needle}`).toBeGreaterThanOrEqual(0);
  return [start, start + needle.length];
};
const pageText = (number: number) => {
  const page = pdf.pages!.find((p) => p.number === number)!;
  return pdf.text.slice(page.start, page.end);
};

describe('a PDF and a DOCX LibreOffice made from one document, loaded', () => {
  it('read as the same words in the same order, and here as the same text to the character', () => {
    expect(words(pdf.text)).toEqual(words(docx.text));
    // Paragraphs apart by a blank line and the table's cells by tabs and rows by line breaks in both: no difference
    // is left to normalise away, even in the table.
    expect(pdf.text).toBe(docx.text);
    expect(words(pdf.text)).toHaveLength(1002);
  });

  it('keep the heading styles of the DOCX and the larger headings of the PDF as the same headings, and the title', () => {
    for (const document of [pdf, docx]) {
      expect(document.title).toBe(TITLE);
      expect(document.headings?.map((h) => h.text)).toEqual(HEADINGS);
      for (const h of document.headings!) expect(document.text.slice(h.start, h.end)).toBe(h.text);
    }
    expect(docx.pages).toBeUndefined();
  });

  it('gives the PDF its four A4 pages, each a range of the text, with the sentences across page breaks on both', () => {
    expect(pdf.pages!.map((p) => [p.number, p.width, p.height])).toEqual([
      [1, 595.3, 841.89],
      [2, 595.3, 841.89],
      [3, 595.3, 841.89],
      [4, 595.3, 841.89],
    ]);
    const [one, two, three, four] = pdf.pages!;
    expect(one!.start).toBe(0);
    expect(four!.end).toBe(pdf.text.length);
    // Sentences run on from page 1 and from page 2: those pages are joined by one space, not a paragraph break.
    expect([pdf.text.slice(one!.end, two!.start), pdf.text.slice(two!.end, three!.start), pdf.text.slice(three!.end, four!.start)]).toEqual([' ', ' ', '\n\n']);
    expect(pageText(1).startsWith(`${TITLE}\n\nA short history, 1871–1971\n\nOrigins\n\n`)).toBe(true);
    expect(pageText(1).endsWith('dried thistles. The wreath hung above the')).toBe(true);
    expect(pageText(2).startsWith('winner’s loom until the next harvest')).toBe(true);
    expect(pageText(2).endsWith('a rule that no bolt left')).toBe(true);
    expect(pageText(3).startsWith('the valley without a numbered ticket')).toBe(true);
    expect(pageText(3).endsWith('the building is now the valley museum.')).toBe(true);
    expect(pageText(4).startsWith('The museum keeps')).toBe(true);
    expect(pagesOfSpan(pdf.pages!, ...spanOf(pdf, ACROSS_PAGES))).toEqual([1, 2]);
    expect(pagesOfSpan(pdf.pages!, ...spanOf(pdf, ACROSS_PAGES_TWO_THREE))).toEqual([2, 3]);
    expect(pagesOfSpan(pdf.pages!, ...spanOf(pdf, ON_PAGE_TWO))).toEqual([2]);
    expect(pagesOfSpan(pdf.pages!, ...spanOf(pdf, 'Later years'))).toEqual([3]);
    // Its lines: the last of page 1 (from its middle) and the first four of page 2.
    expect(rectanglesOfSpan(pdf.pages!, ...spanOf(pdf, ACROSS_PAGES)).map((r) => r.page)).toEqual([1, 2, 2, 2, 2]);
  });

  it('leaves the running header and the page-number footer out of the PDF’s text, as the DOCX does', () => {
    for (const document of [pdf, docx]) {
      expect(document.text).not.toContain(RUNNING_HEADER);
      for (const page of [1, 2, 3, 4]) expect(document.text).not.toContain(FOOTER(page));
    }
  });

  it('reads the table row by row, as a paragraph of its own, in both', () => {
    for (const document of [pdf, docx]) expect(document.text).toContain(`\n\n${TABLE}\n\n`);
    expect(pagesOfSpan(pdf.pages!, ...spanOf(pdf, TABLE))).toEqual([3]);
  });

  it('reads the two-column section column by column, the right column after the left', () => {
    const [start, end] = spanOf(pdf, RIGHT_COLUMN);
    expect(pdf.text.slice(0, start).endsWith('almost stiff enough to stand on its end.\n\n')).toBe(true);
    // Really set in two columns: the paragraph's lines start right of the page's middle.
    const lines = rectanglesOfSpan(pdf.pages!, start, end);
    expect(lines.length).toBeGreaterThan(3);
    for (const line of lines) expect(line.x, pdf.text.slice(start, end)).toBeGreaterThan(595.3 / 2);
  });

  it('joins the words Writer hyphenated at line ends, and keeps the hyphens of compounds', () => {
    const boxes = pdf.pages!.flatMap((p) => p.boxes);
    for (const [first, word] of HYPHENATED) {
      // A line's text item ends with the first part (its hyphen taken back) and the next line's item goes on with the rest.
      const at = boxes.findIndex(([, end]) => pdf.text.slice(end - first.length, end) === first && pdf.text.slice(end - first.length, end - first.length + word.length) === word);
      expect(at, word).toBeGreaterThanOrEqual(0);
      expect(boxes[at + 1]![0], word).toBe(boxes[at]![1]);
    }
    for (const [first, word] of HYPHENATED) expect(pdf.text).not.toContain(`${first}-${word.slice(first.length)}`);
    for (const compound of ['forty-two', 'black-faced', 'machine-made']) {
      expect(pdf.text).toContain(compound);
      expect(docx.text).toContain(compound);
    }
    expect(pdf.text).not.toContain('\u00AD');
  });

  it('keeps accents, dashes, curly quotes and ligature-prone words as a reader would type them', () => {
    for (const document of [pdf, docx]) {
      for (const phrase of ['Marthe Dubré', 'Café Müller', 'Zürich', 'Ueli Brändli', 'Teufelsbrücke', 'Jürgen Hoffmann', '1871–1971', 'reads “patience, and better wool.”', 'valley’s name']) {
        expect(document.text, phrase).toContain(phrase);
      }
      for (const word of LIGATURE_WORDS) expect(document.text, word).toMatch(new RegExp(`\\b${word}\\b`));
      expect(document.text).not.toMatch(/[\uFB00-\uFB06]/);
    }
  });
});

interface Case {
  readonly question: string;
  /** The sentence the answer must cite, exactly. */
  readonly quote: string;
  /** The PDF pages it is printed on. */
  readonly pages: readonly number[];
  /** The heading of the section it is in. */
  readonly heading: string;
}

const CASES: readonly Case[] = [
  {
    question: 'Who founded the Kessel Valley Weavers’ Cooperative?',
    quote: 'The Kessel Valley Weavers’ Cooperative was founded in 1871 by Marthe Dubré, a widow from Lyon who had come to the valley with two looms and a trunk of pattern books.',
    pages: [1],
    heading: 'Origins',
  },
  {
    question: 'What does the note in the green ledger read?',
    quote: 'Marthe kept the accounts herself in a green ledger that survives in the village archive; its first page records a loss of forty-two francs and a note, underlined twice, that reads “patience, and better wool.”',
    pages: [1],
    heading: 'Origins',
  },
  {
    question: 'What gives a dense, fluffy nap that sheds rain?',
    quote: 'Their wool is coarse but unusually springy, and after fulling it gives a dense, fluffy nap that sheds rain.',
    pages: [1],
    heading: 'The wool of the upper pastures',
  },
  {
    question: 'What did Ueli Brändli write in 1884?',
    quote: 'Buyers from Zürich and Basel came every October to handle the bolts themselves; a merchant named Ueli Brändli wrote in 1884 that nothing woven in the Alps kept a shepherd drier through a week of sleet.',
    pages: [1],
    heading: 'The wool of the upper pastures',
  },
  { question: 'What was a weaver who won the wreath three years running excused from?', quote: ACROSS_PAGES, pages: [1, 2], heading: 'The wool of the upper pastures' },
  { question: 'Where did Jürgen Hoffmann keep the fleece samples?', quote: ON_PAGE_TWO, pages: [2], heading: 'The office on the square' },
  { question: "What did Hoffmann's rule say no bolt left the valley without?", quote: ACROSS_PAGES_TWO_THREE, pages: [2, 3], heading: 'The office on the square' },
  {
    question: 'Who lent the money for the move of the office?',
    quote: 'His affluent cousin in Bern lent the money for the move, and the loan was repaid in full by 1912.',
    pages: [2],
    heading: 'The office on the square',
  },
  { question: 'What did the weavers in Oberdorf dye their weft with?', quote: RIGHT_COLUMN, pages: [3], heading: 'Two looms, two traditions' },
  {
    question: 'When did the last loom in the old mill stop?',
    quote: 'The last loom in the old mill stopped on 30 June 1971, a hundred years after Marthe Dubré’s charter, and the building is now the valley museum.',
    pages: [3],
    heading: 'Later years',
  },
  { question: 'What pays for the heating of the museum?', quote: 'Visitors may buy a small length of cloth woven on it; the proceeds pay for the museum’s heating.', pages: [4], heading: 'Later years' },
];

describe.each([PDF, DOCX])('asking about %s through the real ingest and pipeline', (file) => {
  const isPdf = file === PDF;

  it.each(CASES)('$question', async ({ question, quote, pages, heading }) => {
    const pipeline = pipelines.get(file)!;
    const result = await pipeline.ask({ question });
    expect(result.abstained, result.answer).toBe(false);
    const text = pipeline.getDocument(file)!.text;
    for (const c of result.citations) {
      expect(c.docId).toBe(file);
      expect(c.quote).toBe(text.slice(c.start, c.end));
      if (isPdf) expect(c.page).toBe(c.pages![0]);
      else expect(c).not.toHaveProperty('pages');
    }
    const cited = result.citations.find((c) => c.quote === quote);
    expect(cited, JSON.stringify(result.citations)).toBeDefined();
    if (isPdf) expect(cited).toMatchObject({ page: pages[0], pages });
    expect(result.answer).toContain(quote);
    // The indexed document keeps its headings: the last one before the quote names its section.
    expect(pipeline.getDocument(file)!.headings?.filter((h) => h.end <= cited!.start).at(-1)?.text).toBe(heading);
  });

  it('finds the table for its figures, its rows on their own lines', async () => {
    const pipeline = pipelines.get(file)!;
    const [top] = await pipeline.search('bolts woven 1925');
    expect(top!.docId).toBe(file);
    expect(top!.text).toContain(TABLE);
    expect(pipeline.getDocument(file)!.text.slice(top!.start, top!.end)).toBe(top!.text);
  });
});
