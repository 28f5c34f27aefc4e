/**
 * Fault tests with real processes and real files: `cli/ingest.ts` killed with SIGKILL mid-ingest, damaged index files,
 * two ingests at once, a hostile corpus, and a full disk (a real tmpfs, where mounting one is permitted). The embedder is the tiny real ONNX model the suite writes itself, loaded
 * by the CLI through the production path (EMBEDDING_MODEL / MODEL_DIR / ALLOW_REMOTE_MODELS=0).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Answerer } from '../answer/answerer.js';
import { createExtractiveAnswerer } from '../answer/extractive-answerer.js';
import { loadConfig, type Config } from '../config.js';
import { CorpusNotFoundError, IndexCorruptError, IndexWriteError } from '../errors.js';
import { writeTinyModel, type TinyModel } from '../embed/__fixtures__/tiny-model.js';
import { openEmbedder } from '../embed/open-embedder.js';
import { currentGeneration, loadIndex } from '../index/index-files.js';
import { INDEX_FORMAT_VERSION } from '../index/manifest.js';
import { VectorIndex } from '../index/vector-index.js';
import { openPipeline } from '../open-pipeline.js';
import { ingestCorpus, type IngestReport } from './ingest-corpus.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const SEEDS = path.join(ROOT, 'seeds');
const LOCK_MESSAGE = /another ingest is writing .*\.lock if no ingest is running/;

let tmp: string;
let tiny: TinyModel;
/**
 * One answerer for every pipeline opened here: wink-eng-lite-web-model's `metaCER()` re-stringifies its own model on
 * every `winkNLP(model)` call, so a process that builds ~20 answerers runs out of string length (see the report).
 */
let answerer: Answerer;
/** A corpus large enough that a CLI ingest with the tiny model runs for seconds: ~1,500 chunks. */
let bigCorpus: string;
/** A complete hybrid index of `bigCorpus`, copied by each test that needs a previous index. */
let bigIndex: string;
let bigDocuments: number;

interface Finished {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Starts `node --import tsx cli/ingest.ts --json ...args` with the tiny model configured through the environment. */
function startIngest(args: readonly string[], env: NodeJS.ProcessEnv = {}): { child: ChildProcess; finished: Promise<Finished> } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'cli/ingest.ts', '--json', ...args], {
    cwd: ROOT,
    env: { ...process.env, EMBEDDING_MODEL: tiny.modelId, MODEL_DIR: tiny.modelDir, ALLOW_REMOTE_MODELS: '0', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const finished = new Promise<Finished>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, finished };
}

const runIngest = (args: readonly string[], env?: NodeJS.ProcessEnv): Promise<Finished> => startIngest(args, env).finished;

function reportOf(run: Finished): IngestReport {
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as IngestReport;
}

const configFor = (corpusDir: string, indexDir: string): Config =>
  loadConfig({ overrides: { corpusDir, indexDir, modelId: tiny.modelId, modelDir: tiny.modelDir, allowRemoteModels: false } });

/**
 * Opens the index the way the server does (hybrid: the HNSW files must load) and asks; then checks the answer itself
 * in lexical mode. Here every document states the same kind of fact and the tiny model cannot tell the port names
 * apart, so in hybrid mode reciprocal rank fusion can rank look-alike facts found by both signals above the one
 * document BM25 finds by name, and the answer would be about another port (a ranking question, reported separately).
 */
async function ask(config: Config, d: number) {
  const { question, year } = portQuestion(d);
  const { pipeline } = await openPipeline({ config, answerer });
  let status;
  try {
    status = pipeline.status;
    const result = await pipeline.ask({ question });
    expect(result.citations.length).toBeGreaterThan(0);
    for (const c of result.citations) expect(c.quote).toBe(pipeline.getDocument(c.docId)!.text.slice(c.start, c.end));
  } finally {
    await pipeline.close();
  }
  const lexical = await openPipeline({ config: { ...config, disableEmbeddings: true }, answerer });
  try {
    expect((await lexical.pipeline.ask({ question })).answer).toContain(year);
  } finally {
    await lexical.pipeline.close();
  }
  return status;
}

/** Opens the small index and asks about its one fact (two documents: no look-alikes to confuse ranking). */
async function askAldous(config: Config) {
  const { pipeline } = await openPipeline({ config, answerer });
  try {
    const result = await pipeline.ask({ question: 'When did the harbour of Port Aldous open?' });
    for (const c of result.citations) expect(c.quote).toBe(pipeline.getDocument(c.docId)!.text.slice(c.start, c.end));
    return { status: pipeline.status, result };
  } finally {
    await pipeline.close();
  }
}

async function generations(indexDir: string): Promise<string[]> {
  return (await fs.readdir(indexDir)).filter((name) => name.startsWith('gen-')).sort();
}

async function currentName(indexDir: string): Promise<string> {
  return path.basename((await currentGeneration(indexDir))!);
}

async function exists(file: string): Promise<boolean> {
  return fs.access(file).then(
    () => true,
    () => false,
  );
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until `check` returns a value, or fails after `timeoutMs`. */
async function waitFor<T>(what: string, timeoutMs: number, check: () => Promise<T | null>, everyMs = 2): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== null) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

const SYLLABLES = ['ba', 'ke', 'do', 'mi', 'ru', 'so', 'ta', 'vi', 'no', 'le'];
/** A made-up place name unique to document `d` (< 1000), so BM25 finds its document by that one word. */
const portName = (d: number): string => {
  const name = String(d).padStart(3, '0').split('').map((digit) => SYLLABLES[Number(digit)]).join('');
  return `${name[0]!.toUpperCase()}${name.slice(1)}x`;
};
/** The question about document `d`'s fact, and the year its answer must contain. */
const portQuestion = (d: number) => ({ question: `When did the harbour of Port ${portName(d)} open?`, year: String(1800 + d) });

