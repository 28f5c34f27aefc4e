import { z } from 'zod';

/** Longest question accepted, in characters; longer ones are a 400 / exit 2, not a slow answer. */
export const MAX_QUESTION_CHARS = 2000;
/** Most earlier turns kept from a history. */
export const MAX_HISTORY_TURNS = 50;
/** Longest turn accepted in a history, in characters. */
export const MAX_TURN_CHARS = 20_000;

/** One earlier conversation turn, as the CLI, HTTP API and WebSocket accept it. */
export const chatTurnSchema = z.object({
  role: z.enum(['user', 'assistant']),
  content: z.string().max(MAX_TURN_CHARS),
});

/** A conversation history, oldest turn first. */
export const historySchema = z.array(chatTurnSchema).max(MAX_HISTORY_TURNS);

/** A question: non-empty after trimming and bounded. */
export const questionSchema = z
  .string()
  .refine((q) => q.trim().length > 0, 'the question is empty')
  .refine((q) => q.length <= MAX_QUESTION_CHARS, `the question is longer than ${MAX_QUESTION_CHARS} characters`);

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
