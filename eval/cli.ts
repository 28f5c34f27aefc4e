import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import cliProgress from 'cli-progress';
import { configFromFlags, createIngestProgressBar, parseCommandLine, runCommand } from '../cli/cli-runtime.js';
import { configuredAnswerWeights } from '../retrieval/answer/answer-weights.js';
import { lexicalOnlyMessage } from '../retrieval/embed/open-embedder.js';
import { readFeedbackLog } from '../retrieval/feedback/feedback-log.js';
import { InputError, VerbatimError } from '../retrieval/errors.js';
import { parseArticleSplit, selectArticleSplit } from './article-split.js';
import { compareResults, formatComparison } from './compare.js';
import { readEvalItems, type EvalItem } from './dataset.js';
import { feedbackCandidates, formatFeedbackSummary } from './feedback-candidates.js';
import { checkTargets, describeFailures, getTargetSet, loadTargets } from './eval-config.js';
import { writeHtmlReport } from './report/html-report.js';
import { formatTerminalSummary } from './report/terminal-summary.js';
import { readResults, roundNumbers, writeResults, writeSummary, type SummaryDocument } from './results-file.js';
import { DEFAULT_GOLD_REMOVED_GROUPS, runGoldRemoved } from './gold-removed.js';
import { runEval, type EvalProgress, type EvalRun } from './run-eval.js';
import { sampleItems } from './sample.js';
import { convertSquad, readSquadFile, writeSquadCorpus } from './squad-adapter.js';

const EVAL_DIR = path.dirname(fileURLToPath(import.meta.url));
const REPO_DIR = path.dirname(EVAL_DIR);
/** The default question set and corpus: the hand-written seed set over `seeds/`. */
const SEED_QUESTIONS = path.join(EVAL_DIR, 'datasets', 'seed-qa.jsonl');
const SEED_CORPUS = path.join(REPO_DIR, 'seeds');

const USAGE = [
  'npm run eval -- [--corpus DIR --questions FILE.jsonl] [--index DIR] [--out results.jsonl] [--report DIR] [--json] [--limit N] [--sample N] [--check SET] [--summary-out FILE]',
  '       npm run eval -- --squad FILE.json [--squad-corpus DIR] [--article-split odd|even] [same options]',
  '       (--article-split: score only the questions of odd or even articles, 0-based, over the corpus of all articles)',
  `       npm run eval -- --squad FILE.json --gold-removed [--groups N] [--article-split odd|even] [same options]`,
  `       (--gold-removed: every question asked over the corpus without its own article, so it must abstain; articles in N groups by index mod N, default ${DEFAULT_GOLD_REMOVED_GROUPS}, one index each under --index)`,
  '       npm run eval -- --compare a.jsonl b.jsonl [--json]',
  '       npm run eval -- --from-feedback FILE [--out FILE]',
  '       (--from-feedback: the server\'s feedback log as candidate eval items, JSONL on stdout or in --out, to review and add to a dataset)',
  '       (no --questions/--squad: the seed set over seeds/, checked against the "seed" targets)',
].join('\n');

function wholeNumber(name: string, value: string | undefined, min = 1): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < min) throw new InputError(`--${name} takes a whole number ≥ ${min}, got ${JSON.stringify(value)}`);
  return Number(value);
}

/** A progress bar on stderr for the asking phase (terminal only); ingest reuses the CLI's bar. */
function createProgress(stream: NodeJS.WriteStream = process.stderr): { update: (p: EvalProgress) => void; stop: () => void } {
  const ingest = createIngestProgressBar(stream);
  if (!stream.isTTY) return { update: () => {}, stop: () => {} };
  const bar = new cliProgress.SingleBar(
    { stream, format: ' ask   |{bar}| {value}/{total} questions  {eta_formatted} left', hideCursor: true, clearOnComplete: false },
    cliProgress.Presets.shades_classic,
  );
  let asking = false;
  let stopped = false;
  return {
    update: (p) => {
      if (p.phase === 'ingest') return ingest.update(p.ingest);
      if (!asking) {
        ingest.stop();
        asking = true;
        bar.start(p.total, p.done);
      } else bar.update(p.done);
    },
    stop: () => {
      if (stopped) return;
      stopped = true;
      if (asking) bar.stop();
      else ingest.stop();
    },
  };
}

async function compareCommand(files: string[], json: boolean): Promise<void> {
  if (files.length !== 2) throw new InputError(`--compare takes two result files, got ${files.length}\nusage: ${USAGE}`);
  const [a, b] = await Promise.all(files.map((f) => readResults(f)));
  const comparison = compareResults(a!, b!);
  if (json) {
    const { summaryA, summaryB, ...rest } = comparison;
    void summaryA;
    void summaryB;
    process.stdout.write(`${JSON.stringify(roundNumbers({ a: files[0], b: files[1], ...rest }), null, 2)}\n`);
  } else process.stdout.write(formatComparison(comparison, { a: files[0]!, b: files[1]! }));
}

/** The flags `--from-feedback` takes; with any other it refuses, rather than ignore what was asked. */
const FROM_FEEDBACK_FLAGS = new Set(['from-feedback', 'out', 'help', 'log-level']);