/** Deterministic prose from the tiny model's vocabulary (minus the question's words), with one checkable fact per document. */
async function writeProseCorpus(dir: string, options: { from: number; count: number; paragraphs: number }): Promise<void> {
  await fs.mkdir(dir, { recursive: true });
  const words = tiny.vocabulary.filter((w) => /^[a-z]{3,}$/.test(w) && !/^(?:open|harbour|port|when)/.test(w));
  let state = 12345 + options.from;
  const random = () => (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648;
  for (let d = options.from; d < options.from + options.count; d++) {
    const paragraphs = [`The harbour of Port ${portName(d)} opened in ${1800 + d}.`];
    for (let p = 0; p < options.paragraphs; p++) {
      const sentences = Array.from({ length: 6 }, () => `${Array.from({ length: 8 + Math.floor(random() * 10) }, () => words[Math.floor(random() * words.length)]).join(' ')}.`);
      paragraphs.push(sentences.join(' '));
    }
    await fs.writeFile(path.join(dir, `doc-${String(d).padStart(4, '0')}.txt`), `Document ${d}\n\n${paragraphs.join('\n\n')}\n`);
  }
}

/** A different chunk size invalidates every chunk: an ingest with it re-splits and re-embeds the whole big corpus. */
const REEMBED_ENV = { CHUNK_SIZE: '700', CHUNK_OVERLAP: '100' };

/** A copy of the big corpus and of its hybrid index, for a test that damages or interrupts them. */
async function copyBigCorpusAndIndex(corpus: string, indexDir: string): Promise<void> {
  await fs.cp(bigCorpus, corpus, { recursive: true });
  await fs.cp(bigIndex, indexDir, { recursive: true });
}

beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'verbatim-faults-'));
  tiny = await writeTinyModel({ modelDir: path.join(tmp, 'models') });
  answerer = createExtractiveAnswerer();
  bigCorpus = path.join(tmp, 'big-corpus');
  bigDocuments = 300;
  await writeProseCorpus(bigCorpus, { from: 0, count: bigDocuments, paragraphs: 10 });
  bigIndex = path.join(tmp, 'big-index');
  const config = configFor(bigCorpus, bigIndex);
  const choice = await openEmbedder(config);
  try {
    expect((await ingestCorpus({ config, openEmbedder: async () => choice })).mode).toBe('hybrid');
  } finally {
    await choice.embedder?.dispose();
  }
}, 60_000);

