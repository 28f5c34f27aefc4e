/**
 * Tool calls as an MCP client makes them, through the SDK's own `Client`, and the check every cited answer must pass:
 * each citation's quote is the document text between its offsets, read back through `get_document_span`.
 */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { expect } from 'vitest';
import type { AskCitation } from '../ask-tool.js';

/** The seed question whose answer the seed document holds ("2,700"). */
export const SEED_QUESTION = 'How many foreign law enforcement officers did China train in 2023?';

/** A tool result with its text content joined and its structured content typed as the test expects. */
export interface ToolCall<T> {
  readonly result: CallToolResult;
  readonly text: string;
  readonly structured: T;
}

/** Calls `name` with `args`; the SDK client checks the structured content against the tool's output schema. */
export async function callTool<T = Record<string, unknown>>(client: Client, name: string, args: Record<string, unknown>): Promise<ToolCall<T>> {
  const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
  const text = result.content
    .filter((c) => c.type === 'text')
    .map((c) => c.text)
    .join('\n');
  return { result, text, structured: result.structuredContent as T };
}

/** What `ask` returns as structured content, the fields the tests read. */
export interface AskContent {
  readonly answer: string;
  readonly shortAnswer: string | null;
  readonly abstained: boolean;
  readonly abstentionReason: string | null;
  readonly retrievalQuery: string;
  readonly citations: readonly AskCitation[];
}

/** What `get_document_span` returns as structured content. */
export interface SpanContent {
  readonly docId: string;
  readonly title: string;
  readonly start: number;
  readonly end: number;
  readonly text: string;
  readonly before: string;
  readonly after: string;
  readonly documentLength: number;
}

/** Asserts that there are citations and that each quote is exactly the document text at its offsets, as the server reads it back. */
export async function expectCitationsVerified(client: Client, citations: readonly AskCitation[]): Promise<void> {
  expect(citations.length).toBeGreaterThan(0);
  for (const c of citations) {
    const span = await callTool<SpanContent>(client, 'get_document_span', { docId: c.docId, start: c.start, end: c.end });
    expect(span.result.isError).toBeFalsy();
    expect(span.structured.text).toBe(c.quote);
    expect(span.structured.title).toBe(c.title);
  }
}
