/**
 * The corpora the benchmarks run on: the served seed corpus as it is, and XQuAD-en written out by the eval harness's
 * SQuAD adapter (one `.txt` per article, paragraphs joined by a blank line), each with its fixed question list.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { convertSquad, readSquadFile, writeSquadCorpus } from '../eval/squad-adapter.js';
import { SEED_BENCH_QUESTIONS, type BenchQuestion } from './seed-questions.js';

/** Repository root. */
export const ROOT = path.resolve(import.meta.dirname, '..');

/** Where the XQuAD-en file is looked for (the vendored copy), unless `--xquad FILE` is given. */
export const XQUAD_CANDIDATES: readonly string[] = [path.join(ROOT, 'eval/datasets/xquad-en/xquad.en.json')];

/** A corpus folder and the questions asked of it. */
export interface BenchCorpus {
  /** Short name used in tables: `seed`, `xquad`. */
  readonly name: string;
  readonly dir: string;
  readonly questions: readonly BenchQuestion[];
}

/** The seed corpus (`seeds/`, read in place) with its 30 benchmark questions. */
export function seedCorpus(): BenchCorpus {
  return { name: 'seed', dir: path.join(ROOT, 'seeds'), questions: SEED_BENCH_QUESTIONS };
}

/**
 * The XQuAD-en file: `file` when given, else the first of XQUAD_CANDIDATES that exists.
 * @throws Error when there is none.
 */
export function xquadFile(file?: string): string {
  const source = file ?? XQUAD_CANDIDATES.find((candidate) => existsSync(candidate));
  if (!source) throw new Error(`XQuAD-en not found at ${XQUAD_CANDIDATES.join(' or ')}: pass --xquad FILE`);
  return source;
}

/**
 * Writes XQuAD-en as a corpus under `workDir` and returns it with all its questions (1,190 for XQuAD-en).
 * @param file the SQuAD-format JSON; @default the first of XQUAD_CANDIDATES that exists
 */
export async function xquadCorpus(workDir: string, file?: string): Promise<BenchCorpus> {
  const conversion = convertSquad(await readSquadFile(xquadFile(file)));
  const dir = path.join(workDir, 'xquad-corpus');
  await writeSquadCorpus(conversion, dir);
  return { name: 'xquad', dir, questions: conversion.items.map((item) => ({ question: item.question })) };
}
