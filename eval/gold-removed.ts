import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Config } from '../retrieval/config.js';
import { InputError, throwIfAborted } from '../retrieval/errors.js';
import { selectArticleSplit, type ArticleSplit } from './article-split.js';
import type { EvalItem } from './dataset.js';
import { summarizeScores } from './metrics/summarize.js';
import { runEval, type EvalProgress, type EvalResultLine, type EvalRun, type EvalRunMeta, type RunEvalOptions } from './run-eval.js';
import { sampleItems } from './sample.js';
import { convertSquad, readSquadFile, writeSquadCorpus, type SquadDataset } from './squad-adapter.js';

/**
 * How many groups the articles are split into. Each group's questions are asked over the corpus of the other
 * groups, so every group costs one ingest: 4 keeps three quarters of the corpus as distractors for four ingests.
 */
export const DEFAULT_GOLD_REMOVED_GROUPS = 4;

/** Progress of a gold-removed run: a group's ingest, or asking, counted over the whole run. */
export type GoldRemovedProgress = EvalProgress & {
  /** The group being run (0-based: its articles are those whose index mod `groups` is this). */
  readonly group: number;
  readonly groups: number;
};

/** Options of {@link runGoldRemoved}. */
export interface GoldRemovedOptions {
  /**
   * Settings for retrieval and answering. `corpusDir` is not used (the corpora are generated); `indexDir` is the
   * root under which each group gets its own index folder, brought up to date incrementally, so a rerun with the
   * same `indexDir` ingests nothing.
   */
  readonly config: Config;
  /** The SQuAD file; read unless `squad` is given. */
  readonly squadFile: string;
  /** The already parsed `squadFile`, to skip reading it again. */
  readonly squad?: SquadDataset;
  /** @default {@link DEFAULT_GOLD_REMOVED_GROUPS} */
  readonly groups?: number;
  /** Only the questions of odd or even articles (each still asked without its own article). */
  readonly articleSplit?: ArticleSplit;
  /** A fixed sample of this many questions (see `sampleItems`), drawn after the split. */
  readonly sample?: number;
  /** The first this many questions, after the split and the sample. */
  readonly limit?: number;
  /** Root of the generated corpora, one subfolder per group. @default a temporary folder, removed afterwards */
  readonly corpusDir?: string;
  /** As in `runEval`; called once per group with that group's config. */
  readonly openPipeline?: RunEvalOptions['openPipeline'];
  /** Keep the answerer's trace on each result line, as in `runEval`. */
  readonly explain?: boolean;
  readonly onProgress?: (progress: GoldRemovedProgress) => void;
  readonly signal?: AbortSignal;
}

/** One group of a gold-removed run. */
export interface GoldRemovedGroup {
  readonly group: number;
  /** Articles removed from this group's corpus: the ones its questions are about. */
  readonly removedArticles: number;
  readonly questions: number;
  /** Size of the corpus the questions were asked against. */
  readonly documents: number;
  readonly chunks: number;
  readonly timingsMs: EvalRunMeta['timingsMs'];
}

/** Meta of a gold-removed run. */
export interface GoldRemovedMeta extends EvalRunMeta {
  readonly setting: 'gold-removed';
  /** How many groups the articles were split into (groups without selected questions are not run). */
  readonly groupCount: number;
  /** The groups that were run, in order. `documents` and `chunks` above are the largest of any group's corpus. */
  readonly groups: readonly GoldRemovedGroup[];
}

/** A finished gold-removed run: one result line per question, in question order, and one summary. */
export interface GoldRemovedRun extends EvalRun {
  readonly meta: GoldRemovedMeta;
}

/** The folder name of a group's corpus and index, naming the group count so runs with other counts never share one. */
export function goldRemovedGroupFolder(group: number, groups: number): string {
  return `group-${group}-of-${groups}`;
}

/**
 * The "answer not present" setting, the usual way to make unanswerable questions from SQuAD: every question is
 * asked over the corpus without its own article, so the only right behaviour is to abstain. Articles are split
 * into `groups` by index mod `groups`; each group gets a corpus of all other articles and its own index, and its
 * questions are asked there as unanswerable items (no answers, evidence or gold spans). The groups' results are
 * merged into one run in question order, with one summary.
 * @throws InputError for a bad group count, a file with fewer than two articles, or a selection with no questions.
 */
