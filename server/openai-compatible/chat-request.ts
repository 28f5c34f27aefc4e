/**
 * What an OpenAI chat-completions request means to Verbatim: the last user message is the question, the user and
 * assistant messages before it are the history, `model` names the answerer. Fields Verbatim has no use for
 * (temperature, max_tokens, tools, …) are accepted and ignored, so clients that always send them work unchanged.
 */
import { z } from 'zod';
import { MAX_HISTORY_TURNS, historySchema, questionSchema } from '../../retrieval/ask-input.js';
import type { ChatTurn } from '../../retrieval/types.js';

/**
 * A message's content: a string, or parts of which only text is understood. The part's rule is its shape (`type` is
 * `"text"`, `text` a string), not a refinement, so the OpenAPI description states it and generated requests obey it.
 */
const contentSchema = z.union([z.string(), z.array(z.looseObject({ type: z.literal('text'), text: z.string() })), z.null()], {
  error: 'only text content is supported (a string, or parts of type "text" with their text): Verbatim answers from its documents, not from images, audio or files',
});

const messageSchema = z.looseObject({
  role: z.enum(['system', 'developer', 'user', 'assistant', 'tool', 'function']),
  content: contentSchema.optional(),
});

/** Verbatim's own request options, in a documented extension object. */
const verbatimOptionsSchema = z
  .object({
    /** Append a plain "Sources" list to the content. @default the server's OPENAI_APPEND_SOURCES */
    append_sources: z.boolean().optional(),
    /** Attach the answer's trace (features, weights and scores) to the `verbatim` field of the result. */
    explain: z.boolean().optional(),
  })
  .strict();

/** Body of `POST /v1/chat/completions`; unknown fields are ignored. */
export const chatCompletionRequestSchema = z.looseObject({
  model: z.string().min(1, 'model is empty: list the models with GET /v1/models'),
  messages: z.array(messageSchema).min(1, 'messages is empty: send at least one user message'),
  stream: z.boolean().nullish(),
  stream_options: z.looseObject({ include_usage: z.boolean().optional() }).nullish(),
  n: z.literal(1, { message: 'n must be 1: Verbatim gives one answer per question' }).nullish(),
  verbatim: verbatimOptionsSchema.optional(),
});

/** A parsed chat-completions request. */
export type ChatCompletionRequest = z.infer<typeof chatCompletionRequestSchema>;

/** The question and history a chat-completions request asks, with the options that shape the reply. */
export interface ChatAsk {
  readonly question: string;
  readonly history: readonly ChatTurn[];
  /** Earlier user and assistant turns left out because the history is longer than the answerer takes. */
  readonly droppedTurns: number;
}

/** Thrown for a request whose messages cannot be read as a question; the router reports it as a 400. */
export class ChatRequestError extends Error {
  constructor(
    message: string,
    /** The request field at fault, as OpenAI's `param`. */
    readonly param: string,
  ) {
    super(message);
  }
}

function textOf(content: z.infer<typeof contentSchema> | undefined): string {
  if (content === undefined || content === null) return '';
  if (typeof content === 'string') return content;
  return content.map((part) => part.text).join('\n');
}

/**
 * Reads the question (the last message, which must be the user's) and the history (earlier user and assistant
 * messages; system, developer and tool messages are not part of the conversation the answerer follows). A history
 * longer than the answerer takes keeps its latest turns, as chat clients resend the whole conversation each time.
 * @throws ChatRequestError naming the message at fault.
 */
export function chatAskOf(request: ChatCompletionRequest): ChatAsk {
  const { messages } = request;
  const lastIndex = messages.length - 1;
  const last = messages[lastIndex]!;
  if (last.role !== 'user') throw new ChatRequestError(`the last message is the ${last.role}'s: end the messages with the user's question`, `messages[${lastIndex}].role`);
  const question = questionSchema.safeParse(textOf(last.content));
  if (!question.success) throw new ChatRequestError(question.error.issues[0]!.message, `messages[${lastIndex}].content`);

  const turns: { turn: ChatTurn; index: number }[] = [];
  messages.slice(0, lastIndex).forEach((m, index) => {
    if (m.role === 'user' || m.role === 'assistant') turns.push({ turn: { role: m.role, content: textOf(m.content) }, index });
  });
  const kept = turns.slice(-MAX_HISTORY_TURNS);
  const history = historySchema.safeParse(kept.map((t) => t.turn));
  if (!history.success) {
    const issue = history.error.issues[0]!;
    const at = typeof issue.path[0] === 'number' ? kept[issue.path[0]]!.index : 0;
    throw new ChatRequestError(`${issue.message}: shorten that message or start a new conversation`, `messages[${at}].content`);
  }
  return { question: question.data, history: history.data, droppedTurns: turns.length - kept.length };
}
