import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createNlpTools } from './nlp.js';
import { createSentenceSplitter } from './sentences.js';
import { createTermNormalizer } from './terms.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const seed = fs.readFileSync(path.join(here, '..', '..', 'seeds', '000_4434d9e95f18ffce.txt'), 'utf8');
const tools = createNlpTools();
const splitter = createSentenceSplitter(tools, createTermNormalizer(tools));

describe('createSentenceSplitter', () => {
  it('returns spans of the document: every sentence and token equals the text at its offsets', () => {
    const sentences = splitter.split({ docId: 'seed', text: seed, offset: 0 });
    expect(sentences.length).toBeGreaterThan(30);
    for (const s of sentences) {
      expect(seed.slice(s.start, s.end)).toBe(s.text);
      for (const t of s.tokens) expect(seed.slice(t.start, t.end)).toBe(t.text);
      expect(s.text).toBe(s.text.trim());
    }
  });

  it('keeps curly quotes and apostrophes inside exact quotes', () => {
    const sentences = splitter.split({ docId: 'seed', text: seed, offset: 0 });
    const gsi = sentences.find((s) => s.text.includes('“indivisible security”'))!;
    expect(gsi.text.startsWith('In 2022, President Xi Jinping introduced')).toBe(true);
    expect(seed.slice(gsi.start, gsi.end)).toBe(gsi.text);
    const abc = sentences.find((s) => s.text.includes('ABC’s Four Corners'))!;
    expect(seed.slice(abc.start, abc.end)).toBe(abc.text);
  });

  it('offsets a chunk by its document position', () => {
    const start = seed.indexOf('In March 2023');
    const chunk = seed.slice(start, start + 400);
    const sentences = splitter.split({ docId: 'seed', text: chunk, offset: start });
    expect(sentences[0]!.start).toBe(start);
    for (const s of sentences) expect(seed.slice(s.start, s.end)).toBe(s.text);
  });

  it('ends a sentence at a line break, so headings and bylines stand alone', () => {
    const sentences = splitter.split({ docId: 'seed', text: seed, offset: 0 });
    expect(sentences.some((s) => s.text === 'Summary')).toBe(true);
    expect(sentences.every((s) => !s.text.includes('\n'))).toBe(true);
  });

  it('tags numbers and dates as entities on the right tokens', () => {
    const text = 'Wang announced that China had trained 2,700 officers in 2023 and earned $3.3 million.';
    const [s] = splitter.split({ docId: 'x', text, offset: 10 });
    const entity = (type: string) => s!.entities.filter((e) => e.type === type).map((e) => text.slice(s!.tokens[e.first]!.start - 10, s!.tokens[e.last]!.end - 10));
    expect(entity('CARDINAL')).toContain('2,700');
    expect(entity('DATE')).toContain('2023');
    expect(entity('MONEY')).toContain('$3.3 million');
  });

  it('does not end a sentence at an abbreviated title, but still at a line break after one', () => {
    const text = 'The vote was close. Rev. Paul T. Stallsworth, president of the taskforce, said 2,700 had signed.\nIt ended with Fr.\nNext line.';
    const sentences = splitter.split({ docId: 'x', text, offset: 5 });
    expect(sentences.map((s) => s.text)).toEqual(['The vote was close.', 'Rev. Paul T. Stallsworth, president of the taskforce, said 2,700 had signed.', 'It ended with Fr.', 'Next line.']);
    const joined = sentences[1]!;
    expect(text.slice(joined.start - 5, joined.end - 5)).toBe(joined.text);
    const figure = joined.entities.find((e) => e.type === 'CARDINAL')!;
    expect(joined.tokens[figure.first]!.text).toBe('2,700');
  });

  it('gives every occurrence of a word its own written form: one spelled differently is folded and matched apart', () => {
    const text = 'Apple’s apples fell. The apple and the APPLE were sold by Apple.';
    const tokens = splitter.split({ docId: 'x', text, offset: 0 }).flatMap((s) => s.tokens);
    const forms = (word: string) => tokens.filter((t) => t.text === word).map((t) => [t.folded, t.term, t.capitalized]);
    expect(forms('Apple')).toEqual([['apple', 'appl', true], ['apple', 'appl', true]]);
    expect(forms('apple')).toEqual([['apple', 'appl', false]]);
    expect(forms('APPLE')).toEqual([['apple', 'appl', true]]);
    expect(forms('apples')).toEqual([['apples', 'appl', false]]);
  });

  it('splits the same way whether a word is remembered or the memo has just been dropped', () => {
    const forgetful = createSentenceSplitter(tools, createTermNormalizer(tools), { wordMemoSize: 3 });
    const fresh = createSentenceSplitter(tools, createTermNormalizer(tools));
    const expected = fresh.split({ docId: 'seed', text: seed, offset: 0 });
    // Twice each: the first pass fills the default memo, the second reads from it; the small one is dropped every few words.
    expect(splitter.split({ docId: 'seed', text: seed, offset: 0 })).toEqual(expected);
    expect(fresh.split({ docId: 'seed', text: seed, offset: 0 })).toEqual(expected);
    expect(forgetful.split({ docId: 'seed', text: seed, offset: 0 })).toEqual(expected);
    expect(forgetful.split({ docId: 'seed', text: seed, offset: 0 })).toEqual(expected);
  });
});