afterAll(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

describe('kill -9 during ingest', () => {
  it('leaves the previous index serving while the new generation is half written, and the next ingest completes', async () => {
    const corpus = path.join(tmp, 'kill-corpus');
    const indexDir = path.join(tmp, 'kill-index');
    await copyBigCorpusAndIndex(corpus, indexDir);
    await writeProseCorpus(corpus, { from: bigDocuments, count: 40, paragraphs: 10 });
    const config = configFor(corpus, indexDir);
    const previous = path.basename((await currentGeneration(indexDir))!);

    // Kill the moment a new generation folder appears: the ingest is then writing files and building the HNSW graph.
    const { child, finished } = startIngest(['--corpus', corpus, '--index', indexDir]);
    const partial = await waitFor('a new generation folder', 20_000, async () => (await generations(indexDir)).find((g) => g !== previous) ?? null);
    child.kill('SIGKILL');
    expect((await finished).signal).toBe('SIGKILL');

    expect(await fs.readFile(path.join(indexDir, 'CURRENT'), 'utf8')).toBe(`${previous}\n`);
    expect(await exists(path.join(indexDir, partial, 'manifest.json'))).toBe(false);
    expect(await exists(path.join(indexDir, '.lock'))).toBe(true);
    expect(await ask(config, 83)).toMatchObject({ mode: 'hybrid', documents: bigDocuments });

    // The killed process no longer exists, so its lock is taken over as soon as it is 2 s unrefreshed: the very next
    // ingest completes (it used to be refused until the lock was 10 s old).
    const started = Date.now();
    const report = reportOf(await runIngest(['--corpus', corpus, '--index', indexDir]));
    const elapsedMs = Date.now() - started;
    // Made from the previous generation: its databases patched, its HNSW graph given only the new vectors.
    expect(report).toMatchObject({ wrote: true, mode: 'hybrid', documents: bigDocuments + 40, incremental: true, vectorIndex: 'updated' });
    expect(report.added).toHaveLength(40);
    expect(report.embeddedChunks).toBeLessThan(report.chunks);
    expect(elapsedMs).toBeLessThan(20_000);
    // The half-written generation is gone; the one it replaced stays until the next save, for readers still on it.
    expect(await generations(indexDir)).toEqual([previous, await currentName(indexDir)].sort());
    expect(await exists(path.join(indexDir, '.lock'))).toBe(false);
    expect(await ask(config, bigDocuments + 23)).toMatchObject({ mode: 'hybrid', documents: bigDocuments + 40 });
  }, 60_000);

  it('leaves the previous index serving whenever the kill lands, and removing the lock as the message says lets the next ingest run at once', async () => {
    const corpus = path.join(tmp, 'kill2-corpus');
    const indexDir = path.join(tmp, 'kill2-index');
    await copyBigCorpusAndIndex(corpus, indexDir);
    const env = REEMBED_ENV;
    const config = configFor(corpus, indexDir);
    const previous = await fs.readFile(path.join(indexDir, 'CURRENT'), 'utf8');

    // How long this ingest takes on this machine, measured on a copy, so the middle kill lands mid-way however fast it is.
    const calibration = path.join(tmp, 'kill2-calibration');
    await fs.cp(bigIndex, calibration, { recursive: true });
    const calibrationStart = Date.now();
    reportOf(await runIngest(['--corpus', corpus, '--index', calibration], env));
    const fullMs = Date.now() - calibrationStart;
    // Kill points by what the ingest is doing: just started (it holds the lock), half-way, writing the new generation.
    // Each is armed when its ingest starts.
    const killPoints: { what: string; arm: () => () => Promise<boolean> }[] = [
      { what: 'the lock is taken', arm: () => () => exists(path.join(indexDir, '.lock')) },
      {
        what: 'half of a full ingest has passed',
        arm: () => {
          const at = Date.now() + fullMs / 2;
          return async () => Date.now() >= at;
        },
      },
      {
        what: 'a new generation folder appears',
        arm: () => {
          // Leftovers of the kills before do not count: the ingest removes them and starts a folder of its own.
          const before = generations(indexDir);
          return async () => {
            const old = new Set(await before);
            return (await generations(indexDir)).some((g) => !old.has(g));
          };
        },
      },
    ];
    for (const point of killPoints) {
      const { child, finished } = startIngest(['--corpus', corpus, '--index', indexDir], env);
      const reached = point.arm();
      await waitFor(point.what, 30_000, async () => ((await reached()) ? true : null));
      child.kill('SIGKILL');
      const killed = await finished;
      expect(killed.signal, `ingest finished before the kill when ${point.what}: ${killed.stdout}`).toBe('SIGKILL');
      expect(await fs.readFile(path.join(indexDir, 'CURRENT'), 'utf8')).toBe(previous);
      expect(await ask(config, 43)).toMatchObject({ mode: 'hybrid', documents: bigDocuments });
      await fs.rm(path.join(indexDir, '.lock'), { recursive: true, force: true });
    }

    const report = reportOf(await runIngest(['--corpus', corpus, '--index', indexDir], env));
    // Every chunk is new but those whose span the new chunking happens to keep (same document, same characters).
    expect(report).toMatchObject({ wrote: true, documents: bigDocuments, incremental: false });
    expect(report.embeddedChunks).toBeGreaterThan(report.chunks / 2);
    expect(await generations(indexDir)).toEqual([previous.trim(), await currentName(indexDir)].sort());
    expect((await fs.readdir(indexDir)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  }, 60_000);

  it('leaves the previous index serving when the kill lands while the copied databases are being patched, and the next ingest patches afresh', async () => {
    // Lexical, so that nothing but the patch is slow: 400 new documents are about 2,000 chunks to insert and analyse.
    const corpus = path.join(tmp, 'kill-patch-corpus');
    const indexDir = path.join(tmp, 'kill-patch-index');
    await fs.cp(bigCorpus, corpus, { recursive: true });
    const env = { DISABLE_EMBEDDINGS: '1' };
    reportOf(await runIngest(['--corpus', corpus, '--index', indexDir], env));
    const previous = await currentName(indexDir);
    await writeProseCorpus(corpus, { from: bigDocuments, count: 400, paragraphs: 10 });

    // The new generation's databases are copies of the previous ones; a write-ahead log beside one means the patch is under way.
    const { child, finished } = startIngest(['--corpus', corpus, '--index', indexDir], env);
    const patching = await waitFor('a patch under way in the new generation', 30_000, async () => {
      for (const name of (await generations(indexDir)).filter((g) => g !== previous)) {
        const files = await fs.readdir(path.join(indexDir, name)).catch(() => []);
        if (files.some((file) => file.endsWith('.sqlite-wal'))) return name;
      }
      return null;
    }, 1);
    child.kill('SIGKILL');
    const killed = await finished;
    expect(killed.signal, `ingest finished before the kill: ${killed.stdout}`).toBe('SIGKILL');
    expect((await fs.readdir(path.join(indexDir, patching))).some((file) => file.endsWith('.sqlite-wal'))).toBe(true);
    expect(await exists(path.join(indexDir, patching, 'manifest.json'))).toBe(false);
    expect(await currentName(indexDir)).toBe(previous);
    const config = loadConfig({ overrides: { corpusDir: corpus, indexDir, disableEmbeddings: true } });
    // The previous generation, checked against its checksums, answers about its documents and knows nothing of the new ones.
    const before = await loadIndex(indexDir);
    try {
      expect(before.manifest.documents).toHaveLength(bigDocuments);
      expect(before.lexical.query(portName(bigDocuments + 7), 5)).toEqual([]);
    } finally {
      before.lexical.close();
      before.store.close();
    }
    await fs.rm(path.join(indexDir, '.lock'), { recursive: true, force: true });

    const report = reportOf(await runIngest(['--corpus', corpus, '--index', indexDir], env));
    expect(report).toMatchObject({ wrote: true, incremental: true, documents: bigDocuments + 400 });
    expect(report.added).toHaveLength(400);
    expect(await generations(indexDir)).toEqual([previous, await currentName(indexDir)].sort());
    // Checked against the checksums its save made from the previous ones and the blocks the patch wrote.
    const after = await loadIndex(indexDir);
    try {
      expect(after.store.chunkCount).toBe(report.chunks);
      expect(after.lexical.query(portName(bigDocuments + 7), 1)[0]!.id).toMatch(new RegExp(`^doc-0${bigDocuments + 7}\\.txt#`));
    } finally {
      after.lexical.close();
      after.store.close();
    }
    expect(await ask(config, bigDocuments + 7)).toMatchObject({ mode: 'lexical', documents: bigDocuments + 400 });
  }, 90_000);
});

describe('damaged index files', () => {
  let corpus: string;
  let goodIndex: string;

  beforeAll(async () => {
    corpus = path.join(tmp, 'small-corpus');
    await fs.cp(SEEDS, corpus, { recursive: true });
    await fs.writeFile(path.join(corpus, 'harbour.md'), '# Harbour\n\nThe harbour of Port Aldous opened in 1887 and closed in 1990.\n');
    goodIndex = path.join(tmp, 'small-index');
    const config = configFor(corpus, goodIndex);
    const choice = await openEmbedder(config);
    try {
      await ingestCorpus({ config, openEmbedder: async () => choice });
    } finally {
      await choice.embedder?.dispose();
    }
  });

  type Damage = (bytes: Buffer) => Buffer;
  const truncate: Damage = (bytes) => bytes.subarray(0, Math.floor(bytes.length / 2));
  const patched =
    (write: (copy: Buffer) => unknown): Damage =>
    (bytes) => {
      const copy = Buffer.from(bytes);
      write(copy);
      return copy;
    };
  const cases: { file: string; how: string; damage: Damage }[] = [
    ...['CURRENT', 'manifest.json', 'documents.sqlite', 'lexical.sqlite', 'hnsw/hnswlib.index', 'hnsw/docstore.json', 'hnsw/args.json'].map((file) => ({ file, how: 'truncated', damage: truncate })),
    { file: 'manifest.json', how: 'emptied', damage: () => Buffer.alloc(0) },
    { file: 'lexical.sqlite', how: 'overwritten with other JSON', damage: () => Buffer.from('{"documentCount": 3}') },
    { file: 'documents.sqlite', how: 'overwritten with other JSON', damage: () => Buffer.from('{"documentCount": 3}') },
    // Same size, valid headers, one byte different in the middle: only the manifest's checksums can tell.
    ...['lexical.sqlite', 'documents.sqlite', 'hnsw/hnswlib.index'].map((file) => ({ file, how: 'given one changed byte in the middle', damage: patched((b) => b.writeUInt8(b.readUInt8(b.length >> 1) ^ 0x20, b.length >> 1)) })),
    // hnswlib trusts its header: a damaged entry point or level count used to load fine, then crash the process
    // (SIGSEGV / abort) on the first search.
    { file: 'hnsw/hnswlib.index', how: 'given a bad entry point', damage: patched((b) => b.writeUInt32LE(4_000_000_000, 52)) },
    { file: 'hnsw/hnswlib.index', how: 'given a bad level count', damage: patched((b) => b.writeInt32LE(1000, 48)) },
  ];

  it.each(cases)('$file $how: openPipeline names the file and the fix, and the next ingest rebuilds a full index', async ({ file, damage }) => {
    const indexDir = path.join(tmp, `damaged-${file.replace(/\W+/g, '-')}-${Math.random().toString(36).slice(2, 8)}`);
    await fs.cp(goodIndex, indexDir, { recursive: true });
    const generation = (await currentGeneration(indexDir))!;
    const target = file === 'CURRENT' ? path.join(indexDir, 'CURRENT') : path.join(generation, file);
    await fs.writeFile(target, damage(await fs.readFile(target)));
    const config = configFor(corpus, indexDir);

    const error = await openPipeline({ config, answerer }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IndexCorruptError);
    expect((error as Error).message).toContain(`index file ${target} is unreadable`);
    expect((error as Error).message).toContain('npm run ingest');

    const choice = await openEmbedder(config);
    let report: IngestReport;
    try {
      report = await ingestCorpus({ config, openEmbedder: async () => choice });
    } finally {
      await choice.embedder?.dispose();
    }
    expect(report).toMatchObject({ wrote: true, mode: 'hybrid', documents: 2 });
    const { status, result } = await askAldous(config);
    expect(status).toMatchObject({ mode: 'hybrid', documents: 2, chunks: report.chunks });
    expect(result.answer).toContain('1887');
  }, 30_000);

  it('refuses a manifest of another format version with a clear error, and ingest replaces it', async () => {
    const indexDir = path.join(tmp, 'other-format');
    await fs.cp(goodIndex, indexDir, { recursive: true });
    const manifestFile = path.join((await currentGeneration(indexDir))!, 'manifest.json');
    const manifest = JSON.parse(await fs.readFile(manifestFile, 'utf8')) as { formatVersion: number };
    // An index written by the previous release (which had no `files` checksums): its version is what is wrong.
    const older = INDEX_FORMAT_VERSION - 1;
    const { files: _files, ...withoutChecksums } = manifest as { formatVersion: number; files?: unknown };
    await fs.writeFile(manifestFile, JSON.stringify({ ...withoutChecksums, formatVersion: older }));
    const config = configFor(corpus, indexDir);

    const error = await openPipeline({ config, answerer }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IndexCorruptError);
    expect((error as Error).message).toContain(`manifest.json is unreadable (format version ${older}, this Verbatim reads version ${INDEX_FORMAT_VERSION}): run \`npm run ingest\``);
    expect(reportOf(await runIngest(['--corpus', corpus, '--index', indexDir]))).toMatchObject({ wrote: true, documents: 2 });
    expect((await askAldous(config)).result.answer).toContain('1887');
  }, 30_000);

  it('never replaces a good index when the corpus folder is missing', async () => {
    const indexDir = path.join(tmp, 'missing-corpus');
    await fs.cp(goodIndex, indexDir, { recursive: true });
    const before = await fs.readFile(path.join(indexDir, 'CURRENT'), 'utf8');
    const config = configFor(path.join(tmp, 'no-such-corpus'), indexDir);
    await expect(ingestCorpus({ config, openEmbedder: () => openEmbedder(config) })).rejects.toBeInstanceOf(CorpusNotFoundError);
    const run = await runIngest(['--corpus', path.join(tmp, 'no-such-corpus'), '--index', indexDir]);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/^error: no corpus folder at .*no-such-corpus/m);
    expect(run.stdout).toBe('');
    expect(await fs.readFile(path.join(indexDir, 'CURRENT'), 'utf8')).toBe(before);
    expect((await askAldous(configFor(corpus, indexDir))).status.documents).toBe(2);
  }, 30_000);
});

describe('two ingests at once', () => {
  it('one completes, the other refuses with the lock message, and the index is consistent afterwards', async () => {
    const indexDir = path.join(tmp, 'race-index');
    const args = ['--corpus', bigCorpus, '--index', indexDir];
    const [first, second] = await Promise.all([runIngest(args), runIngest(args)]);
    const runs = [first, second];
    const completed = runs.filter((r) => r.code === 0);
    const refused = runs.filter((r) => r.code !== 0);
    // The full ingest takes longer than the 3 s a second ingest waits for the lock, so it refuses; were the machine
    // fast enough for the wait to succeed, the second run would find the index up to date and write nothing.
    expect(completed.length).toBeGreaterThanOrEqual(1);
    for (const run of refused) {
      expect(run.stderr).toMatch(LOCK_MESSAGE);
      expect(run.stdout).toBe('');
    }
    const reports = completed.map((r) => JSON.parse(r.stdout) as IngestReport);
    expect(reports.filter((r) => r.wrote)).toHaveLength(1);
    expect(refused.length + reports.filter((r) => !r.wrote).length).toBe(1);

    expect(await generations(indexDir)).toHaveLength(1);
    expect((await fs.readdir(indexDir)).filter((name) => name.endsWith('.tmp') || name === '.lock')).toEqual([]);
    expect(await ask(configFor(bigCorpus, indexDir), 123)).toMatchObject({ mode: 'hybrid', documents: bigDocuments });
  }, 45_000);
});

describe('a lock lost while ingesting', () => {
  it('stops the ingest with one error line and exit code 3, leaving the previous index current and nothing half-written', async () => {
    const corpus = path.join(tmp, 'lost-lock-corpus');
    const indexDir = path.join(tmp, 'lost-lock-index');
    await copyBigCorpusAndIndex(corpus, indexDir);
    // Re-embedding the whole corpus is seconds of work, so the lock is lost mid-ingest.
    const env = REEMBED_ENV;
    const previous = await currentName(indexDir);
    const { finished } = startIngest(['--corpus', corpus, '--index', indexDir], env);
    await waitFor('the ingest to record itself as the lock holder', 20_000, async () => ((await exists(path.join(indexDir, '.lock.owner'))) ? true : null));
    // What the holder sees when another host takes its lock over, or a user removes it.
    await fs.rm(path.join(indexDir, '.lock'), { recursive: true, force: true });

    const run = await finished;
    expect(run.code, run.stderr).toBe(3);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(new RegExp(`^error: this ingest lost its lock on ${indexDir} \\(.+\\): another ingest took it over or ${indexDir}/\\.lock was removed, so it stopped without switching the index; run \`npm run ingest\` again`, 'm'));
    expect(run.stderr).not.toContain('\n    at ');
    expect(run.stderr).not.toContain('ECOMPROMISED');
    expect(await currentName(indexDir)).toBe(previous);
    expect(await generations(indexDir)).toEqual([previous]);
    expect((await fs.readdir(indexDir)).filter((name) => name.endsWith('.tmp'))).toEqual([]);

    expect(reportOf(await runIngest(['--corpus', corpus, '--index', indexDir], env))).toMatchObject({ wrote: true, documents: bigDocuments });
  }, 60_000);
});

describe('reading while ingests switch generations', () => {
  it('never reports a generation deleted under the reader as a damaged index', async () => {
    const corpus = path.join(tmp, 'switching-corpus');
    await fs.cp(SEEDS, corpus, { recursive: true });
    for (let i = 0; i < 12; i++) await fs.writeFile(path.join(corpus, `f${i}.txt`), `File ${i} says something. `.repeat(1500));
    const config = loadConfig({ overrides: { corpusDir: corpus, indexDir: path.join(tmp, 'switching-index'), disableEmbeddings: true } });
    const lexical = async () => ({ embedder: null, lexicalReason: 'test' }) as const;
    await ingestCorpus({ config, openEmbedder: lexical });

    let stop = false;
    let loads = 0;
    const failures: string[] = [];
    const reader = (async () => {
      while (!stop) {
        try {
          await loadIndex(config.indexDir);
          loads++;
        } catch (error) {
          failures.push((error as Error).message);
        }
      }
    })();
    for (let i = 0; i < 15; i++) {
      await fs.appendFile(path.join(corpus, 'f0.txt'), ` Change ${i}.`);
      expect((await ingestCorpus({ config, openEmbedder: lexical })).wrote).toBe(true);
    }
    stop = true;
    await reader;
    expect(failures).toEqual([]);
    expect(loads).toBeGreaterThan(15);
  }, 30_000);
});

describe('a hostile corpus', () => {
  it('is ingested without crashing; every file passed over is reported on stderr with its reason', async () => {
    const corpus = path.join(tmp, 'hostile');
    const outside = path.join(tmp, 'outside');
    await fs.mkdir(corpus);
    await fs.mkdir(outside);
    await fs.writeFile(path.join(outside, 'secret.txt'), 'The launch code is 0000.\n');
    const file = (name: string, data: string | Uint8Array) => fs.writeFile(path.join(corpus, name), data);

    await file('good.txt', 'The harbour of Port Aldous opened in 1887 and closed in 1990.\n');
    await file(
      'page.html',
      '<html><head><title>Lighthouse</title><script>alert("head")</script><style>p{color:red}</style></head><body>' +
        '<h1>Lighthouse</h1><p>The lighthouse was built in 1902.<img src=x onerror="alert(1)"></p>' +
        '<script>document.write("injected")</script><noscript>enable scripts</noscript><div hidden>invisible</div></body></html>',
    );
    await file('markup.txt', 'Markup as plain text: <script>alert("text")</script> and <img src=x onerror=alert(2)>. The ferry runs at 9 am.\n');
    await file('huge.txt', Buffer.alloc(50 * 1024 * 1024, 'a'));
    await file('line-of-words.txt', 'word '.repeat(1024 * 1024).trim());
    // No separator at all (a base64 blob): split down to grapheme clusters, which used to take minutes on Node 20.
    await file('line-of-letters.txt', 'QUJD'.repeat(512 * 1024));
    await file('binary.txt', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52]));
    await file('latin1.txt', Buffer.from('caf\xe9 cr\xe8me br\xfbl\xe9e', 'latin1'));
    await file('empty.txt', '');
    await file('blank.md', ' \n\t\n');
    const deep = Array.from({ length: 60 }, (_, i) => `d${i}`);
    await fs.mkdir(path.join(corpus, ...deep), { recursive: true });
    await fs.writeFile(path.join(corpus, ...deep, 'deep.txt'), 'The deepest vault was sealed in 1871.\n');
    await fs.symlink(path.join(outside, 'secret.txt'), path.join(corpus, 'escape.txt'));
    await fs.symlink(outside, path.join(corpus, 'escape-folder'));

    const started = Date.now();
    const run = await runIngest(['--corpus', corpus, '--index', path.join(tmp, 'hostile-index')], { DISABLE_EMBEDDINGS: '1' });
    const report = reportOf(run);
    expect(Date.now() - started).toBeLessThan(30_000);

    const deepId = `${deep.join('/')}/deep.txt`;
    expect(report.documents).toBe(6);
    expect([...report.added].sort()).toEqual([deepId, 'good.txt', 'line-of-letters.txt', 'line-of-words.txt', 'markup.txt', 'page.html'].sort());
    const skippedLines = run.stderr.split('\n').filter((line) => line.startsWith('skipped '));
    expect(skippedLines.sort()).toEqual(
      [
        'skipped binary.txt: contains NUL bytes: a binary file, not text',
        'skipped blank.md: only whitespace',
        'skipped empty.txt: empty file',
        'skipped escape-folder: symlink points outside the corpus folder; not followed',
        'skipped escape.txt: symlink points outside the corpus folder; not followed',
        `skipped huge.txt: larger than the ${20 * 1024 * 1024}-byte limit (${50 * 1024 * 1024} bytes): split it or raise maxFileBytes`,
        'skipped latin1.txt: not valid UTF-8 text (save it as UTF-8)',
      ].sort(),
    );

    const config = loadConfig({ overrides: { corpusDir: corpus, indexDir: path.join(tmp, 'hostile-index'), disableEmbeddings: true } });
    const { pipeline } = await openPipeline({ config, answerer });
    try {
      const page = pipeline.getDocument('page.html')!.text;
      expect(page).toContain('The lighthouse was built in 1902.');
      for (const hidden of ['alert', 'document.write', 'injected', 'color:red', 'enable scripts', 'invisible', 'onerror']) expect(page).not.toContain(hidden);
      // Text files are documents as written: markup in them is text, for the page to escape.
      expect(pipeline.getDocument('markup.txt')!.text).toContain('<script>alert("text")</script>');
      expect(pipeline.listDocuments().find((d) => d.id === 'line-of-letters.txt')!.chunks).toBeGreaterThan(2000);
      for (const doc of pipeline.listDocuments()) expect(pipeline.getDocument(doc.id)!.text).not.toContain('launch code');
      expect((await pipeline.ask({ question: 'When was the lighthouse built?' })).answer).toContain('1902');
      expect((await pipeline.ask({ question: 'When was the deepest vault sealed?' })).answer).toContain('1871');
    } finally {
      await pipeline.close();
    }
  }, 60_000);
});

