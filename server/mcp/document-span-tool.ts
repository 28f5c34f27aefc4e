/** The `get_document_span` tool: the exact text between two offsets of a document, with context, to check a citation. */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import type { CreateMcpServerOptions } from './create-mcp-server.js';
import { documentUri } from './document-resources.js';
import { spanFields } from './span-fields.js';
import { toolError, toolResultOf } from './tool-errors.js';

/** Context on each side when none is asked for. */
export const DEFAULT_CONTEXT_CHARS = 200;
/** Most context on each side one call returns. */
export const MAX_CONTEXT_CHARS = 2000;
/** Longest span one call returns; a whole document is a resource read. */
export const MAX_SPAN_CHARS = 20_000;

const inputShape = {
  docId: z.string().min(1, 'docId is empty').describe('The document id, as in a citation or a search hit'),
  start: z.number().int().min(0, 'start must be 0 or more').describe('Offset of the first character, as in a citation'),
  end: z.number().int().min(0, 'end must be 0 or more').describe('Offset just past the last character, as in a citation'),
  context: z
    .number()
    .int()
    .min(0, 'context must be 0 or more')
    .max(MAX_CONTEXT_CHARS, `context must be at most ${MAX_CONTEXT_CHARS}`)
    .default(DEFAULT_CONTEXT_CHARS)
    .describe(`Characters of surrounding text to return on each side, 0–${MAX_CONTEXT_CHARS}`),
};

const outputShape = {
  ...spanFields,
  text: z.string().describe('Exactly documentText.slice(start, end): equal to the quote of a valid citation'),
  before: z.string().describe('The text just before start (up to context characters)'),
  after: z.string().describe('The text just after end (up to context characters)'),
  documentLength: z.number().int().describe('The length of the whole document text'),
};

/** True between the two halves of a surrogate pair, where a cut would leave half a character. */
function splitsPair(text: string, offset: number): boolean {
  const code = text.charCodeAt(offset);
  return offset > 0 && offset < text.length && code >= 0xdc00 && code <= 0xdfff;
}

/** Registers `get_document_span` on `server`. */
export function registerDocumentSpanTool(server: McpServer, options: CreateMcpServerOptions): void {
  const { pipeline, logger } = options;
  server.registerTool(
    'get_document_span',
    {
      title: 'Read a span of a document',
      description:
        'Return the exact text of one document between two character offsets, with the text around it, to verify a citation from ask (its text must equal the quote) or a search hit, or to read around it. ' +
        'Offsets are JavaScript string (UTF-16) indexes into the document text, the same as in citations and search hits; 0 ≤ start ≤ end ≤ documentLength.',
      inputSchema: inputShape,
      outputSchema: outputShape,
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    ({ docId, start, end, context }) =>
      toolResultOf('get_document_span', logger, async () => {
        const document = pipeline.getDocument(docId);
        if (!document) {
          return toolError('DOCUMENT_NOT_FOUND', `no document with id ${JSON.stringify(docId)} in the index: take docId from a citation or a search hit, or list the documents (resources/list)`);
        }
        const length = document.text.length;
        if (start > end || end > length) {
          return toolError('BAD_INPUT', `characters ${start}–${end} are not a span of ${docId}, which has ${length} characters: give 0 ≤ start ≤ end ≤ ${length}`);
        }
        if (end - start > MAX_SPAN_CHARS) {
          return toolError('BAD_INPUT', `characters ${start}–${end} are ${end - start} characters; ask for at most ${MAX_SPAN_CHARS} at a time, or read the whole document as the resource ${documentUri(docId)}`);
        }
        // Context stops short of half a surrogate pair; the span itself is exactly what was asked for.
        let from = Math.max(0, start - context);
        if (splitsPair(document.text, from)) from += 1;
        let to = Math.min(length, end + context);
        if (splitsPair(document.text, to)) to -= 1;
        const span = {
          docId,
          title: document.title,
          start,
          end,
          text: document.text.slice(start, end),
          before: document.text.slice(Math.min(from, start), start),
          after: document.text.slice(end, Math.max(to, end)),
          documentLength: length,
        };
        const text = [
          `${document.title} (${docId}), characters ${start}–${end} of ${length}, exactly:`,
          span.text,
          '',
          `In context (${context} characters each side; the span is between ⟦ and ⟧):`,
          `${from > 0 ? '…' : ''}${span.before}⟦${span.text}⟧${span.after}${to < length ? '…' : ''}`,
        ].join('\n');
        return { content: [{ type: 'text', text }], structuredContent: span };
      }),
  );
}
