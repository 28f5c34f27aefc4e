import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import express, { type Request, type RequestHandler, type Response, type Router } from 'express';
import { createMcpServer, type CreateMcpServerOptions } from './create-mcp-server.js';
import { sendJsonRpcError } from './mcp-error-bodies.js';

/** Options of {@link createMcpRouter}. */
export interface McpRouterOptions extends CreateMcpServerOptions {
  /** Largest JSON body accepted; larger ones get a 413. @default 65536 */
  readonly maxBodyBytes?: number;
  /** The per-client rate limit shared with the rest of the API: every MCP message posted counts once. */
  readonly requestLimiter: RequestHandler;
}

/**
 * The Model Context Protocol over Streamable HTTP at `/mcp`, stateless: every POST gets its own MCP server and transport,
 * answered as one JSON response, so nothing is kept between requests and no session can be lost or leak. When the
 * response closes — answered, or the client gone — the server is closed, which aborts the tool call still running (a
 * pooled ask stops its worker). Without sessions there is no stream to open or session to end: GET and DELETE are 405.
 */
export function createMcpRouter(options: McpRouterOptions): Router {
  const router = express.Router();
  router.use(options.requestLimiter);
  router.use(express.json({ limit: options.maxBodyBytes ?? 64 * 1024, strict: true }));

  router.post('/', async (req: Request, res: Response) => {
    const server = createMcpServer(options);
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    res.on('close', () => {
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(req, res, req.body);
  });

  router.all('/', (req: Request, res: Response) => {
    res.setHeader('allow', 'POST');
    sendJsonRpcError(res, 405, 'METHOD_NOT_ALLOWED', `${req.method} /mcp is not served: this MCP server is stateless (no sessions, no server-sent stream), send every message as POST /mcp`);
  });

  router.use((req: Request, res: Response) => {
    sendJsonRpcError(res, 404, 'NOT_FOUND', `nothing at ${req.method} /mcp${req.path}: the MCP endpoint is POST /mcp`);
  });
  return router;
}
