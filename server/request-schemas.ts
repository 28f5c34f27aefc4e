import { z } from 'zod';
import { historySchema, questionSchema } from '../retrieval/ask-input.js';

/** Longest ask id accepted on the WebSocket; ids are only echoed, never interpreted. */
export const MAX_ASK_ID_CHARS = 128;

/** Body of `POST /api/ask`; unknown fields are ignored. */
export const askBodySchema = z.object({
  question: questionSchema,
  history: historySchema.optional(),
  /** Attach the answer's trace (features, weights, scores). */
  explain: z.boolean().optional(),
});

/** Query of `GET /api/search`: `q` is required, `k` defaults to the configured top-k. */
export function searchQuerySchema(defaultK: number) {
  return z.object({
    q: questionSchema,
    k: z
      .string()
      .regex(/^\d+$/, 'k must be a whole number')
      .transform(Number)
      .pipe(z.number().int().min(1, 'k must be at least 1').max(100, 'k must be at most 100'))
      .optional()
      .transform((k) => k ?? defaultK),
  });
}

const askIdSchema = z.string().min(1, 'id is empty').max(MAX_ASK_ID_CHARS, `id is longer than ${MAX_ASK_ID_CHARS} characters`);

/** Every frame a WebSocket client may send (see `ClientFrame` in protocol.ts). */
export const clientFrameSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ask'), id: askIdSchema, question: questionSchema, history: historySchema.optional(), explain: z.boolean().optional() }),
  z.object({ type: z.literal('cancel'), id: askIdSchema }),
]);
