import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../retrieval/config.js';
import type { Pipeline } from '../retrieval/pipeline.js';
import { ABSTENTION_REASONS, type AskResult, type Passage, type SourceDocument } from '../retrieval/types.js';
import { compareResults, formatComparison } from './compare.js';
import type { EvalItem } from './dataset.js';
import { FAILURE_DEFINITIONS, METRIC_DEFINITIONS, REASON_DEFINITIONS } from './report/definitions.js';
import { escapeHtml } from './report/escape-html.js';
import { renderHtmlReport } from './report/html-report.js';
import { formatTerminalSummary } from './report/terminal-summary.js';
import { readResults, writeResults } from './results-file.js';
import { runEval, type EvalResultLine } from './run-eval.js';

const TEXT = 'Italy halted joint patrols in December 2022. Fiji adjusted its agreement. <script>alert(1)</script> is not code here.';
const DOC: SourceDocument = { id: 'doc.txt', title: 'doc', text: TEXT, hash: 'h' };
const EVIDENCE = 'Italy halted joint patrols in December 2022.';

/** A pipeline that answers from a table: enough to exercise the harness without the retrieval core. */
function fakePipeline(answers: Record<string, Partial<AskResult>>, asked: string[] = []): Pipeline {
  const passage: Passage = { id: 'doc.txt#0-118', docId: 'doc.txt', start: 0, end: TEXT.length, text: TEXT, heading: null, score: 1, scores: { rrf: 1 } };
  const ask = async (request: { question: string; id?: string; history?: readonly unknown[] }): Promise<AskResult> => {
    asked.push(`${request.question}|${request.history?.length ?? 0}`);
    return {
      id: request.id,
      question: request.question,
      retrievalQuery: request.question,
      answer: 'The documents do not say <script>alert(1)</script>.',
      shortAnswer: null,
      shortAnswerConfident: false,
      confidence: { answer: 0.1, shortAnswer: 0 },
      abstained: true,
      abstentionReason: 'WEAK_EVIDENCE',
      citations: [],
      passages: [{ docId: passage.docId, start: 0, end: TEXT.length, score: 1, heading: null, text: TEXT, scores: { rrf: 1 } }],
      mode: 'lexical',
      timingsMs: { total: 1, retrieve: 0.5, answer: 0.5 },
      ...answers[request.question],
    };
  };
  return {
    status: { mode: 'lexical', lexicalReason: 'test', embedder: null, model: null, answerer: 'fake', generator: null, documents: 1, chunks: 1, indexBuiltAt: 'now' },
    generationDir: '/nonexistent/gen-test',
    search: async () => [passage],
    ask,
    askStream: async function* () {
      throw new Error('not used');
    },
    listDocuments: () => [{ id: DOC.id, title: DOC.title, length: TEXT.length, chunks: 1, pages: null, bytes: TEXT.length, addedAt: null }],
    getDocument: (id) => (id === DOC.id ? DOC : undefined),
    close: async () => {},
  };
}

const items: EvalItem[] = [
  { id: 'q1', question: 'When did Italy stop the patrols?', answers: ['December 2022'], evidence: [EVIDENCE], type: 'when', answerable: true },
  { id: 'q2', question: 'Why did it do that?', answers: ['service stations'], evidence: [EVIDENCE], type: 'why', answerable: true, history: [{ role: 'user', content: 'Which country halted patrols?' }, { role: 'assistant', content: 'Italy [1].' }] },
  { id: 'q3', question: 'Who is the <b>minister</b>?', answers: [], evidence: [], type: 'who', answerable: false },
];

const right: Partial<AskResult> = {
  answer: 'Italy halted joint patrols in December 2022 [1].',
  shortAnswer: 'December 2022',
  abstained: false,
  citations: [{ n: 1, docId: 'doc.txt', start: 0, end: EVIDENCE.length, quote: EVIDENCE }],
};

async function run(answers: Record<string, Partial<AskResult>>, asked?: string[]) {
  const config = loadConfig({ env: {}, overrides: { corpusDir: '/nonexistent', indexDir: '/nonexistent', topK: 10 } });
  return runEval({ config, items, dataset: 'fake', openPipeline: async () => fakePipeline(answers, asked) });
}

