/** `npm start` as a user runs it: a real process, real signals. */
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { SEEDS_DIR } from './__fixtures__/test-server.js';
import type { HealthResponse } from './protocol.js';
import { ALL_MINILM_L6_V2 } from '../retrieval/models/model-catalog.js';
import { describeSource, pinnedFilesOf } from '../retrieval/models/model-folder.js';
import { REAL_MODEL_PRESENT, REAL_MODEL_SKIP_NOTE, REPO_MODEL_DIR } from '../retrieval/models/__fixtures__/real-default-embedder.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const tmpDirs: string[] = [];
afterAll(async () => {
  for (const dir of tmpDirs) await fs.rm(dir, { recursive: true, force: true });
});

function start(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, ['cli/launch.mjs', 'server/main.ts', ...args], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    exited,
    output: () => ({ stdout, stderr }),
    async waitForStdout(pattern: RegExp, timeoutMs = 60_000): Promise<RegExpExecArray> {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const match = pattern.exec(stdout);
        if (match) return match;
        if (child.exitCode !== null || Date.now() > until) throw new Error(`no ${pattern} in output:\n${stdout}\n${stderr}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
  };
}

const LIGHTHOUSE = '# The Zorblax lighthouse\n\nThe Zorblax lighthouse was built in 1873 by the engineer Mirela Quintavalle.\n';

/** Uploads one file to a running server and polls its status until it is ready; the upload. */
async function uploadAndWait(url: string, name: string, text: string): Promise<{ statusUrl: string; docId: string }> {
  const form = new FormData();
  form.append('files', new Blob([text]), name);
  const sent = await fetch(`${url}/api/documents`, { method: 'POST', body: form });
  expect(sent.status).toBe(202);
  const [upload] = ((await sent.json()) as { uploads: { statusUrl: string; docId: string }[] }).uploads;
  let state = '';
  for (const until = Date.now() + 120_000; state !== 'ready' && Date.now() < until; await new Promise((r) => setTimeout(r, 100))) {
    const status = (await (await fetch(`${url}${upload!.statusUrl}`)).json()) as { state: string; reason: string | null };
    expect(status.state, status.reason ?? '').not.toBe('failed');
    state = status.state;
  }
  expect(state).toBe('ready');
  return upload!;
}

describe('npm start', () => {
  it('ingests, prints the URL and the mode, serves, and stops cleanly on SIGTERM', async () => {
    const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'verbatim-start-'));
    tmpDirs.push(tmp);
    const server = start(['--port', '0', '--corpus', SEEDS_DIR, '--index', path.join(tmp, 'index'), '--no-embeddings']);
    const [, url] = await server.waitForStdout(/Verbatim is serving the chat page at (http:\/\/127\.0\.0\.1:\d+)\//);
    const { stdout } = server.output();
    expect(stdout).toContain('retrieval: lexical only — embeddings disabled by DISABLE_EMBEDDINGS');
    expect(stdout).toMatch(/index: 1 documents, \d+ chunks/);
    expect(stdout).toContain(`feedback: readers' verdicts go to ${path.join(tmp, 'index', 'feedback.jsonl')}\n`);

    const health = await fetch(`${url}/api/health`);
    expect(health.status).toBe(200);
    const page = await fetch(`${url}/`);
    expect(await page.text()).toContain('<script type="module" src="app.js">');

    const ws = new WebSocket(`${url!.replace('http', 'ws')}/ws`);
    await new Promise((resolve) => ws.once('open', resolve));
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    server.child.kill('SIGTERM');
    expect(await closed).toBe(1001);
    expect(await server.exited).toBe(0);
    expect(server.output().stdout).toContain('SIGTERM: closing connections');
  });

  it('takes an upload while serving: re-indexes it in the background, answers from it, and deletes it', async () => {
    const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'verbatim-start-'));
    tmpDirs.push(tmp);
    const corpus = path.join(tmp, 'corpus');
    await fs.cp(SEEDS_DIR, corpus, { recursive: true });
    const server = start(['--port', '0', '--corpus', corpus, '--index', path.join(tmp, 'index'), '--no-embeddings']);
    try {
      const [, url] = await server.waitForStdout(/Verbatim is serving the chat page at (http:\/\/127\.0\.0\.1:\d+)\//);
      const upload = await uploadAndWait(url!, 'lighthouse.md', LIGHTHOUSE);
      expect(((await (await fetch(`${url}/api/health`)).json()) as HealthResponse).documents).toBe(2);
      const asked = await fetch(`${url}/api/ask`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ question: 'Who built the Zorblax lighthouse?' }) });
      const answer = (await asked.json()) as { citations: { docId: string }[] };
      expect(answer.citations.map((c) => c.docId)).toContain(upload!.docId);
      const removed = await fetch(`${url}/api/documents/${encodeURIComponent(upload!.docId)}`, { method: 'DELETE' });
      expect(removed.status).toBe(200);
      expect(((await (await fetch(`${url}/api/health`)).json()) as HealthResponse).documents).toBe(1);
      await expect(fs.access(path.join(corpus, upload!.docId))).rejects.toThrow();
    } finally {
      server.child.kill('SIGTERM');
    }
    expect(await server.exited).toBe(0);
  });

  it('refuses to bind beyond loopback without an access token', async () => {
    const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'verbatim-start-'));
    tmpDirs.push(tmp);
    const server = start(['--host', '0.0.0.0', '--port', '0', '--corpus', SEEDS_DIR, '--index', path.join(tmp, 'index'), '--no-embeddings']);
    expect(await server.exited).toBe(2);
    expect(server.output().stderr).toContain('set API_TOKEN');
  });

  it('rejects a bad --port with a usage hint', async () => {
    const server = start(['--port', 'eighty']);
    expect(await server.exited).toBe(2);
    expect(server.output().stderr).toContain('--port takes a whole number');
  });

  it.skipIf(!REAL_MODEL_PRESENT)(`serves in hybrid mode with the real default embedder, and /api/health names the model, its hash and its source${REAL_MODEL_SKIP_NOTE}`, async () => {
    const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'verbatim-start-'));
    tmpDirs.push(tmp);
    const corpus = path.join(tmp, 'corpus');
    await fs.cp(SEEDS_DIR, corpus, { recursive: true });
    const server = start(['--port', '0', '--corpus', corpus, '--index', path.join(tmp, 'index')], { MODEL_DIR: REPO_MODEL_DIR, ALLOW_REMOTE_MODELS: 'false', DISABLE_EMBEDDINGS: 'false' });
    try {
      const [, url] = await server.waitForStdout(/Verbatim is serving the chat page at (http:\/\/127\.0\.0\.1:\d+)\//, 120_000);
      expect(server.output().stdout).toMatch(/retrieval: hybrid — BM25 \+ vectors from transformers:Xenova\/all-MiniLM-L6-v2:q8:mean:[0-9a-f]{12}\n/);
      const health = (await (await fetch(`${url}/api/health`)).json()) as HealthResponse;
      // The folder verified against one of its sources (pypi on CI): the hash served is that source's pinned ONNX file.
      const source = ALL_MINILM_L6_V2.sources.find((candidate) => describeSource(candidate) === health.model?.source);
      const onnx = source && pinnedFilesOf(source).find((file) => file.path === 'onnx/model_quantized.onnx');
      expect(onnx, `source ${health.model?.source}`).toBeDefined();
      expect(health).toMatchObject({
        mode: 'hybrid',
        lexicalReason: null,
        model: { modelId: ALL_MINILM_L6_V2.modelId, dtype: 'q8', pooling: 'mean', dimension: 384, onnxSha256: onnx?.sha256 },
      });
      const asked = await fetch(`${url}/api/ask`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ question: 'How many foreign officers did China train in 2023?' }) });
      const answer = (await asked.json()) as { mode: string; citations: { quote: string }[] };
      expect(answer.mode).toBe('hybrid');
      expect(answer.citations[0]?.quote).toContain('2,700');

      // An upload is embedded by the re-index and answered from in hybrid mode by the new workers.
      const upload = await uploadAndWait(url!, 'lighthouse.md', LIGHTHOUSE);
      const again = (await (
        await fetch(`${url}/api/ask`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ question: 'Who built the Zorblax lighthouse?' }) })
      ).json()) as { mode: string; citations: { docId: string }[] };
      expect(again.mode).toBe('hybrid');
      expect(again.citations.map((c) => c.docId)).toContain(upload.docId);
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  }, 180_000);
});
