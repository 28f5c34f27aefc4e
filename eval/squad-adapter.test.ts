import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCorpus } from '../retrieval/corpus/load-corpus.js';
import { containsNormalized } from './metrics/normalize.js';
import { sentenceSpanAt, sentenceSpans } from './sentence-span.js';
import { articleFileName, convertSquad, parseSquad, PARAGRAPH_SEPARATOR, readSquadFile, writeSquadCorpus } from './squad-adapter.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const XQUAD = path.join(here, 'datasets', 'xquad-en', 'xquad.en.json');
const temps: string[] = [];
afterAll(async () => {
  for (const dir of temps) await fs.rm(dir, { recursive: true, force: true });
});

describe('sentence spans', () => {
  it('splits on sentence ends but not on abbreviations, initials or decimals', () => {
    const text = 'The U.S. team won 3.5 points. John F. Kennedy spoke. "Why?" he asked. Done';
    expect(sentenceSpans(text).map((s) => text.slice(s.start, s.end))).toEqual(['The U.S. team won 3.5 points.', 'John F. Kennedy spoke.', '"Why?" he asked.', 'Done']);
  });

  it('covers the whole answer even when it crosses a boundary', () => {
    const text = 'First one. Second one. Third.';
    const at = text.indexOf('one. Second');
    const span = sentenceSpanAt(text, at, at + 'one. Second'.length);
    expect(text.slice(span.start, span.end)).toBe('First one. Second one.');
  });
});

describe('SQuAD adapter', () => {
  const tiny = parseSquad({
    version: '1.1',
    data: [
      {
        title: 'Fresno, California',
        paragraphs: [
          { context: 'Fresno is a city. It has 500,000 people.', qas: [{ id: 'q1', question: 'How many people live in Fresno?', answers: [{ answer_start: 25, text: '500,000' }, { answer_start: 25, text: '500,000 people' }] }] },
          { context: 'It was founded in 1872. The railroad came.', qas: [{ id: 'q2', question: 'When was Fresno founded?', answers: [{ answer_start: 0, text: '1872' }] }] },
        ],
      },
    ],
  });

  it('makes one document per article with blank lines between paragraphs and document offsets for answers', () => {
    const { documents, items, realignedAnswers } = convertSquad(tiny);
    expect(documents).toHaveLength(1);
    expect(documents[0]!.id).toBe('000_Fresno_California.txt');
    expect(documents[0]!.text).toBe(`Fresno is a city. It has 500,000 people.${PARAGRAPH_SEPARATOR}It was founded in 1872. The railroad came.`);
    expect(realignedAnswers).toBe(1); // q2's answer_start was wrong and moved to the only occurrence
    const [q1, q2] = items;
    expect(q1).toMatchObject({ answers: ['500,000', '500,000 people'], evidence: ['It has 500,000 people.'], type: 'how-many', answerable: true });
    expect(q1!.goldSpans).toEqual([
      { docId: '000_Fresno_California.txt', start: 25, end: 32 },
      { docId: '000_Fresno_California.txt', start: 25, end: 39 },
    ]);
    const text = documents[0]!.text;
    expect(text.slice(q2!.goldSpans![0]!.start, q2!.goldSpans![0]!.end)).toBe('1872');
    expect(q2!.evidence).toEqual(['It was founded in 1872.']);
    expect(q2!.type).toBe('when');
  });

  it('rejects files that are not SQuAD and answers that are not in their paragraph', () => {
    expect(() => parseSquad({ data: [] }, 'x.json')).toThrow(/x\.json is not SQuAD/);
    const broken = parseSquad({ data: [{ title: 't', paragraphs: [{ context: 'abc', qas: [{ id: 'q', question: 'q?', answers: [{ answer_start: 0, text: 'zzz' }] }] }] }] });
    expect(() => convertSquad(broken)).toThrow(/does not occur in its paragraph/);
  });

  it('turns XQuAD into 48 documents and 1,190 questions whose evidence sentence holds the answer at answer_start', async () => {
    const dataset = await readSquadFile(XQUAD);
    const { documents, items, realignedAnswers } = convertSquad(dataset);
    expect(documents).toHaveLength(48);
    expect(items).toHaveLength(1190);
    expect(realignedAnswers).toBe(0);
    expect(documents.reduce((n, d) => n + d.text.split(PARAGRAPH_SEPARATOR).length, 0)).toBe(240);
    const texts = new Map(documents.map((d) => [d.id, d.text]));
    const notContained: string[] = [];
    // Map each question back to its paragraph and answer_start, independently of the adapter.
    const raw = new Map<string, { context: string; start: number; text: string }>();
    for (const article of dataset.data) for (const p of article.paragraphs) for (const qa of p.qas) raw.set(qa.id, { context: p.context, start: qa.answers[0]!.answer_start, text: qa.answers[0]!.text });
    for (const item of items) {
      const gold = item.goldSpans![0]!;
      const evidence = item.evidenceSpans![0]!;
      const text = texts.get(gold.docId)!;
      const original = raw.get(item.id)!;
      expect(text.slice(gold.start, gold.end), item.id).toBe(original.text);
      // The gold span sits at the same place inside its paragraph as answer_start says.
      const paragraphStart = text.indexOf(original.context);
      expect(gold.start - paragraphStart, item.id).toBe(original.start);
      expect(evidence.start <= gold.start && gold.end <= evidence.end, item.id).toBe(true);
      expect(item.evidence[0], item.id).toBe(text.slice(evidence.start, evidence.end));
      if (!containsNormalized(item.evidence[0]!, item.answers[0]!)) notContained.push(item.id);
      // Evidence is one sentence-sized piece, not a whole paragraph.
      expect(item.evidence[0]!.length, item.id).toBeLessThan(original.context.length + 1);
    }
    // One gold answer in XQuAD is cut mid-number ("7,000,000 square kilometres (2,70"): exact as a span,
    // but no whole-token match exists, so no system can score "contained" on it.
    expect(notContained).toEqual(['5729e2316aef0514001550c5']);
    const lengths = items.map((i) => i.evidence[0]!.length).sort((a, b) => a - b);
    expect(lengths[Math.floor(lengths.length / 2)]!).toBeLessThan(300);
  });

  it('writes a corpus the loader reads back byte for byte, and refuses a folder with other files', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'verbatim-squad-test-'));
    temps.push(dir);
    const conversion = convertSquad(await readSquadFile(XQUAD));
    await writeSquadCorpus(conversion, dir);
    const loaded = await loadCorpus({ dir });
    expect(loaded.documents.map((d) => d.id)).toEqual(conversion.documents.map((d) => d.id));
    for (const [i, doc] of loaded.documents.entries()) expect(doc.text === conversion.documents[i]!.text, doc.id).toBe(true);
    await fs.writeFile(path.join(dir, 'stranger.txt'), 'x');
    await expect(writeSquadCorpus(conversion, dir)).rejects.toThrow(/not part of this SQuAD corpus/);
  });

  it('names files safely and uniquely', () => {
    expect(articleFileName(7, 'Sky_(United_Kingdom)')).toBe('007_Sky_United_Kingdom.txt');
    expect(articleFileName(12, '???')).toBe('012_article.txt');
  });
});
