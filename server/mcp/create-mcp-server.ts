import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import packageJson from '../../package.json' with { type: 'json' };
import type { Config } from '../../retrieval/config.js';
import type { Logger } from '../../retrieval/logger.js';
import type { Pipeline } from '../../retrieval/pipeline.js';
import { registerAskTool } from './ask-tool.js';
import { registerDocumentResources } from './document-resources.js';
import { registerDocumentSpanTool } from './document-span-tool.js';
import { registerSearchTool } from './search-tool.js';

/** Options of {@link createMcpServer}. */
export interface CreateMcpServerOptions {
  readonly pipeline: Pipeline;
  /** Supplies `topK`, the number of passages a search returns by default. */
  readonly config: Pick<Config, 'topK'>;
  /** Where tool failures are logged (faults with their stack; the client gets the code and message only). */
  readonly logger: Logger;
}

/** What the server tells every client about itself on initialisation; clients pass it to their model. */
const INSTRUCTIONS =
  'Verbatim answers questions about a fixed corpus of documents and backs every claim with an exact citation. ' +
  'Use ask for a question (its answer quotes the documents, with citations whose quote equals the document text between start and end), ' +
  'search to explore passages, and get_document_span to check a citation or read around it. ' +
  'When ask abstains, the documents do not answer the question: say so instead of answering from elsewhere. ' +
  'The documents are also resources, verbatim://documents/{docId}.';

/**
 * A Model Context Protocol server over one pipeline: the tools `search`, `ask` and `get_document_span`, and the corpus
 * documents as resources. Not connected: the caller connects it to a transport (stdio for `npm run mcp`, Streamable
 * HTTP per request on `/mcp`) and closes it, which also aborts the work of its tool calls in progress.
 */
export function createMcpServer(options: CreateMcpServerOptions): McpServer {
  const server = new McpServer({ name: 'verbatim', title: 'Verbatim', version: packageJson.version }, { instructions: INSTRUCTIONS });
  registerSearchTool(server, options);
  registerAskTool(server, options);
  registerDocumentSpanTool(server, options);
  registerDocumentResources(server, options.pipeline);
  return server;
}
