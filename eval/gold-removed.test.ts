import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../retrieval/config.js';
import type { IngestProgress } from '../retrieval/ingest/ingest-corpus.js';
import { openPipeline } from '../retrieval/open-pipeline.js';
import type { Pipeline } from '../retrieval/pipeline.js';
import { goldRemovedGroupFolder, runGoldRemoved } from './gold-removed.js';
import { articleFileName } from './squad-adapter.js';

const temps: string[] = [];
afterAll(async () => {
  for (const dir of temps) await fs.rm(dir, { recursive: true, force: true });
});

const CITIES = [
  { title: 'Alton', river: 'Wend', year: '1811', people: '40,000' },
  { title: 'Brisk', river: 'Oule', year: '1822', people: '55,000' },
  { title: 'Corran', river: 'Tay', year: '1833', people: '61,000' },
  { title: 'Dunmore', river: 'Lisk', year: '1844', people: '72,000' },
];

/** Four small articles on the same topic, so lexical search always finds some other city's passage. */
function fixture() {
  return {
    data: CITIES.map(({ title, river, year, people }, i) => {
      const context = `${title} is a city on the river ${river}. The city was founded in ${year}. Today ${title} has ${people} people.`;
      return {
        title,
        paragraphs: [
          {
            context,
            qas: [
              { id: `q${i}a`, question: `When was the city of ${title} founded?`, answers: [{ answer_start: context.indexOf(year), text: year }] },
              { id: `q${i}b`, question: `How many people live in ${title}?`, answers: [{ answer_start: context.indexOf(people), text: people }] },
            ],
          },
        ],
      };
    }),
  };
}

async function setup() {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'verbatim-gold-removed-'));
  temps.push(dir);
  const squadFile = path.join(dir, 'cities.json');
  await fs.writeFile(squadFile, JSON.stringify(fixture()));
  const config = loadConfig({ env: {}, overrides: { corpusDir: path.join(dir, 'unused'), indexDir: path.join(dir, 'index'), disableEmbeddings: true, logLevel: 'silent' } });
  return { dir, squadFile, config };
}

/** The real lexical pipeline, recording which documents it held when each question was asked. */
function recordingOpen(corpusAtAsk: Map<string, string[]>, opened: string[]) {
  return async (config: Config, onProgress: (p: IngestProgress) => void): Promise<Pipeline> => {
    const { pipeline } = await openPipeline({ config, ingest: true, onProgress });
    opened.push(path.basename(config.indexDir));
    const documents = pipeline.listDocuments().map((d) => d.id);
    return {
      get status() {
        return pipeline.status;
      },
      generationDir: pipeline.generationDir,
      search: (query, options) => pipeline.search(query, options),
      ask: (request) => {
        corpusAtAsk.set(request.id ?? '', documents);
        return pipeline.ask(request);
      },
      askStream: (request) => pipeline.askStream(request),
      listDocuments: () => pipeline.listDocuments(),
      getDocument: (id) => pipeline.getDocument(id),
      close: () => pipeline.close(),
    };
  };
}

const ownArticle = (id: string) => articleFileName(Number(id[1]), CITIES[Number(id[1])]!.title);

describe('runGoldRemoved', () => {
  it('asks every question once, as unanswerable, over a corpus without its own article', async () => {
    const { squadFile, config } = await setup();
    const corpusAtAsk = new Map<string, string[]>();
    const opened: string[] = [];
    const run = await runGoldRemoved({ config, squadFile, openPipeline: recordingOpen(corpusAtAsk, opened) });

    const ids = ['q0a', 'q0b', 'q1a', 'q1b', 'q2a', 'q2b', 'q3a', 'q3b'];
    expect(run.results.map((r) => r.id)).toEqual(ids);
    for (const line of run.results) {
      expect(line.gold, line.id).toMatchObject({ answers: [], evidence: [], answerable: false });
      expect(line.gold.goldSpans, line.id).toBeUndefined();
      expect(line.scores.answerable, line.id).toBe(false);
      const corpus = corpusAtAsk.get(line.id!)!;
      expect(corpus, line.id).toHaveLength(3);
      expect(corpus, line.id).not.toContain(ownArticle(line.id!));
      expect(line.passages.length, line.id).toBeGreaterThan(0);
      for (const p of line.passages) expect(p.docId, line.id).not.toBe(ownArticle(line.id!));
    }
    expect(opened).toEqual([0, 1, 2, 3].map((g) => goldRemovedGroupFolder(g, 4)));
    expect(run.summary).toMatchObject({ questions: 8, answerable: 0, unanswerable: 8 });
    expect(run.summary.abstention.recall).toBe(run.results.filter((r) => r.abstained).length / 8);
    expect(run.meta).toMatchObject({ dataset: 'cities.json (gold removed)', questions: 8, setting: 'gold-removed', groupCount: 4, documents: 3, mode: 'lexical' });
    expect(run.meta.groups.map((g) => [g.group, g.removedArticles, g.questions, g.documents])).toEqual([
      [0, 1, 2, 3],
      [1, 1, 2, 3],
      [2, 1, 2, 3],
      [3, 1, 2, 3],
    ]);
    expect(run.meta.timingsMs.ask).toBe(run.meta.groups.reduce((n, g) => n + g.timingsMs.ask, 0));
    // One index per group under the configured index folder, so a rerun ingests incrementally.
    expect((await fs.readdir(config.indexDir)).sort()).toEqual(opened);
  }, 60_000);

  it('with an article split, asks only those articles’ questions, each without its own article, and runs only their groups', async () => {
    const { dir, squadFile, config } = await setup();
    const corpusAtAsk = new Map<string, string[]>();
    const opened: string[] = [];
    const corpusDir = path.join(dir, 'corpora');
    const run = await runGoldRemoved({ config, squadFile, articleSplit: 'odd', groups: 2, corpusDir, openPipeline: recordingOpen(corpusAtAsk, opened) });
    expect(run.results.map((r) => r.id)).toEqual(['q1a', 'q1b', 'q3a', 'q3b']);
    expect(run.meta.dataset).toBe('cities.json (gold removed) (odd articles: 2 of 4)');
    // Odd articles form group 1 of 2, whose corpus is the even articles.
    expect(opened).toEqual([goldRemovedGroupFolder(1, 2)]);
    for (const id of corpusAtAsk.keys()) expect(corpusAtAsk.get(id), id).toEqual([ownArticle('q0'), ownArticle('q2')]);
    expect(await fs.readdir(path.join(corpusDir, goldRemovedGroupFolder(1, 2)))).toEqual([ownArticle('q0'), ownArticle('q2')]);
  }, 60_000);

  it('rejects group counts the articles cannot fill, and an empty selection', async () => {
    const { squadFile, config } = await setup();
    const never = async (): Promise<Pipeline> => {
      throw new Error('not opened');
    };
    await expect(runGoldRemoved({ config, squadFile, groups: 1, openPipeline: never })).rejects.toThrow(/group count \(--groups\) must be a whole number from 2 to the number of articles \(4\), got 1/);
    await expect(runGoldRemoved({ config, squadFile, groups: 5, openPipeline: never })).rejects.toThrow(/got 5/);
    await expect(runGoldRemoved({ config, squadFile, sample: 0, openPipeline: never })).rejects.toThrow(/no questions in this selection/);
  });
});
