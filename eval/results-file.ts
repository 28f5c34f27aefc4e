import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { parseJsonLines } from '../retrieval/parse-jsonl.js';
import { readInputFile } from '../retrieval/read-input-file.js';
import { InputError } from '../retrieval/errors.js';
import { ABSTENTION_REASONS } from '../retrieval/types.js';
import type { TargetCheck } from './eval-config.js';
import { FAILURE_KINDS } from './metrics/score-question.js';
import type { EvalSummary } from './metrics/summarize.js';
import type { EvalResultLine, EvalRunMeta } from './run-eval.js';

/** The small JSON written by `--json` and `--summary-out`: no per-question data, so it can be committed. */
export interface SummaryDocument {
  readonly meta: EvalRunMeta;
  readonly summary: EvalSummary;
  /** Present when the run was checked against a target set (`--check`). */
  readonly targets?: { readonly set: string; readonly pass: boolean; readonly checks: readonly TargetCheck[] };
}

const scoresSchema = z.object({
  answerable: z.boolean(),
  type: z.string(),
  retrievalRank: z.number().int().min(1).nullable(),
  exactMatch: z.number().nullable(),
  f1: z.number().nullable(),
  answerContained: z.boolean().nullable(),
  supported: z.boolean().nullable(),
  citations: z.number().int().min(0),
  validCitations: z.number().int().min(0),
  invalidCitations: z.array(z.number()),
  preciseCitations: z.number().int().min(0).nullable(),
  danglingMarkers: z.number().int().min(0),
  abstained: z.boolean(),
  latencyMs: z.number().min(0),
  correct: z.boolean(),
  // Optional: files written before failure causes were recorded still compare.
  failure: z.enum(FAILURE_KINDS).nullable().optional(),
  // Optional: files written before answers carried confidence and the shown short answer still load and compare;
  // their summaries have no headline, short-answer, calibration or gate-curve figures (n/a).
  shortAnswerShown: z.boolean().optional(),
  hasShortAnswer: z.boolean().optional(),
  shortAnswerRight: z.boolean().nullable().optional(),
  shownAnswerRight: z.boolean().optional(),
  confidence: z.object({ answer: z.number().min(0).max(1), shortAnswer: z.number().min(0).max(1) }).optional(),
  abstentionReason: z.enum(ABSTENTION_REASONS).nullable().optional(),
});

const resultLineSchema = z.looseObject({
  id: z.string(),
  question: z.string(),
  answer: z.string(),
  shortAnswer: z.string().nullable(),
  abstained: z.boolean(),
  citations: z.array(z.looseObject({ n: z.number(), docId: z.string(), start: z.number(), end: z.number(), quote: z.string() })),
  gold: z.looseObject({ answers: z.array(z.string()), evidence: z.array(z.string()), type: z.string(), answerable: z.boolean() }),
  scores: scoresSchema,
});

/**
 * Reads a results file written by `npm run eval -- --out FILE`, validating every line.
 * @throws InputError naming the file, line and problem.
 */
export async function readResults(file: string): Promise<EvalResultLine[]> {
  const lines = parseJsonLines(
    await readInputFile(file, 'results file'),
    file,
    resultLineSchema,
    (issues) => `not an eval result line (${issues}): pass files written by \`npm run eval -- --out FILE\``,
  ).map((record) => record.value as unknown as EvalResultLine);
  if (lines.length === 0) throw new InputError(`${file} has no result lines`);
  return lines;
}

/** Writes result lines as JSONL, creating the folder. */
export async function writeResults(file: string, results: readonly EvalResultLine[]): Promise<void> {
  await fs.mkdir(path.dirname(path.resolve(file)), { recursive: true });
  await fs.writeFile(file, results.map((r) => JSON.stringify(r)).join('\n') + '\n', 'utf8');
}

/** Writes a summary document as indented JSON (stable key order, readable diffs in review). */
export async function writeSummary(file: string, document: SummaryDocument): Promise<void> {
  await fs.mkdir(path.dirname(path.resolve(file)), { recursive: true });
  await fs.writeFile(file, `${JSON.stringify(roundNumbers(document), null, 2)}\n`, 'utf8');
}

/** Rounds every number to 4 decimals, so committed summaries do not churn in the 15th digit. */
export function roundNumbers<T>(value: T): T {
  return JSON.parse(JSON.stringify(value, (_key, v: unknown) => (typeof v === 'number' && !Number.isInteger(v) ? Math.round(v * 10_000) / 10_000 : v))) as T;
}
