/**
 * Verbatim's answers in the OpenAI chat-completions wire format. The content keeps its `[n]` markers; the exact
 * citations travel in the `citations` extension field (the same objects as `POST /api/ask` gives), and the rest of
 * what Verbatim knows about the answer in the `verbatim` extension field. Clients that know neither see an
 * ordinary assistant message.
 */
import type { AskResult, Citation } from '../../retrieval/types.js';
import type { WireType } from '../schema-types.js';
import type { chatCompletionChunkSchema, chatCompletionSchema, modelListSchema, usageSchema, verbatimExtensionSchema } from './openai-wire-schemas.js';

/** The answerers a client may name as `model`, each as `GET /v1/models` lists it. */
export const CHAT_MODELS = [
  { id: 'verbatim', description: "the server's configured answerer" },
  { id: 'verbatim-extractive', description: 'the extractive answerer: quotes the documents, needs no language model' },
] as const;

/** `GET /v1/models`. */
export type ModelList = WireType<typeof modelListSchema>;

/** What Verbatim adds to a completion beside the citations: the fields of `/api/ask` a chat client cannot carry. */
export type VerbatimExtension = WireType<typeof verbatimExtensionSchema>;

/** `POST /v1/chat/completions` without `stream`. */
export type ChatCompletion = WireType<typeof chatCompletionSchema>;

/** One server-sent event of a streamed completion. */
export type ChatCompletionChunk = WireType<typeof chatCompletionChunkSchema>;

/** Word counts standing in for token counts (the extractive answerer has no tokenizer): a rough size only. */
export type Usage = WireType<typeof usageSchema>;

/** Who a completion is for, and when it started: the fields every chunk of one completion shares. */
export interface CompletionHeader {
  readonly id: string;
  readonly created: number;
  readonly model: string;
}

/** The model list, with `created` the time the server started. */
export function modelList(created: number): ModelList {
  return { object: 'list', data: CHAT_MODELS.map((m) => ({ id: m.id, object: 'model', created, owned_by: 'verbatim' })) };
}

/** The extension field of a finished answer. */
export function verbatimExtension(result: AskResult, historyTurnsDropped: number): VerbatimExtension {
  return {
    short_answer: result.shortAnswer,
    short_answer_confident: result.shortAnswerConfident,
    abstained: result.abstained,
    abstention_reason: result.abstentionReason,
    confidence: result.confidence,
    mode: result.mode,
    retrieval_query: result.retrievalQuery,
    history_turns_dropped: historyTurnsDropped,
    ...(result.trace ? { trace: result.trace } : {}),
  };
}

/**
 * The plain "Sources" list appended to the content for clients that show nothing else: one line per citation,
 * its number, document title and exact quote. Empty when the answer cites nothing.
 */
export function sourcesText(citations: readonly Citation[], titleOf: (docId: string) => string): string {
  if (citations.length === 0) return '';
  const lines = citations.map((c) => `[${c.n}] ${titleOf(c.docId)} (${c.docId}, ${c.page !== undefined ? `p. ${c.page}, ` : ''}characters ${c.start}–${c.end}): “${c.quote.replace(/\s+/g, ' ').trim()}”`);
  return `\n\nSources:\n${lines.join('\n')}`;
}

const WORD = /[\p{L}\p{N}\p{M}]+/gu;

function wordCount(text: string): number {
  return text.match(WORD)?.length ?? 0;
}

/** Word counts standing in for token counts (see {@link Usage}). */
export function usageOf(promptTexts: readonly string[], completion: string): Usage {
  const prompt = promptTexts.reduce((sum, text) => sum + wordCount(text), 0);
  const completionTokens = wordCount(completion);
  return { prompt_tokens: prompt, completion_tokens: completionTokens, total_tokens: prompt + completionTokens };
}

/** The non-streamed completion of `content` (the answer, with its Sources list if asked for). */
export function chatCompletion(header: CompletionHeader, content: string, result: AskResult, extension: VerbatimExtension, usage: Usage): ChatCompletion {
  return {
    ...header,
    object: 'chat.completion',
    choices: [{ index: 0, message: { role: 'assistant', content, refusal: null }, finish_reason: 'stop', logprobs: null }],
    citations: result.citations,
    verbatim: extension,
    usage,
  };
}

/** A chunk carrying `delta`; the first of a completion carries the role. */
export function deltaChunk(header: CompletionHeader, delta: ChatCompletionChunk['choices'][number]['delta'], includeUsage: boolean): ChatCompletionChunk {
  return { ...header, object: 'chat.completion.chunk', choices: [{ index: 0, delta, finish_reason: null, logprobs: null }], ...(includeUsage ? { usage: null } : {}) };
}

/** The last chunk with a choice: `finish_reason`, the citations and the extension. */
export function finalChunk(header: CompletionHeader, result: AskResult, extension: VerbatimExtension, includeUsage: boolean): ChatCompletionChunk {
  return {
    ...header,
    object: 'chat.completion.chunk',
    choices: [{ index: 0, delta: {}, finish_reason: 'stop', logprobs: null }],
    citations: result.citations,
    verbatim: extension,
    ...(includeUsage ? { usage: null } : {}),
  };
}

/** With `stream_options.include_usage`, the chunk after the last choice: no choices, the usage. */
export function usageChunk(header: CompletionHeader, usage: Usage): ChatCompletionChunk {
  return { ...header, object: 'chat.completion.chunk', choices: [], usage };
}
