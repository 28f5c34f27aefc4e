/**
 * How a tool call fails: as a tool result with `isError: true` and one line the model can act on, never as a crashed
 * request. The code stays Verbatim's stable one (`SERVER_BUSY`, `ANSWER_TIMEOUT`, `DOCUMENT_NOT_FOUND`, …).
 */
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { Logger } from '../../retrieval/logger.js';
import { describeError, logEdgeError } from '../error-responses.js';

/** A failed tool call: `CODE: what happened and what to do`. */
export function toolError(code: string, message: string): CallToolResult {
  return { content: [{ type: 'text', text: `${code}: ${message}` }], isError: true };
}

/**
 * Runs a tool's work and turns what it throws into a tool error: errors raised on purpose keep their code and
 * message; anything unexpected is `INTERNAL` with a pointer to the server log, where the original goes.
 */
export async function toolResultOf(tool: string, logger: Logger, work: () => Promise<CallToolResult>): Promise<CallToolResult> {
  try {
    return await work();
  } catch (error) {
    const described = describeError(error);
    logEdgeError(logger, described, error, { tool });
    return toolError(described.code, described.message);
  }
}
