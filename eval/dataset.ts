import { z } from 'zod';
import { historySchema, questionSchema } from '../retrieval/ask-input.js';
import { parseJsonLines } from '../retrieval/parse-jsonl.js';
import { readInputFile } from '../retrieval/read-input-file.js';
import { InputError } from '../retrieval/errors.js';
import type { ChatTurn } from '../retrieval/types.js';
import type { DocSpan } from './metrics/spans.js';

const spanSchema = z.object({ docId: z.string().min(1), start: z.number().int().min(0), end: z.number().int().min(1) }).refine((s) => s.end > s.start, 'end must be greater than start');

/** One line of an evaluation question file (`--questions FILE.jsonl`). */
export const evalItemSchema = z
  .object({
    id: z.union([z.string().min(1), z.number()]).transform(String),
    question: questionSchema,
    /** Accepted answer strings; empty only for unanswerable questions. */
    answers: z.array(z.string().min(1)).default([]),
    /** Verbatim source sentence(s) that support the answer. */
    evidence: z.array(z.string().min(1)).default([]),
    /** who | when | how-many | ...; reports group by it. */
    type: z.string().min(1).optional(),
    history: historySchema.optional(),
    /** `false` for questions the corpus cannot answer; the system should abstain. @default true */
    answerable: z.boolean().default(true),
    /** Document spans of the gold answers (SQuAD); retrieval hits are decided by them when present. */
    goldSpans: z.array(spanSchema).optional(),
    /** Document spans of the evidence (SQuAD); otherwise found by searching the corpus for `evidence`. */
    evidenceSpans: z.array(spanSchema).optional(),
  })
  .refine((item) => !item.answerable || item.answers.length > 0, { message: 'an answerable question needs at least one accepted answer', path: ['answers'] })
  .refine((item) => !item.answerable || item.evidence.length > 0 || (item.goldSpans?.length ?? 0) > 0, {
    message: 'an answerable question needs evidence (or goldSpans)',
    path: ['evidence'],
  });

/** A reference question with its gold data, validated. */
export interface EvalItem {
  readonly id: string;
  readonly question: string;
  readonly answers: readonly string[];
  readonly evidence: readonly string[];
  readonly type?: string;
  readonly history?: readonly ChatTurn[];
  readonly answerable: boolean;
  readonly goldSpans?: readonly DocSpan[];
  readonly evidenceSpans?: readonly DocSpan[];
}

/**
 * Parses an evaluation JSONL text: one object per non-empty line, all validated before anything runs.
 * @throws InputError naming the file, the line and the problem; also for duplicate ids.
 */
export function parseEvalItems(text: string, source: string): EvalItem[] {
  const items: EvalItem[] = [];
  const seen = new Map<string, number>();
  for (const { line, value } of parseJsonLines(text, source, evalItemSchema)) {
    const first = seen.get(value.id);
    if (first !== undefined) throw new InputError(`${source}:${line}: duplicate id ${JSON.stringify(value.id)} (first on line ${first})`);
    seen.set(value.id, line);
    items.push(value);
  }
  if (items.length === 0) throw new InputError(`${source} has no questions`);
  return items;
}

/** Reads and validates an evaluation JSONL file. @throws InputError when it is unreadable or invalid. */
export async function readEvalItems(file: string): Promise<EvalItem[]> {
  return parseEvalItems(await readInputFile(file, 'questions file'), file);
}
