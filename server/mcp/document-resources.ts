/**
 * The corpus documents as MCP resources, `verbatim://documents/{docId}`: listed with their titles, read as the exact
 * text every citation offset indexes into.
 */
import { ResourceTemplate, type McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { McpError, ErrorCode } from '@modelcontextprotocol/sdk/types.js';
import type { Pipeline } from '../../retrieval/pipeline.js';

/** The URI template of a document; `docId` is percent-encoded, so ids with `/` or spaces fit one path segment. */
export const DOCUMENT_URI_TEMPLATE = 'verbatim://documents/{docId}';

/** The MCP error code of a resource that does not exist (MCP's resources specification, "Error Handling"). */
const RESOURCE_NOT_FOUND = -32002;

/** The resource URI of a document. */
export function documentUri(docId: string): string {
  return `verbatim://documents/${encodeURIComponent(docId)}`;
}

/** The document id in a URI that matched the template, or an MCP error saying how to build the URI. */
function docIdOf(uri: URL, encoded: string | string[] | undefined): string {
  if (typeof encoded !== 'string') throw new McpError(ErrorCode.InvalidParams, `${uri.href} names no single document: use ${DOCUMENT_URI_TEMPLATE}`);
  try {
    return decodeURIComponent(encoded);
  } catch {
    throw new McpError(ErrorCode.InvalidParams, `the document id in ${uri.href} is not valid percent-encoding: build the URI with encodeURIComponent(docId)`);
  }
}

/** Registers the documents of `pipeline`'s index as resources of `server`. */
export function registerDocumentResources(server: McpServer, pipeline: Pipeline): void {
  const template = new ResourceTemplate(DOCUMENT_URI_TEMPLATE, {
    list: () => ({
      resources: pipeline.listDocuments().map((d) => ({
        uri: documentUri(d.id),
        name: d.id,
        title: d.title,
        description: `${d.title} (${d.id}): ${d.length} characters`,
        mimeType: 'text/plain',
      })),
    }),
  });
  server.registerResource(
    'document',
    template,
    {
      title: 'Corpus document',
      description: 'The text of one corpus document, exactly as citation and search offsets index into it (for HTML, its visible text)',
      mimeType: 'text/plain',
    },
    (uri, variables) => {
      const docId = docIdOf(uri, variables.docId);
      const document = pipeline.getDocument(docId);
      if (!document) throw new McpError(RESOURCE_NOT_FOUND, `no document with id ${JSON.stringify(docId)} in the index: list them with resources/list`);
      return { contents: [{ uri: uri.href, mimeType: 'text/plain', text: document.text }] };
    },
  );
}
