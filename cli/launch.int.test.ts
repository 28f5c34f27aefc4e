/**
 * What every npm script runs (`node cli/launch.mjs <entry.ts>`): the entry from a build of the sources, made when
 * they change, with the threads running built modules too, and the sources through tsx when no build can be made.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { builtModule, ROOT, URL_ENTRY_POINTS } from './node-build.mjs';
import { makeSimplePdf } from '../retrieval/corpus/__fixtures__/test-documents.js';

/** Each test's own builds folder, inside the project (packages resolve from its node_modules). */
fs.mkdirSync(path.join(ROOT, '.build'), { recursive: true });
const buildsRoot = fs.mkdtempSync(path.join(ROOT, '.build', 'test-launch-'));
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'verbatim-launch-'));
afterAll(() => {
  fs.rmSync(buildsRoot, { recursive: true, force: true });
  fs.rmSync(tmp, { recursive: true, force: true });
});

function launch(args: string[], buildsDir: string) {
  const child = spawn(process.execPath, ['cli/launch.mjs', ...args], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'warn', VERBATIM_BUILD_DIR: buildsDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, output: () => ({ stdout, stderr }) };
}

async function run(args: string[], buildsDir: string) {
  const started = launch(args, buildsDir);
  const code = await started.exited;
  return { code, ...started.output() };
}

const builds = (dir: string) => (fs.existsSync(dir) ? fs.readdirSync(dir).filter((name) => name.startsWith('build-')) : []);

describe('node cli/launch.mjs', () => {
  it('serves npm start from a build of the sources, its answering workers and PDF reader running built modules, and citations exact', async () => {
    const buildsDir = path.join(buildsRoot, 'serve');
    const corpus = path.join(tmp, 'corpus');
    fs.mkdirSync(corpus, { recursive: true });
    fs.writeFileSync(path.join(corpus, 'lighthouse.md'), '# The Zorblax lighthouse\n\nThe Zorblax lighthouse was built in 1873 by the engineer Mirela Quintavalle.\n');
    fs.writeFileSync(path.join(corpus, 'harbour.pdf'), await makeSimplePdf(['The Quellmoor harbour opened in 1911 for the herring fleet.']));
    const server = launch(['server/main.ts', '--host', '127.0.0.1', '--port', '0', '--corpus', corpus, '--index', path.join(tmp, 'index'), '--no-embeddings'], buildsDir);
    try {
      let url: string | undefined;
      for (const until = Date.now() + 120_000; !url; await new Promise((r) => setTimeout(r, 50))) {
        url = /https?:\/\/127\.0\.0\.1:\d+/.exec(server.output().stdout)?.[0];
        if (server.child.exitCode !== null || Date.now() > until) throw new Error(`the server did not start:\n${server.output().stdout}\n${server.output().stderr}`);
      }
      const health = (await (await fetch(`${url}/api/health`)).json()) as { documents: number; workers: { threads: number } };
      expect(health.documents).toBe(2);
      expect(health.workers.threads).toBeGreaterThan(0);

      const ask = await fetch(`${url}/api/ask`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ question: 'When did the Quellmoor harbour open?' }) });
      expect(ask.status).toBe(200);
      const answer = (await ask.json()) as { abstained: boolean; citations: { docId: string; start: number; end: number; quote: string }[] };
      expect(answer.abstained).toBe(false);
      const [citation] = answer.citations;
      expect(citation?.docId).toBe('harbour.pdf');
      const doc = (await (await fetch(`${url}/api/documents/${encodeURIComponent(citation!.docId)}`)).json()) as { text: string };
      expect(doc.text.slice(citation!.start, citation!.end)).toBe(citation!.quote);
      expect(citation!.quote).toContain('1911');

      const [build] = builds(buildsDir);
      expect(builds(buildsDir)).toHaveLength(1);
      for (const entry of ['server/main.ts', ...URL_ENTRY_POINTS]) expect(fs.existsSync(builtModule(path.join(buildsDir, build!), entry)), entry).toBe(true);
      expect(server.output().stderr).not.toMatch(/through tsx/);
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  });

  it('builds once, starts again from the same build, and builds again when a source it was made from changes', async () => {
    const buildsDir = path.join(buildsRoot, 'fresh');
    const first = await run(['cli/ingest.ts', '--help'], buildsDir);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/usage: npm run ingest/);
    expect(builds(buildsDir)).toHaveLength(1);

    const second = await run(['cli/ingest.ts', '--help'], buildsDir);
    expect(second.code).toBe(0);
    expect(second.stdout).toBe(first.stdout);
    expect(builds(buildsDir)).toHaveLength(1);

    // A source edited since the build: its recorded size no longer matches (the sources themselves stay untouched).
    const recordFile = path.join(buildsDir, 'current.json');
    const record = JSON.parse(fs.readFileSync(recordFile, 'utf8')) as { inputs: [string, number, number][] };
    const ingest = record.inputs.find(([file]) => file === 'cli/ingest.ts')!;
    ingest[1] += 1;
    fs.writeFileSync(recordFile, JSON.stringify(record));
    const third = await run(['cli/ingest.ts', '--help'], buildsDir);
    expect(third.code).toBe(0);
    expect(third.stdout).toBe(first.stdout);
    expect(builds(buildsDir)).toHaveLength(2);
  });

  it('passes the exit code and the arguments through', async () => {
    const failed = await run(['cli/ingest.ts', '--no-such-flag'], path.join(buildsRoot, 'fresh'));
    expect(failed.code).not.toBe(0);
    expect(failed.stderr).toMatch(/no-such-flag/);
    const usage = await run([], path.join(buildsRoot, 'fresh'));
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/Usage: node cli\/launch\.mjs <entry\.ts>/);
  });

  it('runs the sources through tsx, and says why, when no build can be made', async () => {
    const blocker = path.join(buildsRoot, 'a-file');
    fs.writeFileSync(blocker, '');
    const unwritable = await run(['cli/ingest.ts', '--help'], path.join(blocker, 'builds'));
    expect(unwritable.code, unwritable.stderr).toBe(0);
    expect(unwritable.stdout).toMatch(/usage: npm run ingest/);
    expect(unwritable.stderr).toMatch(/could not build its sources for plain Node \(.*ENOTDIR.*\); running them through tsx instead/);

    const outside = await run(['cli/ingest.ts', '--help'], path.join(tmp, 'builds'));
    expect(outside.code, outside.stderr).toBe(0);
    expect(outside.stdout).toMatch(/usage: npm run ingest/);
    expect(outside.stderr).toMatch(/VERBATIM_BUILD_DIR \(.*\) must be inside the project folder/);
  });

  it('builds every module that is started by its URL (a worker thread’s, a preloaded probe)', () => {
    const started = new Set<string>();
    const walk = (dir: string) => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const file = path.join(dir, entry.name);
        if (entry.isDirectory() && entry.name !== '__fixtures__' && entry.name !== 'node_modules') walk(file);
        else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) {
          for (const match of fs.readFileSync(file, 'utf8').matchAll(/new URL\('(\.{1,2}\/[\w./-]+\.ts)', import\.meta\.url\)/g)) {
            started.add(path.relative(ROOT, path.resolve(path.dirname(file), match[1]!)));
          }
        }
      }
    };
    for (const dir of ['server', 'retrieval', 'cli', 'bench', 'eval']) walk(path.join(ROOT, dir));
    expect(started.size).toBeGreaterThanOrEqual(5);
    expect([...started].sort()).toEqual([...URL_ENTRY_POINTS].sort());
  });
});
