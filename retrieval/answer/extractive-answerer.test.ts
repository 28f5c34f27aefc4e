import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { SEED_DOC_ID, seedQuestions, unanswerableSeedQuestions } from '../__fixtures__/seed-questions.js';
import { contextualizeQuestion } from '../conversation/contextualize-question.js';
import { LexicalIndex } from '../index/lexical-index.js';
import type { Answer, ChatTurn, Passage } from '../types.js';
import type { Answerer } from './answerer.js';
import { createExtractiveAnswerer, NO_ANSWER_TEXT } from './extractive-answerer.js';
import { readAnswerWeights } from './answer-weights.js';
import { createNlpTools } from './nlp.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const seedText = fs.readFileSync(path.join(here, '..', '..', 'seeds', SEED_DOC_ID), 'utf8');
const documentText = (docId: string) => {
  if (docId !== SEED_DOC_ID) throw new Error(`unknown document ${docId}`);
  return seedText;
};

/** Overlapping windows with exact offsets, cut mid-sentence on purpose: the answerer must still cite whole sentences. */
function chunk(text: string, size = 700, overlap = 200): Passage[] {
  const out: Passage[] = [];
  let start = 0;
  while (start < text.length) {
    let end = Math.min(text.length, start + size);
    if (end < text.length) {
      const space = text.lastIndexOf(' ', end);
      if (space > start + size / 2) end = space;
    }
    out.push({ id: `${SEED_DOC_ID}#${start}-${end}`, docId: SEED_DOC_ID, start, end, text: text.slice(start, end), heading: null, score: 0, scores: { rrf: 0 } });
    if (end >= text.length) break;
    start = end - overlap;
  }
  return out;
}

const chunks = chunk(seedText);
const byId = new Map(chunks.map((c) => [c.id, c]));
let index: LexicalIndex;

function retrieve(query: string, k = 8): Passage[] {
  return index.query(query, k).map((r, rank) => ({ ...byId.get(r.id)!, score: r.score, scores: { bm25: r.score, bm25Rank: rank + 1, rrf: 1 / (60 + rank + 1) } }));
}

let answerer: Answerer;
beforeAll(async () => {
  index = await LexicalIndex.build(chunks);
  answerer = createExtractiveAnswerer({ nlp: createNlpTools() });
});

async function ask(question: string, options: { history?: readonly ChatTurn[]; explain?: boolean } = {}): Promise<Answer> {
  const history = options.history ?? [];
  const context = contextualizeQuestion(question, history);
  return answerer.answer({ question, history, context, passages: retrieve(context.retrievalQuery), documentText, ...(options.explain ? { explain: true } : {}) });
}

function expectCitationsExact(answer: Answer): void {
  for (const c of answer.citations) {
    expect(c.quote).toBe(seedText.slice(c.start, c.end));
    expect(answer.answer).toContain(`[${c.n}]`);
  }
}

describe('extractive answerer on the seed document', () => {
  it('has a fixture of at least 35 answerable and 6 unanswerable questions, with follow-ups', () => {
    expect(seedQuestions.length).toBeGreaterThanOrEqual(35);
    expect(unanswerableSeedQuestions.length).toBeGreaterThanOrEqual(6);
    expect(seedQuestions.filter((q) => (q.history?.length ?? 0) > 0).length).toBeGreaterThanOrEqual(4);
    for (const q of seedQuestions) expect(seedText.includes(q.evidence), q.evidence).toBe(true);
  });

  it.each(seedQuestions.map((q) => [q.question, q] as const))('answers: %s', async (_, item) => {
    const answer = await ask(item.question, { history: item.history ?? [] });
    expect(answer.abstained).toBe(false);
    expect(item.expected.some((e) => answer.answer.includes(e)), answer.answer).toBe(true);
    expect(answer.citations.some((c) => c.quote.includes(item.evidence)), answer.answer).toBe(true);
    expectCitationsExact(answer);
    if (answer.shortAnswer !== null) expect(answer.citations.some((c) => c.quote.includes(answer.shortAnswer!))).toBe(true);
  });

  it.each(unanswerableSeedQuestions.map((q) => [q.question, q] as const))('abstains: %s', async (_, item) => {
    const answer = await ask(item.question, { history: item.history ?? [] });
    expect(answer).toMatchObject({ answer: NO_ANSWER_TEXT, shortAnswer: null, abstained: true, citations: [], shortAnswerConfident: false });
    expect(answer.abstentionReason).not.toBeNull();
  });
});

/** Unanswerable questions that repeat the document's words: only the combined evidence confidence rejects them. */
const nearMisses = [
  'Who is the Italian interior minister who ended the joint patrols?',
  'What prison sentence did Chen Zhichen receive?',
  'Who founded the Found in Translation Substack?',
  'In which city is the Justice Institute of British Columbia headquartered?',
  'What was the name of the Melbourne bus driver Chinese police tried to bring back?',
];

