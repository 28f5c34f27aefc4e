/**
 * The bodies the OpenAI-compatible routes send, as zod schemas. The TypeScript types the router builds them with
 * are inferred from these (`chat-completion.ts`, `openai-error-bodies.ts`), and the OpenAPI description is generated
 * from them, so the three cannot drift apart.
 */
import { z } from 'zod';
import { abstentionReasonSchema, answerConfidenceSchema, answerTraceSchema, citationSchema, retrievalModeSchema } from '../response-schemas.js';

const timestamp = z.int().min(0).describe('Unix time, in seconds.');
const count = z.int().min(0);

/** One model of `GET /v1/models`: an answerer a client may name. */
export const modelSchema = z.object({ id: z.string(), object: z.literal('model'), created: timestamp, owned_by: z.string() }).meta({ id: 'Model' });

/** `GET /v1/models`. */
export const modelListSchema = z.object({ object: z.literal('list'), data: z.array(modelSchema) }).meta({ id: 'ModelList' });

/**
 * Token counts. The extractive answerer has no tokenizer: these count words (runs of letters, digits and marks)
 * and are only a rough size, documented as such.
 */
export const usageSchema = z
  .object({ prompt_tokens: count, completion_tokens: count, total_tokens: count })
  .meta({ id: 'Usage', description: 'Word counts standing in for token counts: the extractive answerer has no tokenizer.' });

/** What Verbatim adds to a completion beside the citations: the fields of `/api/ask` a chat client cannot carry. */
export const verbatimExtensionSchema = z
  .object({
    short_answer: z.string().nullable(),
    short_answer_confident: z.boolean(),
    abstained: z.boolean(),
    abstention_reason: abstentionReasonSchema.nullable(),
    confidence: answerConfidenceSchema,
    mode: retrievalModeSchema,
    retrieval_query: z.string(),
    history_turns_dropped: count.describe('Earlier turns of a long conversation left out of the history the answerer read.'),
    trace: answerTraceSchema.optional(),
  })
  .meta({ id: 'VerbatimExtension', description: 'The fields of POST /api/ask a chat client cannot carry.' });

const completionId = z.string().regex(/^chatcmpl-/);

/** `POST /v1/chat/completions` without `stream`. */
export const chatCompletionSchema = z
  .object({
    id: completionId,
    object: z.literal('chat.completion'),
    created: timestamp,
    model: z.string(),
    choices: z.tuple([
      z.object({
        index: z.literal(0),
        message: z.object({ role: z.literal('assistant'), content: z.string().describe('The answer with its [n] markers (and the Sources list, if asked for).'), refusal: z.null() }),
        finish_reason: z.literal('stop'),
        logprobs: z.null(),
      }),
    ]),
    citations: z.array(citationSchema).describe('The same objects as POST /api/ask: exact offsets into GET /api/documents/{docId}.'),
    verbatim: verbatimExtensionSchema,
    usage: usageSchema,
  })
  .meta({ id: 'ChatCompletion' });

/** One server-sent event of a streamed completion. */
export const chatCompletionChunkSchema = z
  .object({
    id: completionId,
    object: z.literal('chat.completion.chunk'),
    created: timestamp,
    model: z.string(),
    choices: z.array(
      z.object({
        index: z.literal(0),
        delta: z.object({ role: z.literal('assistant').optional(), content: z.string().optional() }),
        finish_reason: z.literal('stop').nullable(),
        logprobs: z.null(),
      }),
    ),
    citations: z.array(citationSchema).optional().describe('On the last chunk with a choice: every citation of the answer.'),
    verbatim: verbatimExtensionSchema.optional(),
    usage: usageSchema.nullable().optional().describe('With stream_options.include_usage: null on every chunk but the last.'),
  })
  .meta({ id: 'ChatCompletionChunk' });

const openAiErrorType = z.enum(['invalid_request_error', 'authentication_error', 'permission_error', 'not_found_error', 'rate_limit_error', 'server_error']);

/** An error body as OpenAI's API sends it, `{ error: { message, type, param, code } }`. */
export const openAiErrorBodySchema = z
  .object({
    error: z.object({
      message: z.string().min(1),
      type: openAiErrorType.describe("OpenAI's category for the status."),
      param: z.string().nullable().describe('The request field at fault, when one is.'),
      code: z.string().describe("Verbatim's stable error code, as on /api."),
    }),
  })
  .meta({ id: 'OpenAiError', description: "Every error of /v1, in OpenAI's shape, so its clients raise their typed errors." });

/** The OpenAI-style error body of one response: its `type` fixed by the status, its `code` one of `codes`. */
export function openAiErrorBodyWithCodes(type: z.infer<typeof openAiErrorType>, codes: readonly [string, ...string[]]) {
  return z.object({ error: z.object({ message: z.string().min(1), type: z.literal(type), param: z.string().nullable(), code: z.enum(codes) }) });
}
