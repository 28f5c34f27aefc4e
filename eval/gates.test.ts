/**
 * CI gates, from eval/targets.json: the seed set against its product targets, a fixed 200-question XQuAD sample
 * against its regression floors, and a like sample asked without each question's own article (it must abstain)
 * against its floor; the last two bound the gate's trade between answering and abstaining. Lexical retrieval (no
 * model download) and the default extractive answerer, in-process.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../retrieval/config.js';
import { readEvalItems } from './dataset.js';
import { checkTargets, describeFailures, getTargetSet, loadTargets } from './eval-config.js';
import { runGoldRemoved } from './gold-removed.js';
import { runEval } from './run-eval.js';
import { sampleItems } from './sample.js';
import { convertSquad, readSquadFile, writeSquadCorpus } from './squad-adapter.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const targets = loadTargets();
const temps: string[] = [];
const tempDir = async (prefix: string) => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), prefix));
  temps.push(dir);
  return dir;
};
afterAll(async () => {
  for (const dir of temps) await fs.rm(dir, { recursive: true, force: true });
});

const lexicalConfig = (corpusDir: string, indexDir: string) => loadConfig({ env: {}, overrides: { corpusDir, indexDir, disableEmbeddings: true, logLevel: 'silent' } });

describe('CI gate', () => {
  it('seed set meets the "seed" targets', async () => {
    const items = await readEvalItems(path.join(here, 'datasets', 'seed-qa.jsonl'));
    const run = await runEval({ config: lexicalConfig(path.join(here, '..', 'seeds'), await tempDir('verbatim-gate-seed-')), items, dataset: 'seed-qa.jsonl' });
    expect(run.meta.evidenceNotFound).toBe(0);
    expect(describeFailures(checkTargets(run.summary, getTargetSet(targets, 'seed')))).toEqual([]);
  }, 120_000);

  it('XQuAD fixed 200-question sample stays above the "xquad-sample" floors', async () => {
    const set = getTargetSet(targets, 'xquad-sample');
    expect(set.sample).toBe(200);
    const conversion = convertSquad(await readSquadFile(path.join(here, 'datasets', 'xquad-en', 'xquad.en.json')));
    const corpusDir = await tempDir('verbatim-gate-xquad-corpus-');
    await writeSquadCorpus(conversion, corpusDir);
    const items = sampleItems(conversion.items, set.sample!);
    expect(items).toHaveLength(200);
    const run = await runEval({ config: lexicalConfig(corpusDir, await tempDir('verbatim-gate-xquad-index-')), items, dataset: 'xquad sample' });
    expect(run.meta.documents).toBe(48);
    expect(describeFailures(checkTargets(run.summary, set))).toEqual([]);
  }, 120_000);

  it('the same kind of XQuAD sample, each question without its own article, stays above the "xquad-gold-removed-sample" floor', async () => {
    const set = getTargetSet(targets, 'xquad-gold-removed-sample');
    const run = await runGoldRemoved({
      config: lexicalConfig(await tempDir('verbatim-gate-gold-removed-corpus-'), await tempDir('verbatim-gate-gold-removed-index-')),
      squadFile: path.join(here, 'datasets', 'xquad-en', 'xquad.en.json'),
      corpusDir: await tempDir('verbatim-gate-gold-removed-corpus-'),
      sample: set.sample,
    });
    expect(run.results).toHaveLength(200);
    expect(describeFailures(checkTargets(run.summary, set))).toEqual([]);
  }, 120_000);
});