describe('evidence confidence', () => {
  it.each(nearMisses)('abstains on a near miss: %s', async (question) => {
    expect((await ask(question)).abstained).toBe(true);
  });

  it('answers the same near misses when the gate threshold is 0 (the gate is what abstains)', async () => {
    const weights = readAnswerWeights();
    const lenient = createExtractiveAnswerer({ nlp: createNlpTools(), answerWeights: { ...weights, gate: { ...weights.gate, threshold: 0 } } });
    for (const question of nearMisses) {
      const answer = await lenient.answer({ question, history: [], passages: retrieve(question), documentText });
      expect(answer.abstained, question).toBe(false);
    }
  });

  it("explains an answer on request: the gate's features, probability and reason, and the ranked lists behind it", async () => {
    const question = 'When did Italy halt joint patrols with Chinese police?';
    const answer = await ask(question, { explain: true });
    const trace = answer.trace!;
    expect(trace.gate.reason).toBeNull();
    expect(trace.gate.probability).toBe(answer.confidence.answer);
    expect(trace.gate.probability).toBeGreaterThan(readAnswerWeights().gate.threshold);
    expect(trace.gate.features.contextCoverage).toBeGreaterThan(0.5);
    expect(trace.sentences[0]!.text).toBe(answer.citations[0]!.quote);
    expect(trace.shortAnswers[0]!.text).toBe(answer.shortAnswer);
    expect(trace.shortAnswerConfidence!.probability).toBe(answer.confidence.shortAnswer);
    expect((await ask(question)).trace).toBeUndefined();
  });
});

describe('extractive answerer behaviour', () => {
  it('quotes only source sentences plus markers, numbered from 1', async () => {
    const answer = await ask('How many foreign police officers did China train in 2023?');
    expect(answer.shortAnswer).toBe('2,700');
    expect(answer.citations[0]!.n).toBe(1);
    let rest = answer.answer;
    for (const c of answer.citations) rest = rest.replace(c.quote, '').replace(`[${c.n}]`, '');
    expect(rest.trim()).toBe('');
  });

  it('also quotes a runner-up sentence that scores within 70% of the best', async () => {
    // "…program closed?" ranks "Chen attended JIBC as part of a program…" first; the shutdown sentence is close behind.
    const answer = await ask('In what year was the JIBC program closed?');
    expect(answer.answer).toContain('shutdown in 2021');
    expectCitationsExact(answer);
  });

  it('also quotes the sentence next to the best one when it scores close, though it adds no question term', async () => {
    // The best sentence says "He"; the one before it names him. Both match only "quarterback" and "Super Bowl".
    const text = 'Peyton Manning became the first quarterback ever to lead two different teams to multiple Super Bowls. He is also the oldest quarterback ever to play in a Super Bowl at age 39. The game was played in Santa Clara.';
    const passage: Passage = { id: 'sb#0', docId: 'sb', start: 0, end: text.length, text, heading: null, score: 1, scores: { rrf: 1 } };
    const answer = await answerer.answer({ question: 'Who is the oldest quarterback to play in a Super Bowl?', history: [], passages: [passage], documentText: () => text });
    expect(answer.citations.map((c) => c.quote)).toEqual(['He is also the oldest quarterback ever to play in a Super Bowl at age 39.', 'Peyton Manning became the first quarterback ever to lead two different teams to multiple Super Bowls.']);
    expect(answer.citations.every((c) => text.slice(c.start, c.end) === c.quote)).toBe(true);
  });

  it('answers a "when" question from a sentence holding all its terms, though no date is recognised in it', async () => {
    const text = 'The Rhineland was subject to the Treaty of Versailles at the end of World War I. The Allies occupied it for a decade.';
    const passage: Passage = { id: 'rh#0', docId: 'rh', start: 0, end: text.length, text, heading: null, score: 1, scores: { rrf: 1 } };
    const answer = await answerer.answer({ question: 'When was the Rhineland subject to the Treaty of Versailles?', history: [], passages: [passage], documentText: () => text });
    expect(answer.abstained).toBe(false);
    expect(answer.citations[0]?.quote).toContain('The Rhineland was subject to the Treaty of Versailles at the end of World War I');
  });

  it("answers for the year asked: the figure tied to 2025, not the one tied to 2023 in the same sentence (the README's follow-up)", async () => {
    expect((await ask('How many foreign law enforcement officers did China train in 2023?')).shortAnswer).toBe('2,700');
    expect((await ask('How many foreign law enforcement officers did China train by 2025?')).shortAnswer).toBe('3,000');
    const history: ChatTurn[] = [
      { role: 'user', content: 'How many foreign law enforcement officers did China train in 2023?' },
      { role: 'assistant', content: '… Wang announced that China had trained 2,700 foreign law enforcement officers in 2023 … [1]' },
    ];
    const followUp = await ask('And by 2025?', { history });
    expect(followUp.shortAnswer).toBe('3,000');
    expectCitationsExact(followUp);
  });

  it('cites whole sentences by document offsets even when a chunk starts mid-sentence', async () => {
    const target = 'In December 2022, Italy halted joint patrols';
    const at = seedText.indexOf(target) + 20;
    const end = at + 300;
    const passage: Passage = { id: `${SEED_DOC_ID}#${at}-${end}`, docId: SEED_DOC_ID, start: at, end, text: seedText.slice(at, end), heading: null, score: 1, scores: { rrf: 1 } };
    const answer = await answerer.answer({ question: 'When did Italy halt joint patrols with Chinese police?', history: [], passages: [passage], documentText });
    expect(answer.citations[0]!.quote.startsWith(target)).toBe(true);
    expect(answer.shortAnswer).toBe('December 2022');
    expectCitationsExact(answer);
  });

  it('quotes a sentence once when overlapping chunks both contain it', async () => {
    const start = seedText.indexOf('In March 2023');
    const a: Passage = { id: 'a', docId: SEED_DOC_ID, start, end: start + 500, text: seedText.slice(start, start + 500), heading: null, score: 1, scores: { rrf: 1 } };
    const b: Passage = { ...a, id: 'b', start: start - 100, end: start + 400, text: seedText.slice(start - 100, start + 400) };
    const answer = await answerer.answer({ question: 'When did Beijing amend the Organic Law of the State Council?', history: [], passages: [a, b], documentText });
    const quotes = answer.citations.map((c) => `${c.start}-${c.end}`);
    expect(new Set(quotes).size).toBe(quotes.length);
  });

  it('abstains with no passages, no question terms, or stale passages', async () => {
    expect((await answerer.answer({ question: 'When did Italy halt patrols?', history: [], passages: [], documentText })).abstained).toBe(true);
    expect((await answerer.answer({ question: 'What is it?', history: [], passages: retrieve('Italy'), documentText })).abstained).toBe(true);
    const stale: Passage = { ...retrieve('Italy halted joint patrols')[0]!, text: 'text that is no longer in the document' };
    expect((await answerer.answer({ question: 'When did Italy halt joint patrols?', history: [], passages: [stale], documentText })).abstained).toBe(true);
  });

  it('uses the conversation subject for a follow-up', async () => {
    const history: ChatTurn[] = [
      { role: 'user', content: 'Who is Chen Zhichen?' },
      { role: 'assistant', content: 'Chen Zhichen was criminally charged in the United States. [1]' },
    ];
    const answer = await ask('Which bureau was she a member of?', { history });
    expect(answer.answer).toContain('MPS First Bureau');
  });

  it('uses embeddings to re-rank when they are available', async () => {
    const passages = retrieve('Italy halted joint patrols Chinese police');
    const seen: string[][] = [];
    const embed = async (texts: readonly string[]) => {
      seen.push([...texts]);
      return texts.map((t) => [t.includes('Italy') ? 1 : 0, 1]);
    };
    const answer = await answerer.answer({ question: 'When did Italy halt joint patrols?', history: [], passages, documentText, embed });
    expect(seen.length).toBe(1);
    expect(seen[0]![0]).toBe('When did Italy halt joint patrols?');
    expect(answer.shortAnswer).toBe('December 2022');
  });

  it('stops when the request is aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(answerer.answer({ question: 'When did Italy halt joint patrols?', history: [], passages: retrieve('Italy'), documentText, signal: controller.signal })).rejects.toMatchObject({ code: 'ABORTED' });
  });

  // Speed is a benchmark target (ask p95 < 50 ms, `npm run bench`), not a timed test: timings here are noisy.
  it('is deterministic: the same question over the same passages gets the same answer every time', async () => {
    const question = 'Why did Papua New Guinea and Fiji revise their policing deals with China?';
    const first = await ask(question);
    for (let i = 0; i < 20; i++) expect(await ask(question)).toEqual(first);
  });
});