describe('runEval', () => {
  it('asks every question with its history and writes ask --json results plus gold and scores', async () => {
    const asked: string[] = [];
    const { results, summary, meta } = await run({ [items[0]!.question]: right }, asked);
    expect(asked).toEqual(['When did Italy stop the patrols?|0', 'Why did it do that?|2', 'Who is the <b>minister</b>?|0']);
    const first = results[0]!;
    const { gold, scores, ...ask } = first;
    expect(Object.keys(ask)).toEqual(['id', 'question', 'retrievalQuery', 'answer', 'shortAnswer', 'shortAnswerConfident', 'confidence', 'abstained', 'abstentionReason', 'citations', 'passages', 'mode', 'timingsMs']);
    expect(gold).toEqual({ answers: ['December 2022'], evidence: [EVIDENCE], type: 'when', answerable: true });
    expect(scores).toMatchObject({ correct: true, retrievalRank: 1, exactMatch: 1 });
    expect(results[1]!.gold.history).toHaveLength(2);
    expect(summary.answers.answerContained).toBe(0.5);
    expect(summary.abstention.recall).toBe(1);
    expect(meta).toMatchObject({ dataset: 'fake', questions: 3, mode: 'lexical', answerer: 'fake', evidenceNotFound: 0 });
  });

  it('rejects gold spans that do not fit the corpus', async () => {
    const config = loadConfig({ env: {}, overrides: { corpusDir: '/x', indexDir: '/x' } });
    const bad: EvalItem[] = [{ ...items[0]!, goldSpans: [{ docId: 'other.txt', start: 0, end: 4 }] }];
    await expect(runEval({ config, items: bad, openPipeline: async () => fakePipeline({}) })).rejects.toThrow(/does not match the indexed corpus/);
    const shifted: EvalItem[] = [{ ...items[0]!, goldSpans: [{ docId: 'doc.txt', start: 31, end: 44 }] }];
    await expect(runEval({ config, items: shifted, openPipeline: async () => fakePipeline({}) })).rejects.toThrow(/does not match/);
    const aligned: EvalItem[] = [{ ...items[0]!, goldSpans: [{ docId: 'doc.txt', start: 30, end: 43 }] }];
    await expect(runEval({ config, items: aligned, openPipeline: async () => fakePipeline({}) })).resolves.toBeTruthy();
  });
});

