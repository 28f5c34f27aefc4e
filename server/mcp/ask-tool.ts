/** The `ask` tool: an answer quoted from the documents, every claim with an exact citation. */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { historySchema, MAX_HISTORY_TURNS, MAX_QUESTION_CHARS, questionSchema } from '../../retrieval/ask-input.js';
import { ABSTENTION_REASONS, type AskResult } from '../../retrieval/types.js';
import { abstentionSentence } from '../../web/src/abstention-reasons.js';
import { answerSummaryLines } from '../../web/src/answer-summary.js';
import { sourcesText } from '../openai-compatible/chat-completion.js';
import type { CreateMcpServerOptions } from './create-mcp-server.js';
import { spanFields } from './span-fields.js';
import { toolResultOf } from './tool-errors.js';

const inputShape = {
  question: questionSchema.meta({ description: `The question, in plain words, 1–${MAX_QUESTION_CHARS} characters`, minLength: 1, maxLength: MAX_QUESTION_CHARS }),
  history: historySchema
    .optional()
    .describe(`Earlier turns of this conversation, oldest first (at most ${MAX_HISTORY_TURNS}), so a follow-up such as "Where did she study?" or "And by 2025?" is read against them`),
};

const citationSchema = z.object({
  n: z.number().int().describe('The marker number: the answer cites this span as [n]'),
  ...spanFields,
  quote: z.string().describe('The cited text, exactly documentText.slice(start, end)'),
  page: z.number().int().min(1).optional().describe('PDFs only: the page (1-based) the quote starts on'),
  pages: z.array(z.number().int().min(1)).optional().describe('PDFs only: every page the quote touches, in order'),
});

/** One citation of the `ask` tool: the `{ n, docId, start, end, quote }` of `POST /api/ask`, plus the document title. */
export type AskCitation = z.infer<typeof citationSchema>;

const outputShape = {
  question: z.string(),
  retrievalQuery: z.string().describe('What retrieval searched with: the question, or a follow-up read against the history'),
  answer: z.string().describe('Sentences quoted from the documents, each followed by its [n] marker; "The documents don\'t say." when abstained'),
  shortAnswer: z.string().nullable().describe('The phrase inside the quoted sentences that best answers, or null; present it as the answer only when shortAnswerConfident'),
  shortAnswerConfident: z.boolean(),
  confidence: z
    .object({
      answer: z.number().describe('That the quoted sentences hold the answer'),
      shortAnswer: z.number().describe('That shortAnswer is the answer (0 without one)'),
    })
    .describe('Calibrated probabilities, 0–1: of answers given with confidence c, about c are right'),
  abstained: z.boolean().describe('True when the documents do not answer the question: say so rather than answer from elsewhere'),
  abstentionReason: z.enum(ABSTENTION_REASONS).nullable().describe('Why it abstained, null when answered'),
  abstentionExplanation: z.string().nullable().describe('The reason in one sentence for people'),
  citations: z.array(citationSchema),
  mode: z.enum(['hybrid', 'lexical']).describe('How retrieval ran: BM25 and vectors, or BM25 alone'),
};

/** The structured content of an `ask` result; the citations are the pipeline's own, with titles added. */
function askContent(result: AskResult, titleOf: (docId: string) => string) {
  return {
    question: result.question,
    retrievalQuery: result.retrievalQuery,
    answer: result.answer,
    shortAnswer: result.shortAnswer,
    shortAnswerConfident: result.shortAnswerConfident,
    confidence: { answer: result.confidence.answer, shortAnswer: result.confidence.shortAnswer },
    abstained: result.abstained,
    abstentionReason: result.abstentionReason,
    abstentionExplanation: abstentionSentence(result.abstentionReason),
    citations: result.citations.map(
      (c): AskCitation => ({
        n: c.n,
        docId: c.docId,
        title: titleOf(c.docId),
        start: c.start,
        end: c.end,
        quote: c.quote,
        ...(c.page !== undefined ? { page: c.page } : {}),
        ...(c.pages !== undefined ? { pages: [...c.pages] } : {}),
      }),
    ),
    mode: result.mode,
  };
}

/** The answer as text: the summary people get from `npm run ask`, then a numbered Sources list with titles and quotes. */
function askText(result: AskResult, titleOf: (docId: string) => string): string {
  const lines = answerSummaryLines(result);
  if (result.abstained && result.passages.length > 0) lines.push('The search tool shows the closest passages.');
  return lines.join('\n') + sourcesText(result.citations, titleOf);
}

/** Registers `ask` on `server`. */
export function registerAskTool(server: McpServer, options: CreateMcpServerOptions): void {
  const { pipeline, logger } = options;
  server.registerTool(
    'ask',
    {
      title: 'Ask the documents',
      description:
        'Answer a question from the document corpus with exact citations. The answer is made only of sentences quoted from the documents, each followed by a marker [n]; ' +
        'citations[n] gives the document, the character offsets and the quote, and the quote is exactly the document text between them (get_document_span shows it in context). ' +
        'When the documents do not answer, abstained is true and abstentionReason says why: that is a normal result, so tell the user the documents do not say rather than answer from elsewhere. ' +
        'Show shortAnswer as the answer only when shortAnswerConfident is true. Pass the earlier turns as history for follow-up questions.',
      inputSchema: inputShape,
      outputSchema: outputShape,
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    ({ question, history }, extra) =>
      toolResultOf('ask', logger, async () => {
        const result = await pipeline.ask({ question, history, signal: extra.signal });
        const titleOf = (docId: string) => pipeline.getDocument(docId)?.title ?? docId;
        return { content: [{ type: 'text', text: askText(result, titleOf) }], structuredContent: askContent(result, titleOf) };
      }),
  );
}