describe('answerer instances', () => {
  it('can be created many times in one process (the wink model is loaded once)', () => {
    const answerers = Array.from({ length: 30 }, () => createExtractiveAnswerer());
    expect(answerers.every((a) => a.name === 'extractive')).toBe(true);
  });
});

describe('what a new user saw (issue: answers people can trust)', () => {
  // A bold (confident) short answer must agree with the sentence under it; otherwise the quote leads, unemphasised.
  it.each([
    ['How many additional officers does China intend to train?', '2,700'],
    ['What did the program generate for the institute?', 'part of a program'],
    ['What kind of online operation was Chen accused of running?', 'genocide'],
    ['tell me about canada', 'United States'],
  ])('no confident wrong short answer: %s', async (question, wrong) => {
    const answer = await ask(question);
    if (answer.shortAnswer === wrong) expect(answer.shortAnswerConfident).toBe(false);
  });

  it('"Who is Ian McCartney?" answers with his title, confidently, not "a turning point"', async () => {
    const answer = await ask('Who is Ian McCartney?');
    expect(answer.shortAnswer).toBe('AFP Deputy Commissioner');
    expect(answer.shortAnswerConfident).toBe(true);
  });

  it('a question narrowed to a part the evidence does not mention abstains as a scope mismatch (Fiji)', async () => {
    const answer = await ask('How many officers from Fiji have been trained by China?');
    expect(answer.abstained).toBe(true);
    expect(answer.abstentionReason).toBe('SCOPE_MISMATCH');
    expect(answer.confidence.answer).toBeLessThan(readAnswerWeights().gate.threshold);
  });
});