async function fromFeedbackCommand(file: string, out: string | undefined): Promise<void> {
  if (out !== undefined && path.resolve(out) === path.resolve(file)) throw new InputError(`--out ${out} is the feedback log itself: write the candidates to another file`);
  const log = await readFeedbackLog(file);
  const made = feedbackCandidates(log.entries);
  const jsonl = made.candidates.map((c) => `${JSON.stringify(c)}\n`).join('');
  const summary = formatFeedbackSummary({ file, entries: log.entries.length, skipped: log.skipped, made, out: out ?? null });
  if (out === undefined) {
    // stdout carries only the items, so `npm run --silent eval -- --from-feedback F >> dataset` works; the summary goes to stderr.
    process.stdout.write(jsonl);
    process.stderr.write(summary);
    return;
  }
  await fs.mkdir(path.dirname(path.resolve(out)), { recursive: true });
  // Written aside and renamed, so a failed export never leaves half a file where a reviewer expects the last one.
  const temporary = `${out}.${process.pid}.tmp`;
  try {
    await fs.writeFile(temporary, jsonl, 'utf8');
    await fs.rename(temporary, out);
  } catch (error) {
    await fs.rm(temporary, { force: true });
    throw new InputError(`cannot write ${out}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  process.stdout.write(summary);
}

await runCommand(async () => {
  const { values, positionals } = parseCommandLine(
    process.argv.slice(2),
    {
      questions: { type: 'string' },
      squad: { type: 'string' },
      'squad-corpus': { type: 'string' },
      'article-split': { type: 'string' },
      out: { type: 'string' },
      report: { type: 'string' },
      json: { type: 'boolean' },
      limit: { type: 'string' },
      sample: { type: 'string' },
      check: { type: 'string' },
      'summary-out': { type: 'string' },
      compare: { type: 'boolean' },
      'gold-removed': { type: 'boolean' },
      groups: { type: 'string' },
      'from-feedback': { type: 'string' },
    },
    USAGE,
  );
  if (values.help) {
    process.stdout.write(`usage: ${USAGE}\n`);
    return;
  }
  if (values['from-feedback'] !== undefined) {
    const other = Object.keys(values).find((flag) => !FROM_FEEDBACK_FLAGS.has(flag) && values[flag as keyof typeof values] !== undefined);
    if (other !== undefined) throw new InputError(`--${other} cannot be combined with --from-feedback, which only takes --out FILE\nusage: ${USAGE}`);
    if (positionals.length) throw new InputError(`unexpected argument ${JSON.stringify(positionals[0])}\nusage: ${USAGE}`);
    return fromFeedbackCommand(values['from-feedback'], values.out);
  }
  if (values.compare) return compareCommand(positionals, values.json === true);
  if (positionals.length) throw new InputError(`unexpected argument ${JSON.stringify(positionals[0])}\nusage: ${USAGE}`);
  if (values.squad && values.questions) throw new InputError(`give either --squad FILE or --questions FILE, not both\nusage: ${USAGE}`);
  if (values.squad && values.corpus) throw new InputError('--corpus is not used with --squad: the corpus is generated from the SQuAD file (choose its folder with --squad-corpus DIR)');
  if (values['squad-corpus'] && !values.squad) throw new InputError('--squad-corpus only makes sense with --squad FILE');
  if (values['article-split'] !== undefined && !values.squad) throw new InputError('--article-split only makes sense with --squad FILE: it splits a SQuAD file by article');
  const goldRemoved = values['gold-removed'] === true;
  if (goldRemoved && !values.squad) throw new InputError('--gold-removed only makes sense with --squad FILE: it removes each question\'s own article from a SQuAD corpus');
  if (values.groups !== undefined && !goldRemoved) throw new InputError('--groups only makes sense with --gold-removed');
  if (goldRemoved && values.check !== undefined) throw new InputError('--check cannot be combined with --gold-removed: no target set is defined on the gold-removed setting');
  const groups = wholeNumber('groups', values.groups, 2);
  const articleSplit = values['article-split'] === undefined ? undefined : parseArticleSplit(values['article-split']);
  const limit = wholeNumber('limit', values.limit);
  let sample = wholeNumber('sample', values.sample);
  const useSeed = !values.squad && !values.questions;
  const checkName = values.check ?? (useSeed && limit === undefined && sample === undefined ? 'seed' : undefined);
  const targets = checkName ? loadTargets() : null;
  const targetSet = targets && checkName ? getTargetSet(targets, checkName) : null;
  if (targetSet) {
    if (articleSplit !== undefined) throw new InputError(`--article-split cannot be combined with --check ${checkName}: targets are defined on the whole set`);
    if (limit !== undefined) throw new InputError(`--limit cannot be combined with --check ${checkName}: targets are defined on the whole set`);
    if (targetSet.sample !== undefined) {
      if (sample !== undefined && sample !== targetSet.sample) throw new InputError(`target set ${checkName} is defined on a sample of ${targetSet.sample}, not ${sample}`);
      sample = targetSet.sample;
    } else if (sample !== undefined) throw new InputError(`target set ${checkName} is defined on the whole set: drop --sample`);
  }

  const temps: string[] = [];
  const tempDir = async (prefix: string) => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), prefix));
    temps.push(dir);
    return dir;
  };
  let progress = createProgress();
  // The index is never taken from INDEX_DIR: an eval corpus must not overwrite the index a server uses.
  const env = { ...process.env };
  delete env.INDEX_DIR;
  delete env.CORPUS_DIR;
  try {
    let run: EvalRun;
    if (goldRemoved) {
      // One corpus and one index per group, under --squad-corpus and --index (or temporary folders).
      const config = configFromFlags({ ...values, index: values.index ?? (await tempDir('verbatim-eval-index-')) }, env);
      let group = -1;
      run = await runGoldRemoved({
        config,
        squadFile: values.squad!,
        ...(groups !== undefined ? { groups } : {}),
        ...(articleSplit !== undefined ? { articleSplit } : {}),
        ...(sample !== undefined ? { sample } : {}),
        ...(limit !== undefined ? { limit } : {}),
        corpusDir: values['squad-corpus'] ?? (await tempDir('verbatim-eval-squad-')),
        onProgress: (p) => {
          // A fresh pair of bars per group: each group starts with its own ingest.
          if (p.group !== group) {
            progress.stop();
            progress = createProgress();
            group = p.group;
          }
          progress.update(p);
        },
      });
    } else {
      let items: EvalItem[];
      let corpusDir: string;
      let dataset: string;
      if (values.squad) {
        const squad = await readSquadFile(values.squad);
        const conversion = convertSquad(squad);
        corpusDir = values['squad-corpus'] ?? (await tempDir('verbatim-eval-squad-'));
        // Always the corpus of every article: a split changes which questions are scored, not what is searched.
        await writeSquadCorpus(conversion, corpusDir);
        items = [...conversion.items];
        dataset = path.basename(values.squad);
        if (articleSplit !== undefined) {
          const selection = selectArticleSplit(squad, items, articleSplit);
          if (selection.items.length === 0) throw new InputError(`${values.squad} has no questions in its ${selection.label}`);
          items = selection.items;
          dataset += ` (${selection.label})`;
        }
        if (conversion.realignedAnswers > 0) process.stderr.write(`note: ${conversion.realignedAnswers} SQuAD answers had an answer_start that did not match and were realigned\n`);
      } else {
        const file = values.questions ?? SEED_QUESTIONS;
        items = await readEvalItems(file);
        corpusDir = values.corpus ?? (values.questions ? (process.env.CORPUS_DIR || 'seeds') : SEED_CORPUS);
        dataset = path.basename(file);
      }
      if (sample !== undefined) {
        items = sampleItems(items, sample);
        dataset += ` (fixed sample of ${items.length})`;
      }
      if (limit !== undefined) {
        items = items.slice(0, limit);
        dataset += ` (first ${items.length})`;
      }
      const indexDir = values.index ?? (await tempDir('verbatim-eval-index-'));
      const config = configFromFlags({ ...values, corpus: corpusDir, index: indexDir }, env);
      run = await runEval({ config, items, dataset, onProgress: progress.update });
    }
    progress.stop();
    if (run.meta.lexicalReason) process.stderr.write(`${lexicalOnlyMessage(run.meta.lexicalReason)}\n`);

    const checks = targetSet && checkName ? checkTargets(run.summary, targetSet) : null;
    const doc: SummaryDocument = {
      meta: run.meta,
      summary: run.summary,
      ...(checks && checkName ? { targets: { set: checkName, pass: checks.every((c) => c.pass), checks } } : {}),
    };
    // A gold-removed run gets its own default file, so it never overwrites the results of the same SQuAD file.
    const outName = `${path.parse(run.meta.dataset.split(' ')[0]!).name}${goldRemoved ? '.gold-removed' : ''}`;
    const outFile = values.out ?? path.join(EVAL_DIR, 'results', `${outName}.results.jsonl`);
    await writeResults(outFile, run.results);
    if (values['summary-out']) await writeSummary(values['summary-out'], doc);
    if (values.report) {
      const file = await writeHtmlReport(values.report, { ...run, gateThreshold: configuredAnswerWeights(configFromFlags(values, env)).gate.threshold, ...(checks && checkName ? { targets: { set: checkName, checks } } : {}) });
      process.stderr.write(`report: ${file}\n`);
    }
    process.stderr.write(`results: ${outFile}\n`);
    process.stdout.write(values.json ? `${JSON.stringify(roundNumbers(doc), null, 2)}\n` : formatTerminalSummary(run.meta, run.summary, checks && checkName ? { set: checkName, checks } : undefined));
    if (checks && !checks.every((c) => c.pass)) {
      throw new VerbatimError('TARGETS_NOT_MET', `targets "${checkName}" not met: ${describeFailures(checks).join('; ')}`, { status: 500 });
    }
  } finally {
    progress.stop();
    for (const dir of temps) await fs.rm(dir, { recursive: true, force: true });
  }
});
