/**
 * The contract test: schemathesis (pinned in tools/requirements-schemathesis.txt, installed in .venv-tools/) reads
 * `GET /api/openapi.json` from the real server, answering in worker threads over the seed corpus behind an API token,
 * generates requests from it, valid and invalid, and checks every answer against it: no 5xx, every status, content
 * type, header and body as documented, invalid requests refused and valid ones accepted, the token enforced, 405 for
 * unlisted methods. Bounded in examples and time; a failure prints schemathesis's report.
 *
 * Without the venv the test is skipped, and its name says how to install it; with VERBATIM_REQUIRE_TOOLS=1 (as
 * `.ci/run` sets) a missing venv fails it instead.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiOperations } from './api-operations.js';
import { startTestServer, type TestServer } from './__fixtures__/test-server.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const VENV_BIN = `${ROOT}.venv-tools/bin/`;
const INSTALL = 'python3 -m venv .venv-tools && .venv-tools/bin/pip install --require-hashes -r tools/requirements-schemathesis.txt';
const installed = fs.existsSync(`${VENV_BIN}st`);
const required = process.env.VERBATIM_REQUIRE_TOOLS === '1';

const TOKEN = 'contract-token-0123456789abcdef';
/** The run's bounds: test cases per operation and phase, and the seed that makes it repeat exactly. */
const MAX_EXAMPLES = 100;
const SEED = 17;
/** Longest the whole schemathesis run may take before it is stopped and the test fails. */
const RUN_TIMEOUT_MS = 90_000;
/** The tail of a report that fits in a failure message. */
const REPORT_CHARS = 20_000;

interface Finished {
  readonly code: number | null;
  readonly output: string;
  readonly timedOut: boolean;
}

/** Runs a program to its end or `timeoutMs`, whichever comes first, with stdout and stderr together. */
function run(program: string, args: readonly string[], options: { env?: NodeJS.ProcessEnv; timeoutMs: number }): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { cwd: ROOT, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let timedOut = false;
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output, timedOut });
    });
  });
}

/** Where the tools are required but missing (VERBATIM_REQUIRE_TOOLS=1), fails the test saying how to install them. */
function requireTools(): void {
  if (!installed) throw new Error(`VERBATIM_REQUIRE_TOOLS=1 but .venv-tools/bin/st is missing: install it with ${INSTALL}`);
}

/** What a failed run shows: why it stopped, then the end of schemathesis's report (its failures and summary). */
function report(what: string, finished: Finished): string {
  const why = finished.timedOut ? `stopped after ${RUN_TIMEOUT_MS / 1000} s` : `exited with ${finished.code}`;
  return `${what} ${why}:\n${finished.output.slice(-REPORT_CHARS)}`;
}

/**
 * Runs `st run` on a served description with the project's settings (tools/schemathesis.toml), the token, the seed
 * and the time bounds, plus `extra` (which operations, how many examples). One worker, so the seed repeats the run.
 */
function schemathesis(url: string, authorization: string, extra: readonly string[]): Promise<Finished> {
  const args = [
    ...['--config-file', 'tools/schemathesis.toml', 'run', url],
    ...['--header', `Authorization: ${authorization}`],
    ...['--phases', 'examples,coverage,fuzzing', '--seed', String(SEED), '--workers', '1'],
    // A response slower than this fails the run (the ask deadline is 5 s); a request that hangs is cut at 20 s.
    ...['--max-response-time', '10', '--request-timeout', '20'],
    ...['--generation-database', 'none', '--no-color'],
    ...extra,
  ];
  // At a lower priority: the suite runs test files side by side on two cores, and CPU-time ratio tests (the fuzz
  // tests) should not pay for schemathesis's generation.
  return run('nice', ['-n', '10', `${VENV_BIN}st`, ...args], { timeoutMs: RUN_TIMEOUT_MS });
}

describe('the server keeps the contract of its OpenAPI description', () => {
  if (!installed && !required) {
    it.skip(`under schemathesis — skipped: .venv-tools/bin/st is missing (${INSTALL})`, () => {});
    return;
  }

  let t: TestServer | undefined;
  /** The same server with one contract broken: the document list carries a field the description does not have. */
  let broken: TestServer | undefined;
  beforeAll(async () => {
    if (!installed) return;
    // Limits schemathesis's volume cannot reach: it sends hundreds of requests a minute, and its auth checks send
    // wrong tokens on purpose. The 429 they would cause is documented, and reached in documented-statuses.test.ts.
    [t, broken] = await Promise.all([
      // With the document library, so uploads and deletes answer as they do under `npm start`.
      startTestServer({ pooled: true, library: true, requestsPerMinute: 1_000_000, configOverrides: { apiToken: TOKEN, authFailuresPerMinute: 1_000_000, askWorkers: 1 } }),
      startTestServer({
        configOverrides: { apiToken: TOKEN },
        wrapPipeline: (p) => ({ ...p, listDocuments: () => p.listDocuments().map((d) => ({ ...d, path: `/srv/corpus/${d.id}` })) }),
      }),
    ]);
  });
  afterAll(async () => {
    await t?.close();
    await broken?.close();
  });

  it(
    'under schemathesis: no 5xx, every response as documented, invalid requests refused and valid ones answered',
    async () => {
      requireTools();
      const url = `${t!.url}/api/openapi.json`;
      const authorization = `Bearer ${TOKEN}`;

      const checked = await run(`${VENV_BIN}python`, ['tools/check-openapi-document.py', url], { env: { VERBATIM_AUTHORIZATION: authorization }, timeoutMs: 30_000 });
      expect(checked.code, report('the OpenAPI 3.1 check', checked)).toBe(0);

      // Every operation: without a filter schemathesis leaves out the one that serves the description.
      const finished = await schemathesis(url, authorization, ['--include-path-regex', '^/', '--max-examples', String(MAX_EXAMPLES)]);
      expect(finished.code, report('schemathesis', finished)).toBe(0);
      const operations = apiOperations({ defaultK: t!.config.topK, tokenRequired: true, loopbackOnly: true, maxBodyBytes: 64 * 1024 }).length;
      expect(finished.output, report('schemathesis', finished)).toContain(`Tested: ${operations}\n`);
    },
    RUN_TIMEOUT_MS + 60_000,
  );

  it(
    'under schemathesis, a broken contract fails the run with a report that names it',
    async () => {
      requireTools();
      const finished = await schemathesis(`${broken!.url}/api/openapi.json`, `Bearer ${TOKEN}`, ['--include-name', 'GET /api/documents', '--max-examples', '5']);
      expect(finished.code, finished.output.slice(-REPORT_CHARS)).toBe(1);
      expect(finished.output).toContain('GET /api/documents');
      expect(finished.output).toContain('Response violates schema');
    },
    RUN_TIMEOUT_MS + 60_000,
  );
});
