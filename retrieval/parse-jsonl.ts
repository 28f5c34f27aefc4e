import type { z } from 'zod';
import { describeIssues } from './ask-input.js';
import { InputError } from './errors.js';

/** One validated JSONL record and the 1-based line it came from. */
export interface JsonLine<T> {
  readonly line: number;
  readonly value: T;
}

/**
 * Parses JSON Lines text, validating every non-empty line with `schema` before the caller acts on any.
 * @param source the file name used in messages (`source:line: problem`).
 * @param hint appended to a schema failure, to say what kind of line was expected.
 * @throws InputError naming the file, the line and the problem.
 */
export function parseJsonLines<S extends z.ZodType>(text: string, source: string, schema: S, hint?: (issues: string) => string): JsonLine<z.output<S>>[] {
  const records: JsonLine<z.output<S>>[] = [];
  for (const [i, raw] of text.split(/\r?\n/).entries()) {
    if (raw.trim() === '') continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch (error) {
      throw new InputError(`${source}:${i + 1}: not a JSON object (${(error as Error).message})`);
    }
    const result = schema.safeParse(parsed);
    if (!result.success) {
      const issues = describeIssues(result.error);
      throw new InputError(`${source}:${i + 1}: ${hint ? hint(issues) : issues}`);
    }
    records.push({ line: i + 1, value: result.data });
  }
  return records;
}
