/**
 * What a reader's verdict on one answer is, as the server stores it: one JSON object per line of the feedback log
 * (`feedback-log.ts`), read back by `npm run eval -- --from-feedback` to make candidate eval items. The request the
 * chat page sends (`server/request-schemas.ts`) is built from the same pieces, so what is accepted is what is kept.
 */
import { z } from 'zod';
import { historySchema, questionSchema } from '../ask-input.js';

/** Longest note accepted with a verdict, in UTF-16 code units. */
export const MAX_FEEDBACK_NOTE_CHARS = 2000;
/** Longest answer text accepted (a generated answer can be long; the extractive one quotes a few sentences). */
export const MAX_FEEDBACK_ANSWER_CHARS = 20_000;
/** Most citations accepted with one answer. */
export const MAX_FEEDBACK_CITATIONS = 50;
/** Longest cited quote accepted. */
export const MAX_FEEDBACK_QUOTE_CHARS = 5000;
/** Longest document id accepted. */
export const MAX_FEEDBACK_DOC_ID_CHARS = 1024;

/** The reader's judgement: the answer was right and useful (`up`), or wrong or unhelpful (`down`). */
export const feedbackVerdictSchema = z.enum(['up', 'down']).describe('up: the answer was right; down: it was wrong or did not help.');
/** A feedback verdict. */
export type FeedbackVerdict = z.infer<typeof feedbackVerdictSchema>;

/** A citation of the answer as the reader saw it: `quote === documentText.slice(start, end)` when it was given. */
export const feedbackCitationSchema = z.object({
  n: z.int().min(1).optional().describe('The marker number in the answer, [n].'),
  docId: z.string().min(1).max(MAX_FEEDBACK_DOC_ID_CHARS),
  start: z.int().min(0),
  end: z.int().min(0),
  quote: z.string().max(MAX_FEEDBACK_QUOTE_CHARS),
});

/** What the reader judged, as the page sends it: the verdict, an optional note, and the exchange it is about. */
export const feedbackReportSchema = z.object({
  verdict: feedbackVerdictSchema,
  note: z.string().max(MAX_FEEDBACK_NOTE_CHARS, `the note is longer than ${MAX_FEEDBACK_NOTE_CHARS} characters`).optional().describe(`What was wrong or right, in the reader's words; at most ${MAX_FEEDBACK_NOTE_CHARS} characters.`),
  question: questionSchema.describe('The question the answer is for: non-blank, at most 2000 characters.'),
  history: historySchema.optional().describe('The earlier turns the question was asked with, oldest first.'),
  answer: z.string().max(MAX_FEEDBACK_ANSWER_CHARS).describe(`The answer text with its [n] markers, at most ${MAX_FEEDBACK_ANSWER_CHARS} characters.`),
  shortAnswer: z.string().max(MAX_FEEDBACK_ANSWER_CHARS).nullable().optional().describe('The short answer shown with it, if any.'),
  abstained: z.boolean().optional().describe('The answer was "The documents don\'t say."'),
  citations: z.array(feedbackCitationSchema).max(MAX_FEEDBACK_CITATIONS).describe(`The answer's citations, at most ${MAX_FEEDBACK_CITATIONS}.`),
});
/** A verdict as the page sends it. */
export type FeedbackReport = z.infer<typeof feedbackReportSchema>;

/** What served the answer, stamped by the server when it stores a verdict, so a verdict can be tied to a build. */
export const feedbackServedBySchema = z.object({
  answerer: z.string(),
  mode: z.enum(['hybrid', 'lexical']),
  embedder: z.string().nullable(),
  /** The folder name of the index generation answering (`gen-…`). */
  indexGeneration: z.string(),
  indexBuiltAt: z.string(),
});

/** Version of the stored line; a reader refuses lines of another version instead of misreading them. */
export const FEEDBACK_ENTRY_VERSION = 1;

/** One line of the feedback log. */
export const feedbackEntrySchema = z.object({
  version: z.literal(FEEDBACK_ENTRY_VERSION),
  id: z.string().min(1),
  receivedAt: z.iso.datetime(),
  verdict: feedbackVerdictSchema,
  /** Trimmed; null when the reader wrote none. */
  note: z.string().nullable(),
  question: z.string(),
  history: historySchema,
  answer: z.string(),
  shortAnswer: z.string().nullable(),
  abstained: z.boolean(),
  citations: z.array(feedbackCitationSchema),
  servedBy: feedbackServedBySchema,
});
/** One stored verdict. */
export type FeedbackEntry = z.infer<typeof feedbackEntrySchema>;
/** What the server knows about itself when it stores a verdict. */
export type FeedbackServedBy = z.infer<typeof feedbackServedBySchema>;

/** The stored line for `report`, received at `receivedAt` from a server described by `servedBy`. */
export function feedbackEntry(report: FeedbackReport, context: { readonly id: string; readonly receivedAt: Date; readonly servedBy: FeedbackServedBy }): FeedbackEntry {
  const note = report.note?.trim() ?? '';
  return {
    version: FEEDBACK_ENTRY_VERSION,
    id: context.id,
    receivedAt: context.receivedAt.toISOString(),
    verdict: report.verdict,
    note: note === '' ? null : note,
    question: report.question.trim(),
    history: report.history ?? [],
    answer: report.answer,
    shortAnswer: report.shortAnswer ?? null,
    abstained: report.abstained ?? false,
    citations: report.citations,
    servedBy: context.servedBy,
  };
}
