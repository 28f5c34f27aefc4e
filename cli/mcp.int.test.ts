/**
 * `npm run mcp` as MCP clients start it: a subprocess speaking the protocol on stdio. The SDK's own client runs the
 * exact command the README documents; a raw run proves that every byte on stdout is a protocol message (one stray log
 * line would break a client), and that the server builds a missing index and exits cleanly when the client hangs up.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEEDS_DIR } from '../server/__fixtures__/test-server.js';
import { callTool, expectCitationsVerified, SEED_QUESTION, type AskContent } from '../server/mcp/__fixtures__/mcp-tool-calls.js';
import { runNpmScript } from './__fixtures__/run-npm-script.js';

const ROOT = path.resolve(import.meta.dirname, '..');
/** Lexical, one answering worker and every log line there is: fast, and anything logged to stdout would show. */
const ENV = { DISABLE_EMBEDDINGS: 'true', ASK_WORKERS: '1', LOG_LEVEL: 'debug' };
let tmp: string;
beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'verbatim-mcp-'));
});
afterAll(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

describe('npm run mcp, through the SDK client', () => {
  it('serves the documented client configuration: lists the tools, answers with citations that check out, and stops when the client closes', async () => {
    const transport = new StdioClientTransport({
      // The README's configuration, from another folder: `npm run --silent mcp --prefix <repository>`.
      command: 'npm',
      args: ['run', '--silent', 'mcp', '--prefix', ROOT, '--', '--corpus', SEEDS_DIR, '--index', path.join(tmp, 'sdk-index')],
      cwd: tmp,
      env: ENV,
      stderr: 'pipe',
    });
    let stderr = '';
    transport.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const stderrEnded = once(transport.stderr!, 'end');
    const client = new Client({ name: 'verbatim-test', version: '1.0.0' });
    const errors: Error[] = [];
    client.onerror = (error) => errors.push(error);
    await client.connect(transport);
    try {
      expect(client.getServerVersion()?.name).toBe('verbatim');
      expect((await client.listTools()).tools.map((tool) => tool.name)).toEqual(['search', 'ask', 'get_document_span']);
      const { result, structured } = await callTool<AskContent>(client, 'ask', { question: SEED_QUESTION });
      expect(result.isError).toBeFalsy();
      expect(structured.shortAnswer).toBe('2,700');
      await expectCitationsVerified(client, structured.citations);
      const { resources } = await client.listResources();
      const document = await fs.readFile(path.join(SEEDS_DIR, resources[0]!.name), 'utf8');
      expect((await client.readResource({ uri: resources[0]!.uri })).contents[0]).toMatchObject({ text: document });
    } finally {
      await client.close();
    }
    await stderrEnded;
    // The client read nothing it could not parse, and the server stopped on its own when stdin closed.
    expect(errors).toEqual([]);
    expect(stderr).toContain('Verbatim MCP server on stdio: 1 documents');
    expect(stderr).toContain('stdin closed: closing');
  });
});

/** The server run directly, its stdout read line by line as a client would. */
function startRaw(args: string[]) {
  const child = spawn(process.execPath, ['cli/launch.mjs', 'cli/mcp.ts', ...args], { cwd: ROOT, env: { ...process.env, ...ENV }, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const waiters: (() => void)[] = [];
  const wake = () => waiters.splice(0).forEach((w) => w());
  child.stdout.on('data', (d: Buffer) => ((stdout += d.toString()), wake()));
  child.stderr.on('data', (d: Buffer) => ((stderr += d.toString()), wake()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => (wake(), resolve(code))));
  /** Waits until `found` holds of the output so far, or fails when the process ends first. */
  const waitFor = async <T>(found: () => T | undefined, what: string): Promise<T> => {
    for (;;) {
      const value = found();
      if (value !== undefined) return value;
      if (child.exitCode !== null) throw new Error(`exited before ${what}:\n${stdout}\n${stderr}`);
      await new Promise<void>((resolve) => waiters.push(resolve));
    }
  };
  const messages = () => stdout.split('\n').filter(Boolean).map((line) => JSON.parse(line) as { jsonrpc: string; id?: number; result?: any; error?: unknown });
  return {
    child,
    exited,
    output: () => ({ stdout, stderr }),
    send: (message: unknown) => child.stdin.write(`${JSON.stringify(message)}\n`),
    response: (id: number) => waitFor(() => messages().find((m) => m.id === id), `the response to ${id}`),
    waitForStderr: (text: string) => waitFor(() => (stderr.includes(text) ? true : undefined), JSON.stringify(text)),
  };
}

const INITIALIZE = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } };

describe('npm run mcp on stdio', () => {
  it('builds the missing index, writes nothing but protocol messages to stdout, survives a garbled line and exits 0 when stdin closes', async () => {
    const server = startRaw(['--corpus', SEEDS_DIR, '--index', path.join(tmp, 'raw-index')]);
    server.send(INITIALIZE);
    expect((await server.response(1)).result.serverInfo.name).toBe('verbatim');
    server.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    server.child.stdin.write('this is not JSON\n');
    server.send({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'ask', arguments: { question: SEED_QUESTION } } });
    const answer = (await server.response(2)).result;
    const document = await fs.readFile(path.join(SEEDS_DIR, answer.structuredContent.citations[0].docId), 'utf8');
    for (const c of answer.structuredContent.citations) expect(document.slice(c.start, c.end)).toBe(c.quote);
    expect(answer.content[0].text).toContain('Sources:\n[1] ');

    server.child.stdin.end();
    expect(await server.exited).toBe(0);
    const { stdout, stderr } = server.output();
    const lines = stdout.split('\n');
    expect(lines.pop()).toBe('');
    for (const line of lines) expect(JSON.parse(line)).toMatchObject({ jsonrpc: '2.0' });
    expect(lines).toHaveLength(2);
    expect(stderr).toMatch(/index: 1 documents, \d+ chunks in .*raw-index \(1 added, 0 changed, 0 removed\)/);
    expect(stderr).toContain('retrieval: lexical only — embeddings disabled by DISABLE_EMBEDDINGS');
    expect(stderr).toContain('MCP message refused');
    expect(stderr).toContain('stdin closed: closing');
  });

  it('stops on SIGTERM with exit 0, and refuses a bad flag with exit 2 and the usage', async () => {
    const server = startRaw(['--corpus', SEEDS_DIR, '--index', path.join(tmp, 'raw-index')]);
    await server.waitForStderr('Verbatim MCP server on stdio');
    expect(server.output().stderr).toMatch(/\(up to date\)/);
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    expect(server.output()).toMatchObject({ stdout: '' });
    expect(server.output().stderr).toContain('SIGTERM: closing');

    const bad = await runNpmScript('mcp', ['--frobnicate'], ENV);
    expect(bad).toMatchObject({ code: 2, stdout: '' });
    expect(bad.stderr).toMatch(/^error: Unknown option '--frobnicate'.*\nusage: npm run --silent mcp/s);
  });
});