describe('a full disk', () => {
  /** A real small filesystem: a tmpfs mounted here; each test sets the space left on it with a filler file. */
  let disk: string;
  let mountRefused: string | null = null;
  const FILLER = 'filler.bin';

  beforeAll(async () => {
    disk = path.join(tmp, 'small-disk');
    await fs.mkdir(disk);
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=48m', 'tmpfs', disk], { stdio: 'pipe' });
    } catch (error) {
      mountRefused = `mount -t tmpfs is not permitted here (${String((error as { stderr?: Buffer }).stderr ?? error).trim()})`;
      process.stdout.write(`skipping the full-disk tests: ${mountRefused}\n`);
    }
  });

  afterAll(() => {
    if (mountRefused !== null) return;
    try {
      execFileSync('umount', [disk], { stdio: 'pipe' });
    } catch {
      // A process that still has a file open there (it should not): detach it now, it goes when they close.
      execFileSync('umount', ['-l', disk], { stdio: 'pipe' });
    }
  });

  const freeBytes = async (): Promise<number> => {
    const info = await fs.statfs(disk);
    return info.bavail * info.bsize;
  };
  /** Leaves about `bytes` free on the small disk (in whole pages, as tmpfs counts them). */
  async function leaveFree(bytes: number): Promise<void> {
    await fs.rm(path.join(disk, FILLER), { force: true });
    const fill = (await freeBytes()) - bytes;
    if (fill > 0) await fs.writeFile(path.join(disk, FILLER), Buffer.alloc(fill));
  }
  async function sizeOf(dir: string): Promise<number> {
    let total = 0;
    for (const entry of await fs.readdir(dir, { recursive: true, withFileTypes: true })) {
      if (entry.isFile()) total += (await fs.stat(path.join(entry.parentPath, entry.name))).size;
    }
    return total;
  }
  const indexLeftovers = async (indexDir: string) => (await fs.readdir(indexDir)).filter((name) => name.endsWith('.tmp') || name.startsWith('.lock'));

  it('fails an ingest cleanly, leaves nothing behind however often it is retried, and npm start serves the last good index', async ({ skip }) => {
    if (mountRefused !== null) return skip(mountRefused);
    const corpus = path.join(tmp, 'full-disk-corpus');
    await fs.cp(SEEDS, corpus, { recursive: true });
    await fs.writeFile(path.join(corpus, 'harbour.md'), '# Harbour\n\nThe harbour of Port Aldous opened in 1887 and closed in 1990.\n');
    const indexDir = path.join(disk, 'lexical-index');
    const env = { DISABLE_EMBEDDINGS: '1' };
    await fs.rm(path.join(disk, FILLER), { force: true });
    reportOf(await runIngest(['--corpus', corpus, '--index', indexDir], env));
    const good = await currentName(indexDir);
    const generationBytes = await sizeOf(path.join(indexDir, good));

    // Ten times more text than the index holds now: the new generation cannot fit in what is left.
    await writeProseCorpus(corpus, { from: 0, count: 40, paragraphs: 10 });
    await leaveFree(generationBytes * 3);
    for (let attempt = 1; attempt <= 3; attempt++) {
      const run = await runIngest(['--corpus', corpus, '--index', indexDir], env);
      expect(run.code, run.stderr).toBe(4);
      expect(run.stdout).toBe('');
      expect(run.stderr).toMatch(new RegExp(`^error: could not write a new index generation in ${indexDir}: the disk is full \\((?:ENOSPC|SQLITE_FULL); it needs at least [\\d.]+ [kMG]?B, [\\d.]+ [kMG]?B free there\\)`, 'm'));
      expect(run.stderr).toContain('the previous index is unchanged and still serves; free disk space there (or point --index / INDEX_DIR at a larger disk) and run `npm run ingest` again');
      expect(run.stderr).not.toContain('unexpected');
      expect(run.stderr).not.toContain('\n    at ');
      // Nothing of the failed save is left to fill the disk further.
      expect(await generations(indexDir)).toEqual([good]);
      expect(await indexLeftovers(indexDir)).toEqual([]);
    }

    // npm start cannot bring the index up to date either: it says so, and serves the last good generation.
    const server = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts', '--port', '0', '--corpus', corpus, '--index', indexDir, '--no-embeddings'], {
      cwd: ROOT,
      env: { ...process.env, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    server.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    server.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => server.on('exit', (code) => resolve(code)));
    try {
      const url = await waitFor('the server to listen', 60_000, async () => {
        if (server.exitCode !== null) throw new Error(`npm start exited ${server.exitCode}:\n${stdout}\n${stderr}`);
        return /serving the chat page at (http:\/\/127\.0\.0\.1:\d+)\//.exec(stdout)?.[1] ?? null;
      }, 50);
      expect(stderr).toMatch(new RegExp(`^warning: could not write a new index generation in ${indexDir}: the disk is full`, 'm'));
      expect(stdout).toContain(`index: not updated (DISK_FULL); serving the previous one: 2 documents`);
      const response = await fetch(`${url}/api/ask`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ question: 'When did the harbour of Port Aldous open?' }) });
      expect(response.status).toBe(200);
      expect(((await response.json()) as { answer: string }).answer).toContain('1887');
    } finally {
      server.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(await generations(indexDir)).toEqual([good]);

    // A save killed mid-write left a partial generation that fills the disk to the last byte: the next ingest
    // removes it first and so has the room it needs.
    for (const name of await fs.readdir(corpus)) if (name.startsWith('doc-')) await fs.rm(path.join(corpus, name));
    await fs.writeFile(path.join(corpus, 'lighthouse.txt'), 'The lighthouse of Port Aldous was built in 1902.\n');
    await fs.rm(path.join(disk, FILLER), { force: true });
    const partial = path.join(indexDir, 'gen-0-1-killed');
    await fs.mkdir(partial);
    await fs.writeFile(path.join(partial, 'documents.json'), Buffer.alloc((await freeBytes()) - 64 * 1024));
    await leaveFree(0);
    expect(await freeBytes()).toBe(0);
    const report = reportOf(await runIngest(['--corpus', corpus, '--index', indexDir], env));
    expect(report).toMatchObject({ wrote: true, documents: 3, added: ['lighthouse.txt'] });
    expect(await generations(indexDir)).toEqual([good, await currentName(indexDir)].sort());
    expect(await indexLeftovers(indexDir)).toEqual([]);
  }, 120_000);

  it('fails a one-file ingest whose copy of the previous databases does not fit, and one whose patch of that copy does not, removing what each wrote', async ({ skip }) => {
    if (mountRefused !== null) return skip(mountRefused);
    const corpus = path.join(tmp, 'full-disk-patch-corpus');
    const indexDir = path.join(disk, 'patch-index');
    const env = { DISABLE_EMBEDDINGS: '1' };
    await fs.rm(path.join(disk, FILLER), { force: true });
    await fs.cp(bigCorpus, corpus, { recursive: true });
    reportOf(await runIngest(['--corpus', corpus, '--index', indexDir], env));
    const good = await currentName(indexDir);
    const databaseBytes = (await fs.stat(path.join(indexDir, good, 'documents.sqlite'))).size + (await fs.stat(path.join(indexDir, good, 'lexical.sqlite'))).size;
    const failsCleanly = async (reason: string) => {
      const run = await runIngest(['--corpus', corpus, '--index', indexDir], env);
      expect(run.code, run.stderr).toBe(4);
      expect(run.stderr).toMatch(new RegExp(`^error: could not write a new index generation in ${indexDir}: the disk is full \\(${reason}; it needs at least`, 'm'));
      expect(run.stderr).toContain('the previous index is unchanged and still serves');
      expect(await generations(indexDir)).toEqual([good]);
      expect(await indexLeftovers(indexDir)).toEqual([]);
    };

    // One sentence more in one file, and room for half the copy: the copy fails (the file system's ENOSPC).
    await fs.appendFile(path.join(corpus, 'doc-0007.txt'), 'The pier was rebuilt.\n');
    await leaveFree(Math.floor(databaseBytes / 2));
    await failsCleanly('ENOSPC');
    // 400 documents more, and room for the copy and little else: the patch fails (SQLite's SQLITE_FULL).
    await writeProseCorpus(corpus, { from: bigDocuments, count: 400, paragraphs: 10 });
    await leaveFree(databaseBytes + 256 * 1024);
    await failsCleanly('SQLITE_FULL');

    await fs.rm(path.join(disk, FILLER), { force: true });
    const config = loadConfig({ overrides: { corpusDir: corpus, indexDir, disableEmbeddings: true } });
    expect(await ask(config, 83)).toMatchObject({ mode: 'lexical', documents: bigDocuments });
    expect(reportOf(await runIngest(['--corpus', corpus, '--index', indexDir], env))).toMatchObject({ wrote: true, incremental: true, documents: bigDocuments + 400, changed: ['doc-0007.txt'] });
    expect(await ask(config, bigDocuments + 7)).toMatchObject({ mode: 'lexical', documents: bigDocuments + 400 });
  }, 90_000);

  it('fails a hybrid ingest whose vector index does not fit, removing what it wrote; the previous index still serves', async ({ skip }) => {
    if (mountRefused !== null) return skip(mountRefused);
    const corpus = path.join(tmp, 'full-disk-hybrid-corpus');
    const indexDir = path.join(disk, 'hybrid-index');
    await fs.rm(path.join(disk, FILLER), { force: true });
    await copyBigCorpusAndIndex(corpus, indexDir);
    const good = await currentName(indexDir);
    const generation = path.join(indexDir, good);
    const vectorBytes = await sizeOf(path.join(generation, 'hnsw'));
    // One changed document: the new generation is about as large as the old one. Room for all of it but half the
    // vector index: the files before it are written, then the disk fills up inside hnswlib's write.
    await fs.appendFile(path.join(corpus, 'doc-0007.txt'), 'The pier was rebuilt.\n');
    await leaveFree((await sizeOf(generation)) - Math.floor(vectorBytes / 2));
    const config = configFor(corpus, indexDir);
    const choice = await openEmbedder(config);
    let error: unknown;
    try {
      error = await ingestCorpus({ config, openEmbedder: async () => choice }).catch((e: unknown) => e);
    } finally {
      await choice.embedder?.dispose();
    }
    expect(error).toBeInstanceOf(IndexWriteError);
    expect((error as IndexWriteError).code).toBe('DISK_FULL');
    expect((error as Error).message).toContain(`could not write a new index generation in ${indexDir}: the disk is full`);
    expect((error as IndexWriteError).neededBytes).toBeGreaterThan((error as IndexWriteError).freeBytes!);
    expect(await generations(indexDir)).toEqual([good]);
    expect(await indexLeftovers(indexDir)).toEqual([]);
    await fs.rm(path.join(disk, FILLER), { force: true });
    expect(await ask(config, 83)).toMatchObject({ mode: 'hybrid', documents: bigDocuments });
  }, 60_000);

  it('notices that hnswlib wrote a short vector index file, which hnswlib itself does not report', async ({ skip }) => {
    if (mountRefused !== null) return skip(mountRefused);
    const dimension = 32;
    const count = 3000;
    const vectors = new Float32Array(count * dimension).map((_, i) => Math.sin(i));
    const index = await VectorIndex.build({ vectors, ids: Array.from({ length: count }, (_, i) => `c${i}`), dimension, M: 16, efConstruction: 50, ef: 50 });
    await fs.rm(path.join(disk, FILLER), { force: true });
    // The two JSON files are written through symlinks to the big disk, so that only hnswlib's own write runs out of
    // space: room for about half of its ~0.8 MB file.
    const dir = path.join(disk, 'short-hnsw');
    await fs.mkdir(dir);
    for (const name of ['args.json', 'docstore.json']) await fs.symlink(path.join(tmp, `short-hnsw-${name}`), path.join(dir, name));
    await leaveFree(400 * 1024);
    await expect(index.save(dir)).rejects.toThrow(`hnswlib wrote an incomplete ${path.join(dir, 'hnswlib.index')}`);
    await fs.rm(dir, { recursive: true, force: true });
    await fs.rm(path.join(disk, FILLER), { force: true });
  }, 30_000);
});
