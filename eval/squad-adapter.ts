import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { describeIssues } from '../retrieval/ask-input.js';
import { InputError } from '../retrieval/errors.js';
import { readInputFile } from '../retrieval/read-input-file.js';
import { runEndAfter, runStartBefore } from '../retrieval/text/scan-text.js';
import type { EvalItem } from './dataset.js';
import type { DocSpan } from './metrics/spans.js';
import { classifyQuestion } from './question-type.js';
import { sentenceSpanAt } from './sentence-span.js';

/** Blank line between paragraphs, so the chunker sees real paragraph breaks. */
export const PARAGRAPH_SEPARATOR = '\n\n';

const squadSchema = z.object({
  version: z.string().optional(),
  data: z
    .array(
      z.object({
        title: z.string(),
        paragraphs: z.array(
          z.object({
            context: z.string().min(1),
            qas: z.array(
              z.object({
                id: z.union([z.string(), z.number()]).transform(String),
                question: z.string().min(1),
                answers: z.array(z.object({ answer_start: z.number().int().min(0), text: z.string().min(1) })),
                /** SQuAD 2.0: questions the paragraph cannot answer. */
                is_impossible: z.boolean().optional(),
              }),
            ),
          }),
        ),
      }),
    )
    .min(1),
});

/** A SQuAD v1.1 (or v2.0) JSON file, validated. */
export type SquadDataset = z.infer<typeof squadSchema>;

/** A document of the generated corpus. */
export interface SquadDocument {
  /** File name, which is also the document id the index gives it. */
  readonly id: string;
  readonly title: string;
  readonly text: string;
}

/** What the adapter produces: the corpus documents and the questions over them. */
export interface SquadConversion {
  readonly documents: readonly SquadDocument[];
  readonly items: readonly EvalItem[];
  /** Answers whose `answer_start` did not point at their text and were moved to the nearest occurrence. */
  readonly realignedAnswers: number;
}

/**
 * Validates parsed SQuAD JSON.
 * @throws InputError naming the first problem.
 */
export function parseSquad(json: unknown, source = 'SQuAD file'): SquadDataset {
  const result = squadSchema.safeParse(json);
  if (!result.success) throw new InputError(`${source} is not SQuAD v1.1 JSON: ${describeIssues(result.error)}`);
  return result.data;
}

/** A file name for an article: its position (keeps titles unique and the order stable) plus a safe title. */
export function articleFileName(index: number, title: string): string {
  const underscored = title.normalize('NFKD').replace(/[^A-Z0-9.-]+/gi, '_');
  // Leading dots and underscores and trailing underscores go; trimmed by scanning (`_+$` retries a run of `_` from every start).
  const start = runEndAfter(underscored, 0, (c) => c === 0x2e || c === 0x5f);
  const safe = underscored.slice(start, Math.max(start, runStartBefore(underscored, underscored.length, (c) => c === 0x5f))).slice(0, 80);
  return `${String(index).padStart(3, '0')}_${safe || 'article'}.txt`;
}

/** The offset in `context` of the occurrence of `text` nearest to `hint`, or -1. */
function nearestOccurrence(context: string, text: string, hint: number): number {
  let best = -1;
  for (let at = context.indexOf(text); at !== -1; at = context.indexOf(text, at + 1)) {
    if (best === -1 || Math.abs(at - hint) < Math.abs(best - hint)) best = at;
  }
  return best;
}

/**
 * Turns a SQuAD dataset into a corpus (one document per article: its paragraphs joined by a blank line,
 * nothing added) and a question set. Every question keeps its accepted answers, the gold answer spans
 * as document offsets (`goldSpans`, used for retrieval hits), and as evidence the sentence that contains
 * each gold answer, located through `answer_start` (`evidence` + `evidenceSpans`).
 * @throws InputError when an answer text occurs nowhere in its paragraph.
 */