describe('reports and comparison', () => {
  it('renders a self-contained, escaped HTML report with failures first', async () => {
    const { results, summary, meta } = await run({ [items[0]!.question]: right });
    const html = renderHtmlReport({ meta, summary, results, targets: { set: 'seed', checks: [{ metric: 'answerContained', kind: 'min', bound: 0.95, actual: 0.5, pass: false }] } });
    expect(html).not.toMatch(/<script/i);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('Who is the &lt;b&gt;minister&lt;/b&gt;?');
    expect(html).not.toMatch(/\s(src|href)=/);
    // By type, latency, two reliability diagrams, the gate curve.
    expect(html.match(/<svg/g)).toHaveLength(5);
    // q2 (wrong) comes before q1 (right); q3 abstained correctly.
    expect(html.indexOf('Why did it do that?')).toBeLessThan(html.indexOf('When did Italy stop the patrols?'));
    expect(html).toContain('1 of 1 not met');
    const table = formatTerminalSummary(meta, summary, { set: 'seed', checks: [{ metric: 'answerContained', kind: 'min', bound: 0.95, actual: 0.5, pass: false }] });
    expect(table).toMatch(/answer contained\s+0\.500\s+≥ 0\.95\s+FAIL/);
  });

  it('leads with what the user saw: a wrong bold short answer is wrong even when the quote is right', async () => {
    const boldWrong: Partial<AskResult> = { ...right, shortAnswer: 'Italy', shortAnswerConfident: true, confidence: { answer: 0.9, shortAnswer: 0.8 } };
    const { results, summary, meta } = await run({ [items[0]!.question]: boldWrong });
    expect(results[0]!.scores).toMatchObject({ correct: true, shortAnswerShown: true, shortAnswerRight: false, shownAnswerRight: false, failure: 'wrong-short-answer' });
    // q1 wrong (bold answer), q2 wrong (abstained), q3 right (abstained on an unanswerable question).
    expect(summary.headline.shownAnswerRight).toBeCloseTo(1 / 3, 12);
    expect(summary.correct).toBeCloseTo(2 / 3, 12);
    const html = renderHtmlReport({ meta, summary, results });
    const hero = /<div class="card hero">(.*?)<\/details><\/div>/s.exec(html)?.[1] ?? '';
    expect(hero).toContain('0.333');
    expect(hero).toContain('shown answer right');
    expect(html.indexOf('shown answer right')).toBeLessThan(html.indexOf('abstention recall'));
    expect(html.indexOf('abstention recall')).toBeLessThan(html.indexOf('short answer precision'));
    expect(html.indexOf('short answer precision')).toBeLessThan(html.indexOf('legacy &quot;correct&quot;'));
    const terminal = formatTerminalSummary(meta, summary);
    expect(terminal.split('\n')[3]).toBe('shown answer right 0.333 · abstention recall 1.000 · false abstention 0.500');
    expect(terminal.split('\n')[4]).toBe('short answers shown: 1 (1 of 2 answerable) · precision 0.000 (exact 0.000) · coverage 0.500');
  });

  it('defines every metric, reason and failure cause on the page, and keeps paths and raw errors out of the header', async () => {
    const traced: Partial<AskResult> = {
      ...right,
      shortAnswerConfident: true,
      confidence: { answer: 0.93, shortAnswer: 0.81 },
      trace: { gate: { features: { contextCoverage: 0.9, coverage: 0.75, otherYear: 0 }, score: 2.1, probability: 0.93, reason: null }, sentences: [], shortAnswers: [] },
    };
    const { results, summary, meta } = await run({ [items[0]!.question]: traced });
    const leaky = { ...meta, dataset: '/home/someone/private/questions.jsonl (first 3)', lexicalReason: 'the index at /srv/verbatim/index was built without vectors: ENOENT open /srv/x' };
    const html = renderHtmlReport({ meta: leaky, summary, results, gateThreshold: 0.5 });
    const header = html.slice(0, html.indexOf('<h2>'));
    expect(header).toContain('questions.jsonl (first 3)');
    expect(header).toContain('lexical retrieval');
    expect(header).toContain('fake answerer');
    expect(html).not.toContain('/home/someone');
    expect(html).not.toContain('/srv/');
    expect(html).not.toContain('ENOENT');
    for (const text of [...Object.values(METRIC_DEFINITIONS), ...Object.values(REASON_DEFINITIONS), ...Object.values(FAILURE_DEFINITIONS)]) expect(html).toContain(escapeHtml(text));
    for (const reason of ABSTENTION_REASONS) expect(html).toContain(`<td>${reason}</td>`);
    // The per-question view: confidence, shown / not shown, the abstention reason, the gate's features.
    expect(html).toContain('answer 0.93<br>short 0.81');
    expect(html).toContain('<li>contextCoverage 0.90</li><li>coverage 0.75</li></ul>');
    expect(html).not.toContain('otherYear 0.00');
    expect(html).toMatch(/<b>December 2022<\/b> <span class="tag shown"/);
    expect(html).toContain('abstained (WEAK_EVIDENCE)');
    // The configured threshold is ringed on the gate curve.
    expect(html).toContain('configured threshold 0.50');
  });

  it('reads results files written before the new scores, and compares them with new ones on the legacy verdict', async () => {
    const fresh = (await run({ [items[0]!.question]: right })).results;
    const old = fresh.map((line) => {
      const { shortAnswerConfident, confidence, abstentionReason, ...ask } = line;
      const { shortAnswerShown, hasShortAnswer, shortAnswerRight, shownAnswerRight, confidence: c, abstentionReason: r, failure, ...scores } = line.scores;
      void [shortAnswerConfident, confidence, abstentionReason, shortAnswerShown, hasShortAnswer, shortAnswerRight, shownAnswerRight, c, r, failure];
      return { ...ask, scores };
    });
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'verbatim-results-'));
    try {
      await fs.writeFile(path.join(dir, 'old.jsonl'), old.map((l) => JSON.stringify(l)).join('\n') + '\n');
      await writeResults(path.join(dir, 'new.jsonl'), fresh);
      const a = await readResults(path.join(dir, 'old.jsonl'));
      const b = await readResults(path.join(dir, 'new.jsonl'));
      expect(b[0]!.scores).toMatchObject({ shownAnswerRight: true, confidence: { answer: 0.1, shortAnswer: 0 } });
      const c = compareResults(a, b);
      expect(c.rightToWrong).toEqual([]);
      expect(c.wrongToRight).toEqual([]);
      const headline = c.metrics.find((m) => m.metric === 'shownAnswerRight')!;
      expect([headline.a, headline.delta]).toEqual([null, null]);
      expect(formatComparison(c, { a: 'old', b: 'new' })).toMatch(/shown answer right\s+n\/a\s+0\.667\s+n\/a/);
      // The report renders an old file too, with n/a where it has no figure.
      expect(renderHtmlReport({ meta: (await run({})).meta, summary: compareResults(a, a).summaryA, results: a })).toContain('n/a');
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  it('compares two runs: metric deltas and flipped questions', async () => {
    const a: EvalResultLine[] = [...(await run({ [items[0]!.question]: right })).results];
    const b: EvalResultLine[] = [...(await run({ [items[1]!.question]: { ...right, answer: 'Beijing used service stations [1].', citations: [{ n: 1, docId: 'doc.txt', start: 0, end: 5, quote: 'Italy' }] }, [items[2]!.question]: right })).results];
    const c = compareResults(a, b);
    expect(c.rightToWrong.map((f) => f.id)).toEqual(['q1', 'q3']);
    expect(c.wrongToRight.map((f) => f.id)).toEqual([]);
    const contained = c.metrics.find((m) => m.metric === 'answerContained')!;
    expect([contained.a, contained.b, contained.delta]).toEqual([0.5, 0.5, 0]);
    const abst = c.metrics.find((m) => m.metric === 'abstentionRecall')!;
    expect(abst.delta).toBe(-1);
    const text = formatComparison(c, { a: 'a.jsonl', b: 'b.jsonl' });
    expect(text).toMatch(/abstention recall\s+1\.000\s+0\.000\s+−1\.000 ▼/);
    expect(text).toContain('right → wrong: 2');
  });
});