export async function runGoldRemoved(options: GoldRemovedOptions): Promise<GoldRemovedRun> {
  const { config, signal } = options;
  const groups = options.groups ?? DEFAULT_GOLD_REMOVED_GROUPS;
  const squad = options.squad ?? (await readSquadFile(options.squadFile));
  const conversion = convertSquad(squad);
  const articles = conversion.documents.length;
  if (articles < 2) throw new InputError(`${options.squadFile} has ${articles} article: the gold-removed setting needs at least two`);
  if (!Number.isInteger(groups) || groups < 2 || groups > articles) {
    throw new InputError(`the group count (--groups) must be a whole number from 2 to the number of articles (${articles}), got ${groups}`);
  }

  const articleOf = new Map<string, number>();
  squad.data.forEach((article, index) => {
    for (const paragraph of article.paragraphs) for (const qa of paragraph.qas) articleOf.set(String(qa.id), index);
  });
  let items: EvalItem[] = conversion.items.map(({ id, question, type }) => ({ id, question, answers: [], evidence: [], ...(type ? { type } : {}), answerable: false }));
  let dataset = `${path.basename(options.squadFile)} (gold removed)`;
  // Split, sample and limit in the order `npm run eval -- --squad` applies them.
  if (options.articleSplit !== undefined) {
    const selection = selectArticleSplit(squad, items, options.articleSplit);
    items = selection.items;
    dataset += ` (${selection.label})`;
  }
  if (options.sample !== undefined) {
    items = sampleItems(items, options.sample);
    dataset += ` (fixed sample of ${items.length})`;
  }
  if (options.limit !== undefined) {
    items = items.slice(0, options.limit);
    dataset += ` (first ${items.length})`;
  }
  if (items.length === 0) throw new InputError(`${options.squadFile} has no questions in this selection (${dataset})`);

  const startedAt = new Date().toISOString();
  const ownCorpus = options.corpusDir === undefined;
  const corpusRoot = options.corpusDir ?? (await fs.mkdtemp(path.join(os.tmpdir(), 'verbatim-eval-gold-removed-')));
  const runs: { group: number; removedArticles: number; run: EvalRun }[] = [];
  let asked = 0;
  try {
    for (let group = 0; group < groups; group++) {
      throwIfAborted(signal);
      const groupItems = items.filter((item) => articleOf.get(item.id)! % groups === group);
      if (groupItems.length === 0) continue;
      const folder = goldRemovedGroupFolder(group, groups);
      const documents = conversion.documents.filter((_, index) => index % groups !== group);
      const corpusDir = path.join(corpusRoot, folder);
      // The group's own articles are not in `documents`, so a folder still holding one is refused, never searched.
      await writeSquadCorpus({ documents, items: [], realignedAnswers: 0 }, corpusDir);
      const groupConfig: Config = Object.freeze({ ...config, corpusDir, indexDir: path.join(config.indexDir, folder) });
      const offset = asked;
      const report = (p: EvalProgress) =>
        options.onProgress?.({ ...(p.phase === 'ask' ? { phase: 'ask' as const, done: offset + p.done, total: items.length } : p), group, groups });
      const run = await runEval({
        config: groupConfig,
        items: groupItems,
        dataset,
        onProgress: report,
        ...(options.openPipeline ? { openPipeline: options.openPipeline } : {}),
        ...(options.explain ? { explain: true } : {}),
        ...(signal ? { signal } : {}),
      });
      asked += groupItems.length;
      runs.push({ group, removedArticles: articles - documents.length, run });
    }
  } finally {
    if (ownCorpus) await fs.rm(corpusRoot, { recursive: true, force: true });
  }
  return mergeRuns(items, runs, { dataset, startedAt, groups });
}

function mergeRuns(
  items: readonly EvalItem[],
  runs: readonly { group: number; removedArticles: number; run: EvalRun }[],
  facts: { dataset: string; startedAt: string; groups: number },
): GoldRemovedRun {
  const byId = new Map<string, EvalResultLine>();
  for (const { run } of runs) for (const line of run.results) byId.set(line.id ?? '', line);
  const results = items.map((item) => byId.get(item.id)!);
  const metas = runs.map((r) => r.run.meta);
  const first = metas[0]!;
  const sum = (pick: (m: EvalRunMeta) => number) => metas.reduce((n, m) => n + pick(m), 0);
  return {
    results,
    summary: summarizeScores(results.map((r) => r.scores)),
    meta: {
      dataset: facts.dataset,
      questions: results.length,
      mode: first.mode,
      lexicalReason: metas.find((m) => m.lexicalReason !== null)?.lexicalReason ?? null,
      answerer: first.answerer,
      documents: Math.max(...metas.map((m) => m.documents)),
      chunks: Math.max(...metas.map((m) => m.chunks)),
      topK: first.topK,
      chunkSize: first.chunkSize,
      chunkOverlap: first.chunkOverlap,
      evidenceNotFound: sum((m) => m.evidenceNotFound),
      retrievalPrefixMismatches: sum((m) => m.retrievalPrefixMismatches),
      startedAt: facts.startedAt,
      timingsMs: { ingest: sum((m) => m.timingsMs.ingest), ask: sum((m) => m.timingsMs.ask), total: sum((m) => m.timingsMs.total) },
      setting: 'gold-removed',
      groupCount: facts.groups,
      groups: runs.map(({ group, removedArticles, run }) => ({
        group,
        removedArticles,
        questions: run.meta.questions,
        documents: run.meta.documents,
        chunks: run.meta.chunks,
        timingsMs: run.meta.timingsMs,
      })),
    },
  };
}
