import { z } from 'zod';
import { MAX_HISTORY_TURNS, MAX_QUESTION_CHARS, MAX_TURN_CHARS } from './ask-limits.js';

export { MAX_HISTORY_TURNS, MAX_QUESTION_CHARS, MAX_TURN_CHARS };

/** One earlier conversation turn, as the CLI, HTTP API and WebSocket accept it. */
export const chatTurnSchema = z.object({
  role: z.enum(['user', 'assistant']),
  content: z.string().max(MAX_TURN_CHARS),
});

/** A conversation history, oldest turn first. */
export const historySchema = z.array(chatTurnSchema).max(MAX_HISTORY_TURNS);

/**
 * Some character that `String.prototype.trim` keeps: anything but JavaScript's white space and line terminators,
 * listed one by one rather than as `\S`, because the pattern is also published in the API's JSON Schema and other
 * languages' `\s` differ (Python's includes U+001C–U+001F and excludes U+FEFF), which would make clients generate
 * questions the server refuses.
 */
const NOT_BLANK = /[^\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]/;

/**
 * A question: non-empty after trimming and bounded. Both rules are JSON Schema keywords (`pattern`, `maxLength`), so
 * the OpenAPI description states exactly what is accepted; the length counts UTF-16 code units, as JavaScript does
 * (a character outside the Basic Multilingual Plane counts twice).
 */
export const questionSchema = z
  .string()
  .regex(NOT_BLANK, 'the question is empty')
  .max(MAX_QUESTION_CHARS, `the question is longer than ${MAX_QUESTION_CHARS} characters`);

/** One line of a `--questions` JSONL file; other fields are ignored. */
export const questionLineSchema = z.object({
  id: z.union([z.string(), z.number()]).transform(String).optional(),
  question: questionSchema,
  history: historySchema.optional(),
});

/** Turns zod issues into one readable phrase. */
export function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; ');
}
