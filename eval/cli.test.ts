import { spawnSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const tsx = path.join(root, 'node_modules', '.bin', 'tsx');
const temps: string[] = [];
afterAll(async () => {
  for (const dir of temps) await fs.rm(dir, { recursive: true, force: true });
});

function evalCli(args: string[]) {
  const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'silent' };
  delete env.INDEX_DIR;
  const r = spawnSync(tsx, ['eval/cli.ts', ...args], { cwd: root, encoding: 'utf8', env, timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('npm run eval', () => {
  it.each([
    [['--questions', '/nonexistent/q.jsonl'], /^error: cannot read questions file \/nonexistent\/q\.jsonl: ENOENT$/],
    [['--limit', 'ten'], /^error: --limit takes a whole number ≥ 1, got "ten"$/],
    [['--compare', 'only-one.jsonl'], /^error: --compare takes two result files, got 1$/],
    [['--check', 'nope'], /^error: no target set "nope": known sets are seed, xquad-full, xquad-sample, xquad-gold-removed-sample$/],
    [['--squad', 'x.json', '--corpus', 'seeds'], /^error: --corpus is not used with --squad/],
    [['--squad', 'x.json', '--article-split', 'first'], /^error: --article-split takes odd or even \(articles by 0-based position in the SQuAD file\), got "first"$/],
    [['--article-split', 'odd'], /^error: --article-split only makes sense with --squad FILE/],
    [['--squad', 'x.json', '--article-split', 'odd', '--check', 'xquad-full'], /^error: --article-split cannot be combined with --check xquad-full/],
    [['--gold-removed'], /^error: --gold-removed only makes sense with --squad FILE/],
    [['--squad', 'x.json', '--groups', '3'], /^error: --groups only makes sense with --gold-removed$/],
    [['--squad', 'x.json', '--gold-removed', '--groups', '1'], /^error: --groups takes a whole number ≥ 2, got "1"$/],
    [['--squad', 'x.json', '--gold-removed', '--check', 'xquad-full'], /^error: --check cannot be combined with --gold-removed/],
  ])('rejects bad input %j with a one-line error and exit 2', (args, message) => {
    const r = evalCli(args);
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toMatch(message);
    expect(r.stdout).toBe('');
  });

  it('runs a question set and writes results, a JSON summary, a summary file and a report; compares two runs', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'verbatim-eval-cli-'));
    temps.push(dir);
    const out = path.join(dir, 'a.jsonl');
    const r = evalCli(['--questions', 'eval/datasets/seed-qa.jsonl', '--corpus', 'seeds', '--no-embeddings', '--limit', '5', '--json', '--out', out, '--report', path.join(dir, 'report'), '--summary-out', path.join(dir, 's.json')]);
    expect(r.stderr).toContain('results:');
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary.meta.questions).toBe(5);
    expect(summary.meta.dataset).toBe('seed-qa.jsonl (first 5)');
    expect(JSON.parse(await fs.readFile(path.join(dir, 's.json'), 'utf8')).summary.questions).toBe(5);
    const lines = (await fs.readFile(out, 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(5);
    expect(lines[0]).toMatchObject({ id: 'seed-001', gold: { type: 'who' } });
    expect(await fs.readFile(path.join(dir, 'report', 'index.html'), 'utf8')).toMatch(/^<!doctype html>/);
    const c = evalCli(['--compare', out, out]);
    expect(c.code).toBe(0);
    expect(c.stdout).toContain('right → wrong: 0');
  }, 60_000);

  const article = (title: string, id: string) => ({ title, paragraphs: [{ context: `${title} was founded in 1901.`, qas: [{ id, question: `When was ${title} founded?`, answers: [{ answer_start: title.length + 16, text: '1901' }] }] }] });
  async function tinySquad(prefix: string) {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), prefix));
    temps.push(dir);
    const file = path.join(dir, 'tiny.json');
    await fs.writeFile(file, JSON.stringify({ data: [article('Alpha', 'a'), article('Beta', 'b'), article('Gamma', 'c'), article('Delta', 'd')] }));
    return { dir, file };
  }

  it('scores only the questions of odd articles over the corpus of all articles, and names the split', async () => {
    const { dir, file } = await tinySquad('verbatim-eval-cli-split-');
    const out = path.join(dir, 'r.jsonl');
    const r = evalCli(['--squad', file, '--article-split', 'odd', '--squad-corpus', path.join(dir, 'corpus'), '--index', path.join(dir, 'index'), '--no-embeddings', '--json', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const { meta } = JSON.parse(r.stdout);
    expect(meta).toMatchObject({ dataset: 'tiny.json (odd articles: 2 of 4)', questions: 2, documents: 4 });
    const ids = (await fs.readFile(out, 'utf8')).trim().split('\n').map((l) => JSON.parse(l).id);
    expect(ids).toEqual(['b', 'd']);
  }, 60_000);

  it('asks the questions of even articles over corpora without their own article, as unanswerable, one index per group', async () => {
    const { dir, file } = await tinySquad('verbatim-eval-cli-gold-removed-');
    const out = path.join(dir, 'r.jsonl');
    const index = path.join(dir, 'index');
    const r = evalCli(['--squad', file, '--gold-removed', '--groups', '2', '--article-split', 'even', '--index', index, '--no-embeddings', '--json', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const { meta, summary } = JSON.parse(r.stdout);
    expect(meta).toMatchObject({ dataset: 'tiny.json (gold removed) (even articles: 2 of 4)', questions: 2, documents: 2, setting: 'gold-removed', groupCount: 2 });
    expect(summary).toMatchObject({ answerable: 0, unanswerable: 2 });
    const lines = (await fs.readFile(out, 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.id)).toEqual(['a', 'c']);
    for (const line of lines) {
      expect(line.gold).toMatchObject({ answers: [], answerable: false });
      // Group 0 of 2 holds the even articles; its corpus is the odd ones.
      expect(line.passages.length).toBeGreaterThan(0);
      for (const p of line.passages) expect(['001_Beta.txt', '003_Delta.txt']).toContain(p.docId);
    }
    expect(await fs.readdir(index)).toEqual(['group-0-of-2']);
  }, 60_000);
});
