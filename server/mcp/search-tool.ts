/** The `search` tool: ranked passages for a query, with their exact offsets and the scores behind their rank. */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { MAX_QUESTION_CHARS, questionSchema } from '../../retrieval/ask-input.js';
import type { Passage } from '../../retrieval/types.js';
import type { CreateMcpServerOptions } from './create-mcp-server.js';
import { spanFields } from './span-fields.js';
import { toolResultOf } from './tool-errors.js';

/** Most passages one search returns, as on `GET /api/search`. */
export const MAX_SEARCH_HITS = 100;

const scoresSchema = z
  .object({
    bm25: z.number().optional().describe('BM25 score, when the passage matched the query words'),
    bm25Rank: z.number().int().optional().describe('1-based rank among the BM25 matches'),
    vector: z.number().optional().describe('Cosine similarity to the query, when the server searches with vectors'),
    vectorRank: z.number().int().optional().describe('1-based rank among the vector matches'),
    rrf: z.number().describe('Reciprocal rank fusion of the ranks above: the score passages are ordered by'),
  })
  .describe('Each signal behind the rank');

const hitSchema = z.object({
  id: z.string().describe('The passage id, `${docId}#${start}-${end}`'),
  ...spanFields,
  heading: z.string().nullable().describe('The nearest heading above the passage, if any'),
  text: z.string().describe('The passage text, exactly documentText.slice(start, end)'),
  score: z.number().describe('The fused score, higher is better'),
  scores: scoresSchema,
});

/** One ranked passage of the `search` tool. */
export type SearchHit = z.infer<typeof hitSchema>;

const queryField = questionSchema.meta({ description: `Words or a question to look for, 1–${MAX_QUESTION_CHARS} characters`, minLength: 1, maxLength: MAX_QUESTION_CHARS });

const outputShape = {
  query: z.string(),
  hits: z.array(hitSchema).describe('Best first'),
};

/** Only the known score fields: the output schema admits no others. */
function scoresOf(scores: Passage['scores']): SearchHit['scores'] {
  const { bm25, bm25Rank, vector, vectorRank, rrf } = scores;
  return { ...(bm25 !== undefined ? { bm25 } : {}), ...(bm25Rank !== undefined ? { bm25Rank } : {}), ...(vector !== undefined ? { vector } : {}), ...(vectorRank !== undefined ? { vectorRank } : {}), rrf };
}

/** A score for people: 4 significant digits. */
function score(value: number): string {
  return String(Number(value.toPrecision(4)));
}

/** The hits as text: one block per passage, its place in the document and why it ranked, then its text. */
function searchText(query: string, hits: readonly SearchHit[]): string {
  if (hits.length === 0) return `No passage matches “${query}”: try other words, or ask a question with the ask tool.`;
  const lines = [`${hits.length} passage${hits.length === 1 ? '' : 's'} for “${query}”, best first:`];
  hits.forEach((h, i) => {
    const signals = [
      h.scores.bm25 !== undefined ? `bm25 ${score(h.scores.bm25)} (rank ${h.scores.bm25Rank})` : null,
      h.scores.vector !== undefined ? `vector ${score(h.scores.vector)} (rank ${h.scores.vectorRank})` : null,
    ].filter(Boolean);
    const heading = h.heading ? `, under “${h.heading}”` : '';
    lines.push('', `[${i + 1}] ${h.title} (${h.docId}, characters ${h.start}–${h.end}${heading}), score ${score(h.score)}${signals.length ? `: ${signals.join(', ')}` : ''}`, h.text.replace(/\s+/g, ' ').trim());
  });
  return lines.join('\n');
}

/** Registers `search` on `server`. */
export function registerSearchTool(server: McpServer, options: CreateMcpServerOptions): void {
  const { pipeline, config, logger } = options;
  server.registerTool(
    'search',
    {
      title: 'Search the documents',
      description:
        'Find the passages of the document corpus that best match a query (BM25 keyword search, fused with vector search when the server has an embedding model), best first. ' +
        'Each hit gives the document id and title, the character offsets of the passage in the document text, the passage text and the scores behind its rank. ' +
        'Use it to explore what the documents say about a topic; to get an answer with exact citations, use ask.',
      inputSchema: {
        query: queryField,
        k: z
          .number()
          .int()
          .min(1, 'k must be at least 1')
          .max(MAX_SEARCH_HITS, `k must be at most ${MAX_SEARCH_HITS}`)
          .optional()
          .describe(`How many passages to return, 1–${MAX_SEARCH_HITS}; default ${config.topK}`),
      },
      outputSchema: outputShape,
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    ({ query, k }, extra) =>
      toolResultOf('search', logger, async () => {
        const passages = await pipeline.search(query, { k: k ?? config.topK, signal: extra.signal });
        const titleOf = (docId: string) => pipeline.getDocument(docId)?.title ?? docId;
        const hits: SearchHit[] = passages.map((p) => ({
          id: p.id,
          docId: p.docId,
          title: titleOf(p.docId),
          start: p.start,
          end: p.end,
          heading: p.heading,
          text: p.text,
          score: p.score,
          scores: scoresOf(p.scores),
        }));
        return { content: [{ type: 'text', text: searchText(query, hits) }], structuredContent: { query, hits } };
      }),
  );
}