export function convertSquad(dataset: SquadDataset): SquadConversion {
  const documents: SquadDocument[] = [];
  const items: EvalItem[] = [];
  const seen = new Set<string>();
  let realignedAnswers = 0;
  dataset.data.forEach((article, articleIndex) => {
    const id = articleFileName(articleIndex, article.title);
    let text = '';
    for (const [paragraphIndex, paragraph] of article.paragraphs.entries()) {
      if (paragraphIndex > 0) text += PARAGRAPH_SEPARATOR;
      const base = text.length;
      const { context } = paragraph;
      text += context;
      for (const qa of paragraph.qas) {
        if (seen.has(qa.id)) throw new InputError(`SQuAD question id ${qa.id} occurs twice`);
        seen.add(qa.id);
        const type = classifyQuestion(qa.question);
        if (qa.is_impossible === true || qa.answers.length === 0) {
          items.push({ id: qa.id, question: qa.question, answers: [], evidence: [], type, answerable: false });
          continue;
        }
        const goldSpans: DocSpan[] = [];
        const evidenceSpans: DocSpan[] = [];
        for (const answer of qa.answers) {
          let start = answer.answer_start;
          if (context.slice(start, start + answer.text.length) !== answer.text) {
            start = nearestOccurrence(context, answer.text, answer.answer_start);
            if (start === -1) throw new InputError(`SQuAD question ${qa.id}: answer ${JSON.stringify(answer.text)} does not occur in its paragraph`);
            realignedAnswers++;
          }
          const end = start + answer.text.length;
          const sentence = sentenceSpanAt(context, start, end);
          goldSpans.push({ docId: id, start: base + start, end: base + end });
          evidenceSpans.push({ docId: id, start: base + sentence.start, end: base + sentence.end });
        }
        const unique = <T>(values: T[], key: (v: T) => string) => [...new Map(values.map((v) => [key(v), v])).values()];
        const spans = unique(evidenceSpans, (s) => `${s.start}-${s.end}`);
        items.push({
          id: qa.id,
          question: qa.question,
          answers: [...new Set(qa.answers.map((a) => a.text))],
          evidence: [...new Set(spans.map((s) => text.slice(s.start, s.end)))],
          type,
          answerable: true,
          goldSpans: unique(goldSpans, (s) => `${s.start}-${s.end}`),
          evidenceSpans: spans,
        });
      }
    }
    documents.push({ id, title: article.title, text });
  });
  return { documents, items, realignedAnswers };
}

/** Reads and validates a SQuAD JSON file. @throws InputError when unreadable or not SQuAD. */
export async function readSquadFile(file: string): Promise<SquadDataset> {
  const raw = await readInputFile(file, 'SQuAD file');
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (error) {
    throw new InputError(`SQuAD file ${file} is not JSON: ${(error as Error).message}`);
  }
  return parseSquad(json, file);
}

/**
 * Writes the converted corpus as one `.txt` per article into `dir` (created when missing). Existing
 * files with the same names are replaced only when their content differs, so an index built from the
 * folder stays valid across runs (incremental ingest sees no change).
 * @throws InputError when `dir` holds other corpus files, which would silently join the benchmark.
 */
export async function writeSquadCorpus(conversion: SquadConversion, dir: string): Promise<void> {
  await fs.mkdir(dir, { recursive: true });
  const expected = new Set(conversion.documents.map((d) => d.id));
  const strangers = (await fs.readdir(dir)).filter((name) => !name.startsWith('.') && !expected.has(name));
  if (strangers.length > 0) {
    throw new InputError(`${dir} already holds files that are not part of this SQuAD corpus (${strangers.slice(0, 3).join(', ')}${strangers.length > 3 ? ', …' : ''}): use an empty or dedicated folder`);
  }
  for (const doc of conversion.documents) {
    const file = path.join(dir, doc.id);
    const current = await fs.readFile(file, 'utf8').catch(() => null);
    if (current !== doc.text) await fs.writeFile(file, doc.text, 'utf8');
  }
}
