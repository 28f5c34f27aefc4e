import { describe, expect, it } from 'vitest';
import { loadConfig } from '../retrieval/config.js';
import type { Pipeline } from '../retrieval/pipeline.js';
import type { AskResult, Passage, SourceDocument } from '../retrieval/types.js';
import { compareResults, formatComparison } from './compare.js';
import type { EvalItem } from './dataset.js';
import { renderHtmlReport } from './report/html-report.js';
import { formatTerminalSummary } from './report/terminal-summary.js';
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
    status: { mode: 'lexical', lexicalReason: 'test', embedder: null, model: null, answerer: 'fake', documents: 1, chunks: 1, indexBuiltAt: 'now' },
    generationDir: '/nonexistent/gen-test',
    search: async () => [passage],
    ask,
    askStream: async function* () {
      throw new Error('not used');
    },
    listDocuments: () => [{ id: DOC.id, title: DOC.title, length: TEXT.length, chunks: 1 }],
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
    expect(html.match(/<svg/g)).toHaveLength(2);
    // q2 (wrong) comes before q1 (right); q3 abstained correctly.
    expect(html.indexOf('Why did it do that?')).toBeLessThan(html.indexOf('When did Italy stop the patrols?'));
    expect(html).toContain('1 of 1 not met');
    const table = formatTerminalSummary(meta, summary, { set: 'seed', checks: [{ metric: 'answerContained', kind: 'min', bound: 0.95, actual: 0.5, pass: false }] });
    expect(table).toMatch(/answer contained\s+0\.500\s+≥ 0\.95\s+FAIL/);
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
